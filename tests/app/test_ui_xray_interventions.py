"""Predict's X-ray what-ifs and unit roles: the controls, the link round-trip, the roles table, from the real model."""

from __future__ import annotations

import json

import pytest

from core.serving.interventions import intervene
from core.serving.predictor import Predictor
from core.serving.unit_roles import cache_path
from tests.app.test_ui_links import open_link, query
from tests.app.ui_helpers import assert_clean, chart_data, charts, run_page, submit_review, texts
from ui.xray import tables
from ui.xray.wording import CLEARED_FOR_NEW_REVIEW, HOW_TO_READ, WITH_CHANGES

pytestmark = pytest.mark.usefixtures("fresh_caches")
REVIEW = "The acting was wooden but the ending made up for everything, a fine film."


def _run(store, at):
    return next(r for r in store.scan()[0] if r.run_id == at.selectbox(key="predict_run").value)


def _changed_line(at):
    """The "with your changes" points of the intervention chart (None: no such chart)."""
    for chart in charts(at):
        for frame in chart_data(chart):
            if "series" in frame.columns and WITH_CHANGES in set(frame["series"]):
                return frame[frame["series"] == WITH_CHANGES]
    return None


def _after_metric(at) -> str:
    [metric] = [m for m in at.metric if m.label.endswith(WITH_CHANGES)]
    return metric.value


def _expect(store, at, specs):
    run = _run(store, at)
    return intervene(Predictor(run.run_id, store), REVIEW, specs)


def test_forget_at_a_word_redraws_the_verdict_exactly_and_clear_removes_it(runs_env):
    at = run_page("predict")
    submit_review(at, REVIEW)
    assert_clean(at)
    assert _changed_line(at) is None and not [m for m in at.metric if m.label.endswith(WITH_CHANGES)]
    at.selectbox(key="xray_what_if_kind").set_value("forget")
    at.selectbox(key="xray_what_if_step").set_value(2)
    at.button(key="xray_what_if_add").click().run()
    assert_clean(at)
    expected = _expect(runs_env, at, ["forget:2"])
    line = _changed_line(at)
    assert line["positive"].tolist() == pytest.approx(expected.intervened.prefix_probability, abs=1e-6)
    assert _after_metric(at) == f"{expected.intervened.probability:.1%}"
    assert HOW_TO_READ["interventions"] in [c.value for c in at.caption]
    assert "forget here at" in texts(at) and query(at, "intervene") == "forget:2"  # in the link
    # A second change stacks; Remove takes one off, Clear the rest.
    at.selectbox(key="xray_what_if_kind").set_value("silence")
    at.button(key="xray_what_if_add").click().run()  # the unit picker's first unit: 0
    assert at.session_state["xray_intervene"] == ["forget:2", "silence:0"]
    at.button(key="xray_what_if_remove_forget:2").click().run()
    assert at.session_state["xray_intervene"] == ["silence:0"]
    assert _after_metric(at) == f"{_expect(runs_env, at, ['silence:0']).intervened.probability:.1%}"
    at.button(key="xray_what_if_clear").click().run()
    assert_clean(at)
    assert _changed_line(at) is None and at.session_state["xray_intervene"] == []
    assert query(at, "intervene") is None


def test_a_link_opens_with_the_interventions_applied_and_a_hostile_one_gives_a_notice(runs_env):
    at = open_link("predict", text=REVIEW, intervene="forget:3,silence:1")
    assert at.session_state["xray_intervene"] == ["forget:3", "silence:1"]
    expected = _expect(runs_env, at, ["forget:3", "silence:1"])
    assert _changed_line(at)["positive"].tolist() == pytest.approx(expected.intervened.prefix_probability, abs=1e-6)
    assert _after_metric(at) == f"{expected.intervened.probability:.1%}"

    hostile = open_link("predict", text=REVIEW, intervene="forget:3;import os" + ",x" * 500)
    [notice] = [i.value for i in hostile.info if "Ignored from the link" in i.value]
    assert "`intervene` (it must be up to 8 interventions such as forget:3,silence:5" in notice
    assert _changed_line(hostile) is None and "xray_intervene" not in hostile.session_state
    past_the_end = open_link("predict", text=REVIEW, intervene="forget:999")  # well formed, not for this review
    [warning] = [w.value for w in past_the_end.warning if "forget:999" in w.value]
    assert "step 999 is out of range" in warning and _changed_line(past_the_end) is None


