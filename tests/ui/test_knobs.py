"""One knob table (:mod:`ui.train.knobs`): every config field once, labelled and grouped, or named test-only."""

from __future__ import annotations

import dataclasses
from collections import Counter

from core.config import FIELDS, TrainConfig
from ui.train import knobs


def test_the_table_covers_every_field_of_fields_and_of_trainconfig_exactly_once():
    listed = Counter(knob.field for knob in knobs.KNOBS)
    assert [field for field, count in listed.items() if count > 1] == []
    table = set(listed) | set(knobs.TEST_ONLY_FIELDS)
    assert table == set(FIELDS) == {field.name for field in dataclasses.fields(TrainConfig)}
    assert not set(listed) & set(knobs.TEST_ONLY_FIELDS)


def test_every_knob_has_a_label_of_its_own_and_a_known_group():
    labels = [knob.label for knob in knobs.KNOBS]
    assert all(labels) and len(set(labels)) == len(labels)
    assert list(knobs.groups(main=True)) == ["Model", "Input", "Fitting"]
    assert list(knobs.groups(main=False)) == ["Model", "Input", "Optimisation", "Evaluation"]
    assert knobs.label("seed") == "Seed" and knobs.label("train_limit") == "Train limit"


def test_main_and_more_split_the_table():
    assert set(knobs.MAIN) | set(knobs.MORE) == {knob.field for knob in knobs.KNOBS}
    assert not set(knobs.MAIN) & set(knobs.MORE)
    assert [f for names in knobs.groups(main=True).values() for f in names] == list(knobs.MAIN)


def test_the_offered_learning_rates_include_every_preset_default():
    rule = FIELDS["learning_rate"]
    offered = [rate for rate in knobs.LEARNING_RATES if rule.low <= rate <= rule.high]
    assert TrainConfig().learning_rate in offered and offered == sorted(offered)
