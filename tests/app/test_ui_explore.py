"""The shell and the Explore page, as a user would notice them (AppTest, real data)."""

from __future__ import annotations

import re

from core.config import FIELDS
from tests.app.ui_helpers import (
    assert_clean,
    chart_data,
    chart_spec,
    charts,
    heavy_imports_of_a_fresh_server,
    run_page,
    texts,
    widget,
)


def test_shell_navigation_and_sidebar_status(data_env):
    at = run_page(None)  # the first page (Start here): AppTest keeps the sidebar of a session's first run only
    assert_clean(at)
    assert at.title[0].value == "IMDB LSTM Lab"
    sidebar = "\n".join([m.value for m in at.sidebar.markdown] + [c.value for c in at.sidebar.caption])
    assert "25,000" in sidebar and "train" in sidebar
    assert str(data_env) in sidebar and "IMDB_DATA" in sidebar
    assert "Loaded in" in sidebar


def test_explore_draws_the_length_histogram_with_a_cutoff(data_env):
    at = run_page()
    assert_clean(at)
    maxlen = widget(at, "slider", "explore_maxlen")
    rule = FIELDS["maxlen"]
    assert (maxlen.min, maxlen.max, maxlen.step, maxlen.value) == (rule.low, rule.high, rule.step, 800)
    histograms = [c for c in charts(at) if '"bar"' in c.proto.spec]
    assert len(histograms) == 2  # train and test
    bins, cutoff = chart_data(histograms[0])[:2]
    assert set(bins["label"]) == {"pos", "neg"} and bins["reviews"].sum() == 25_000
    assert len(bins) < 300  # binned in pandas, not 25,000 raw rows
    assert cutoff["maxlen"].tolist() == [800]
    assert any(layer["mark"]["type"] == "rule" for layer in chart_spec(histograms[0])["layer"])
    assert "98.2%" in texts(at)  # the tutorial's "about 98% under 800"


def test_moving_maxlen_moves_the_rule_and_the_share(data_env):
    at = run_page()
    widget(at, "slider", "explore_maxlen").set_value(200).run()
    assert_clean(at)
    page = texts(at)
    assert "at most 200 tokens" in page and "98.2%" not in page
    bars = next(c for c in charts(at) if '"bar"' in c.proto.spec)
    assert chart_data(bars)[1]["maxlen"].tolist() == [200]
    widget(at, "toggle", "explore_log_scale").set_value(True).run()
    assert '"symlog"' in next(c for c in charts(at) if '"bar"' in c.proto.spec).proto.spec


def test_vocabulary_coverage_follows_num_words(data_env):
    at = run_page()
    num_words = widget(at, "slider", "explore_num_words")
    assert num_words.value == 5000
    oov = next(m for m in at.metric if "OOV" in m.label)
    assert oov.value.endswith("%") and 5 < float(oov.value[:-1]) < 20
    coverage = next(c for c in charts(at) if '"line"' in c.proto.spec)
    curve, marks = chart_data(coverage)[:2]
    assert curve["coverage"].is_monotonic_increasing and 5000 in marks["num_words"].tolist()
    num_words.set_value(20_000).run()
    assert_clean(at)
    smaller = next(m for m in at.metric if "OOV" in m.label)
    assert float(smaller.value[:-1]) < float(oov.value[:-1])


def test_what_the_model_sees_marks_oov_and_truncation(data_env):
    at = run_page()
    widget(at, "slider", "explore_maxlen").set_value(50).run()
    widget(at, "number_input", "explore_index").set_value(3).run()
    assert_clean(at)
    view = at.html[0].value
    assert "&lt;start&gt;" in view and re.search(r'class="lab-tok oov', view)
    assert re.search(r'class="lab-tok start cut"', view)  # 'pre' cuts the beginning, start id included
    assert "cut by truncation" in texts(at)
    # 'pre' truncation keeps the end: the start id is cut, so the model's row does not begin with 1.
    row = at.code[0].value
    assert not row.startswith("[1,")
    at.segmented_control(key="explore_truncating").set_value("post").run()
    assert at.code[0].value.startswith("[1,")


def test_random_review_and_split_choice(data_env):
    at = run_page()
    before = widget(at, "number_input", "explore_index").value
    picks = set()
    for _ in range(3):
        next(b for b in at.button if b.label == "Random review").click().run()
        picks.add(widget(at, "number_input", "explore_index").value)
    assert picks - {before}
    at.segmented_control(key="explore_split").set_value("train").run()
    assert_clean(at)
    assert "of the train split" in texts(at)


def test_counts_table(data_env):
    at = run_page()
    table = at.dataframe[0].value
    assert table["split"].tolist() == ["train", "test"]
    assert table["reviews"].tolist() == [25_000, 25_000]
    assert table["positive"].tolist() == [12_500, 12_500]


def test_choices_survive_a_trip_to_another_page(data_env, fake_manager):
    at = run_page()
    widget(at, "slider", "explore_maxlen").set_value(300).run()
    widget(at, "slider", "explore_num_words").set_value(2000).run()
    at.switch_page("pages/train.py").run()
    assert_clean(at)
    at.switch_page("pages/explore.py").run()
    assert widget(at, "slider", "explore_maxlen").value == 300
    assert widget(at, "slider", "explore_num_words").value == 2000


def test_explore_never_imports_keras(data_env):
    """The heavy imports stay off the Explore page (checked in a fresh interpreter)."""
    assert heavy_imports_of_a_fresh_server() == []