def test_unit_roles_are_found_on_a_click_stored_and_a_unit_is_silenced(runs_env):
    at = run_page("predict")
    submit_review(at, REVIEW)
    run = _run(runs_env, at)
    cache_path(runs_env.root, run.run_id, run.created).unlink(missing_ok=True)
    assert not [d for d in at.dataframe if "effect when silenced (log-odds)" in d.value.columns]
    at.button(key="xray_roles").click().run()
    assert_clean(at)
    [table] = [d.value for d in at.dataframe if "effect when silenced (log-odds)" in d.value.columns]
    stored = json.loads(cache_path(runs_env.root, run.run_id, run.created).read_text("utf-8"))
    assert len(table) == run.config.units == len(stored["units"])
    by_unit = {row["unit"]: row["mean_change"] for row in stored["units"]}
    assert table["effect when silenced (log-odds)"].tolist() == pytest.approx(
        [round(by_unit[u], 4) for u in table["unit"]]
    )
    assert table["mean size of that effect"].is_monotonic_decreasing
    assert any("What silencing each unit does" in str(c.proto.spec) for c in charts(at))
    assert HOW_TO_READ["unit_roles"] in [c.value for c in at.caption]
    unit = int(table["unit"].iloc[0])
    at.selectbox(key="xray_roles_unit").set_value(unit).run()
    assert at.selectbox(key="xray_unit").value == unit  # the X-ray follows it
    at.button(key="xray_roles_silence").click().run()
    assert_clean(at)
    assert at.session_state["xray_intervene"] == [f"silence:{unit}"]
    assert _after_metric(at) == f"{_expect(runs_env, at, [f'silence:{unit}']).intervened.probability:.1%}"
    # Its example: the validation review where silencing it moved the verdict most, opened in the box.
    [row] = [r for r in stored["units"] if r["unit"] == unit]
    [column] = [d.value[tables.EXAMPLE] for d in at.dataframe if tables.EXAMPLE in d.value.columns]
    at.button(key="xray_roles_example").click().run()
    assert_clean(at)
    review = at.session_state["predict_text"]
    assert review != REVIEW
    assert column.iloc[0] == f"{row['example_change']:+.2f}: {tables.excerpt(review, tables.EXAMPLE_IN_TABLE)}"
    assert at.session_state["xray_intervene"] == [f"silence:{unit}"]  # kept: made for this review
    assert CLEARED_FOR_NEW_REVIEW not in [i.value for i in at.info]


def test_a_span_of_words_then_a_new_review_clears_the_changes_but_a_link_brings_its_own(runs_env):
    at = run_page("predict")
    submit_review(at, REVIEW)
    at.selectbox(key="xray_what_if_step").set_value(3)
    at.selectbox(key="xray_what_if_until").set_value(1)  # a span, picked either way round
    at.button(key="xray_what_if_add").click().run()
    assert at.session_state["xray_intervene"] == ["forget:1-3"] and query(at, "intervene") == "forget:1-3"
    stacked = _expect(runs_env, at, ["forget:1", "forget:2", "forget:3"]).intervened
    assert _changed_line(at)["positive"].tolist() == pytest.approx(stacked.prefix_probability, abs=1e-6)
    assert "forget at each word from" in texts(at)
    at.selectbox(key="xray_what_if_kind").set_value("transplant").run()
    at.selectbox(key="xray_what_if_step").set_value(2)
    at.text_input(key="xray_what_if_other").input("This movie, was GREAT!")
    at.button(key="xray_what_if_add").click().run()  # the memory after another text: words only, in the link
    assert_clean(at)
    specs = ["forget:1-3", 'transplant:2="this movie was great"']
    assert at.session_state["xray_intervene"] == specs and query(at, "intervene") == ",".join(specs)
    assert _after_metric(at) == f"{_expect(runs_env, at, specs).intervened.probability:.1%}"
    submit_review(at, "A dull plot, but the acting was fine.")
    assert_clean(at)
    assert CLEARED_FOR_NEW_REVIEW in [i.value for i in at.info]
    assert at.session_state["xray_intervene"] == [] and _changed_line(at) is None
    assert query(at, "intervene") is None  # the address bar loses them at once
    # A link opened in this session brings a review and its changes together: they stay.
    at.query_params["text"], at.query_params["intervene"] = REVIEW, "ignore:3"
    at.run()
    assert_clean(at)
    assert at.session_state["xray_intervene"] == ["ignore:3"] and _changed_line(at) is not None
    assert CLEARED_FOR_NEW_REVIEW not in [i.value for i in at.info]
