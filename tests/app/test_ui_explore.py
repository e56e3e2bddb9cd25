"""The shell and the Explore page, as a user would notice them (AppTest, real data)."""

from __future__ import annotations

import re

from core.config import FIELDS
from tests.app.ui_helpers import (
    assert_clean,
    chart_data,
    chart_spec,
    charts,
    codes,
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


def _histograms(at) -> list:
    return [c for c in charts(at) if '"step-after"' in c.proto.spec]


def _dataset_with(chart, column: str):
    return next(frame for frame in chart_data(chart) if column in frame.columns)


def test_explore_draws_the_length_histogram_with_a_cutoff(data_env):
    at = run_page()
    assert_clean(at)
    maxlen = widget(at, "slider", "explore_maxlen")
    rule = FIELDS["maxlen"]
    assert (maxlen.min, maxlen.max, maxlen.step) == (rule.low, rule.high, rule.step)
    maxlen.set_value(800).run()
    histograms = _histograms(at)
    assert len(histograms) == 2  # train and test
    steps = _dataset_with(histograms[0], "closing")
    bins = steps[~steps["closing"]]
    assert set(bins["label"]) == {"pos", "neg"} and bins["reviews"].sum() == 25_000
    assert bins.groupby("label")["reviews"].sum().tolist() == [12_500, 12_500]  # each label on its own line
    assert len(steps) < 300  # binned in pandas, not 25,000 raw rows
    assert _dataset_with(histograms[0], "maxlen")["maxlen"].tolist() == [800]
    marks = {layer["mark"]["type"] for layer in chart_spec(histograms[0])["layer"]}
    assert {"rule", "rect", "line"} <= marks and "bar" not in marks  # a shaded cut-off, no stacked bars
    assert "98.2%" in texts(at)  # the tutorial's "about 98% under 800"


def test_moving_maxlen_moves_the_rule_and_the_share(data_env):
    at = run_page()
    widget(at, "slider", "explore_maxlen").set_value(200).run()
    assert_clean(at)
    page = texts(at)
    assert "at most 200 tokens" in page and "98.2%" not in page
    assert _dataset_with(_histograms(at)[0], "maxlen")["maxlen"].tolist() == [200]
    widget(at, "toggle", "explore_log_scale").set_value(True).run()
    spec = chart_spec(_histograms(at)[0])
    (line,) = [layer for layer in spec["layer"] if layer["mark"]["type"] == "line"]
    assert line["encoding"]["y"]["scale"]["type"] == "symlog" and line["encoding"]["y"]["stack"] is None
    assert line["encoding"]["y"]["axis"]["values"][:4] == [0, 1, 10, 100]  # ticks at powers of ten


def test_vocabulary_coverage_follows_num_words(data_env):
    at = run_page()
    num_words = widget(at, "slider", "explore_num_words")
    num_words.set_value(5000).run()
    oov = next(m for m in at.metric if "OOV" in m.label)
    assert oov.value.endswith("%") and 5 < float(oov.value[:-1]) < 20
    coverage = next(c for c in charts(at) if '"line"' in c.proto.spec and '"step-after"' not in c.proto.spec)
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
    row = codes(at)[0]
    assert not row.startswith("[1,")
    at.segmented_control(key="explore_truncating").set_value("post").run()
    assert codes(at)[0].startswith("[1,")


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


def test_explore_and_train_share_maxlen_and_num_words(data_env, fake_manager):
    at = run_page()
    train_values = (at.session_state["train_maxlen"], at.session_state["train_num_words"])
    assert (widget(at, "slider", "explore_maxlen").value, widget(at, "slider", "explore_num_words").value) == (
        train_values
    )  # one value: the Train page's, not the tutorial's 800 against Train's default
    assert "are the Train page's settings too" in texts(at)
    at.switch_page("pages/train.py").run()
    at.segmented_control(key="train_preset").set_value("tutorial-v1").run()
    at.switch_page("pages/explore.py").run()
    assert widget(at, "slider", "explore_maxlen").value == 800  # a preset picked on Train shows here too
    assert widget(at, "slider", "explore_num_words").value == 5000
    widget(at, "slider", "explore_maxlen").set_value(300).run()
    widget(at, "slider", "explore_num_words").set_value(8000).run()
    assert at.session_state["train_maxlen"] == 800  # looking at the data changes no training setting
    assert "The Train page is set to **maxlen = 800**" in texts(at)
    next(b for b in at.button if b.label == "Use these settings for training").click().run()
    assert_clean(at)
    assert at.title[0].value == "Train a model"
    assert widget(at, "slider", "train_maxlen").value == 300
    assert widget(at, "slider", "train_num_words").value == 8000
    assert at.segmented_control(key="train_preset").value == "custom"
    at.switch_page("pages/explore.py").run()
    assert widget(at, "slider", "explore_maxlen").value == 300


def test_the_review_viewer_shows_the_star_rating(data_env):
    at = run_page()
    for index in (0, 3, 24_999):
        widget(at, "number_input", "explore_index").set_value(index).run()
        header = next(m.value for m in at.markdown if m.value.startswith(f"**Review {index:,}**"))
        label, stars = re.search(r"label \*\*(\w+)\*\*.*?(\d+)/10 stars", header).groups()
        assert re.search(rf"_{stars}\.txt", header)  # the rating in the file name, shown in words
        assert (int(stars) >= 7) == (label == "positive") and int(stars) not in (5, 6)
    assert "7 to 10 stars positive" in texts(at)


def test_an_index_out_of_range_says_which_review_is_shown(data_env):
    at = run_page()
    box = widget(at, "number_input", "explore_index")
    assert box.min is None and box.max is None  # the value reaches the page instead of staying red in the box
    box.set_value(30_000).run()
    assert_clean(at)
    assert "There is no review 30,000 in the test split: showing review 24,999." in texts(at)
    assert any(m.value.startswith("**Review 24,999**") for m in at.markdown)
