"""The Predict page with two tiny stored runs: a typed review, the colours, bad input, batches, comparing.

The runs are trained once per session with core (a few seconds each) into a fixed
folder under pytest's base temp dir; the Evaluate tests reuse them (a second request
for the same configs is a cache hit in ``JobManager.submit``).
"""

from __future__ import annotations

import html
import re
import subprocess
import sys

import pytest

from core.serving import batch_input
from core.serving.service import PredictionService
from core.text.limits import MAX_TEXT_CHARS
from tests.app.ui_helpers import (
    REPO,
    assert_clean,
    chart_data,
    charts,
    heavy_imports_of_a_fresh_server,
    run_page,
    submit_review,
    texts,
)
from ui.predict.wording import NO_WORDS
from ui.shared import assets

TEXT_KEY = "predict_text"
pytestmark = pytest.mark.usefixtures("fresh_caches")


@pytest.fixture
def model_calls(monkeypatch) -> list:
    """Every request the page sends to the prediction process (each one runs the model)."""
    calls = []
    original = PredictionService._request

    def counting(self, op, run_id, created, payload, *snapshot):
        calls.append(op)
        return original(self, op, run_id, created, payload, *snapshot)

    monkeypatch.setattr(PredictionService, "_request", counting)
    return calls


def predict_page():
    at = run_page("predict")
    assert_clean(at)
    return at


def type_review(at, review: str):
    submit_review(at, review)
    assert_clean(at)
    return at


def why_html(at) -> list[str]:
    return [h.value for h in at.get("html") if 'class="lab-why"' in h.value]


def test_the_best_run_is_picked_and_an_empty_box_calls_no_model(runs_env, model_calls):
    at = predict_page()
    assert at.title[0].value == "Predict"
    assert at.selectbox(key="predict_run").value == runs_env.best().run_id
    assert "Type or paste a review above" in texts(at)
    for blank in ("", "   \n\t  "):
        type_review(at, blank)
        assert "Type or paste a review above" in texts(at)
        assert not why_html(at) and not [m for m in at.metric if m.label == "Probability of positive"]
    assert set(model_calls) <= {"warm"}  # only the background load of the best run


def test_a_typed_review_gets_a_probability_a_bar_and_coloured_words(runs_env, model_calls):
    at = type_review(predict_page(), "A wonderful film, the acting was great and I loved the ending.")
    probability = next(m for m in at.metric if m.label == "Probability of positive")
    assert 0.0 <= float(probability.value) <= 1.0
    assert "explain" in model_calls  # scored for real, in the prediction process
    bars = [c for c in charts(at) if "probability" in chart_data(c)[0].columns]
    assert bars and chart_data(bars[0])[0]["probability"].iloc[0] == pytest.approx(float(probability.value), abs=1e-3)
    [markup] = why_html(at)
    assert markup.count('class="w') == 12  # every word, coloured
    assert "rgba(" in markup and "blue pushed towards positive" in texts(at).lower()  # the colour key


def test_nothing_is_scored_until_predict_is_pressed(runs_env, model_calls):
    at = predict_page()
    at.text_area(key=TEXT_KEY).set_value("Typed but not submitted")  # in a form: held until Predict
    assert "Predict" in [b.label for b in at.button]
    submit_review(at, "Not bad at all.")
    assert "explain" in model_calls and why_html(at)


def test_phrases_and_numbers_under_the_words(runs_env, model_calls):
    at = type_review(predict_page(), "The plot was not bad at all.")
    assert at.get("button_group")  # the "Remove" choice: one word, two- or three-word phrases
    at.session_state["predict_span"] = 2
    at.run()
    assert_clean(at)
    assert "2-word phrase" in texts(at)
    [phrases] = [df.value for df in at.dataframe if "phrase" in df.value.columns]
    assert "not bad" in phrases["phrase"].tolist()
    at.toggle(key="predict_values").set_value(True).run()
    values = [h.value for h in at.get("html") if 'class="lab-why values"' in h.value]
    assert values and values[0].count('class="v"') == 7  # a number under each of the 7 words


def test_script_tags_are_shown_as_text(runs_env):
    at = type_review(predict_page(), '<script>alert("owned")</script><img src=x onerror=alert(1)> bad movie')
    [markup] = why_html(at)
    assert "<script" not in markup.lower() and "<img" not in markup.lower()
    shown = html.unescape(re.sub(r"<[^>]*>", "", markup.split('class="lab-why">', 1)[1]))
    assert shown.startswith('<script>alert("owned")</script><img src=x onerror=alert(1)> bad movie')


def test_emoji_non_english_and_oov_words(runs_env):
    at = type_review(predict_page(), "Très émouvant 😭 — 素晴らしい映画 zyzzyvaqq")
    assert "out of the vocabulary" in texts(at) and "`zyzzyvaqq`" in texts(at)
    assert 'class="w oov"' in why_html(at)[0]
    at = type_review(at, "😀 🎬 !!!")
    assert "found no words" in texts(at)
    assert any(w.value == NO_WORDS for w in at.warning)  # the warning is the answer:
    assert not [m.value for m in at.markdown if m.value.startswith("####")]  # no big "51% positive" headline


def test_a_huge_review_is_clipped_with_a_notice(runs_env):
    review = "boring " * 20_000  # 140,000 characters, 20,000 words
    at = type_review(predict_page(), review)
    assert f"only the last {MAX_TEXT_CHARS:,} were read" in texts(at)  # the end, like truncating="pre"
    assert "were cut off and never seen" in texts(at)  # maxlen 80 keeps the last words
    [markup] = why_html(at)
    assert len(markup) < 50_000 and "more words cut off by truncation" in markup


def test_example_buttons_and_a_random_test_review_with_its_label(runs_env):
    at = predict_page()
    next(b for b in at.button if b.label == "Not bad").click().run()
    assert at.text_area(key=TEXT_KEY).value == assets.example_reviews()["Not bad"]
    assert why_html(at)
    next(b for b in at.button if b.label == "Random test review").click().run()
    assert_clean(at)
    assert at.text_area(key=TEXT_KEY).value not in assets.example_reviews().values()
    assert "True label of this test review" in texts(at)
    type_review(at, "My own words now.")
    assert "True label of this test review" not in texts(at)  # the label belonged to the test review


def test_two_runs_side_by_side(runs_env):
    at = type_review(predict_page(), "Not good, not good at all.")
    other = next(r.run_id for r in runs_env.list() if r.run_id != at.selectbox(key="predict_run").value)
    at.selectbox(key="predict_compare").set_value(other).run()
    assert_clean(at)
    assert {h.value for h in at.subheader} >= {at.selectbox(key="predict_run").value, other}
    assert len(why_html(at)) == 2
    bars = [c for c in charts(at) if "probability" in chart_data(c)[0].columns]
    assert any(len(chart_data(c)[0]) == 2 for c in bars)
    from ui.xray.wording import shaky_comparison

    chosen = [runs_env.get(at.selectbox(key="predict_run").value), runs_env.get(other)]
    expected = shaky_comparison({r.run_id: r.validation_accuracy for r in chosen})  # the tiny runs' own gap
    assert [w.value for w in at.warning if w.value.startswith("A shaky comparison")] == ([expected] if expected else [])


def test_two_runs_on_a_test_review_say_which_is_right(runs_env):
    at = predict_page()
    next(b for b in at.button if b.label == "Random test review").click().run()
    other = next(r.run_id for r in runs_env.list() if r.run_id != at.selectbox(key="predict_run").value)
    at.selectbox(key="predict_compare").set_value(other).run()
    assert_clean(at)
    summary = next(m.value for m in at.markdown if m.value.startswith("True label of this test review"))
    assert any(word in summary for word in ("both runs are right", "both runs are wrong", "right: "))


def test_batch_of_typed_lines_gives_a_downloadable_table(runs_env):
    at = predict_page()
    at.text_area(key="predict_batch_text").input("Loved it.\n\n  Hated it.  \n<b>meh</b>\n").run()
    assert_clean(at)
    [table] = [d.value for d in at.dataframe if "probability_positive" in d.value.columns]
    assert table["review"].tolist() == ["Loved it.", "Hated it.", "<b>meh</b>"]
    assert table["probability_positive"].between(0, 1).all()
    assert any(b.label == "Download the predictions (.csv)" for b in at.get("download_button"))


def test_batch_from_a_csv_file_picks_the_text_column(runs_env):
    at = predict_page()
    at.segmented_control(key="predict_batch_source").set_value("Upload a file (.txt or .csv)").run()
    upload = b'id,stars,review\n1,9,"A joy, start to end."\n2,1,Dull.\n'
    at.file_uploader(key="predict_batch_file_0").set_value(("mine.csv", upload, "text/csv")).run()
    assert_clean(at)
    assert at.selectbox(key="predict_batch_column").value == "review"
    [table] = [d.value for d in at.dataframe if "probability_positive" in d.value.columns]
    assert table["review"].tolist() == ["A joy, start to end.", "Dull."]
    assert table["id"].tolist() == ["1", "2"] and table["stars"].tolist() == ["9", "1"]  # every column kept
    assert "Checked against the stars in column `stars`" in texts(at)
    assert [d for d in at.dataframe if "model said positive" in d.value.columns]  # the 2x2 counts


def test_a_windows_csv_with_empty_and_unknown_rows(runs_env):
    at = predict_page()
    at.segmented_control(key="predict_batch_source").set_value("Upload a file (.txt or .csv)").run()
    upload = "id;review;sentiment\r\n1;Great film – “superb”;positive\r\n2;;neg\r\n3;zzqx qqzv;neg\r\n"
    at.file_uploader(key="predict_batch_file_0").set_value(("excel.csv", upload.encode("cp1252"), "text/csv")).run()
    assert_clean(at)
    page = texts(at)
    assert "read as Windows-1252" in page and "2 reviews" in page
    assert "1 row(s) with an empty review were skipped" in page and "1 review(s) have no word this run knows" in page
    [table] = [d.value for d in at.dataframe if "probability_positive" in d.value.columns]
    assert table["review"].tolist() == ["Great film – “superb”", "zzqx qqzv"]
    assert table["known words"].tolist()[1] == 0


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("scores.csv", b"id,stars\n1,9\n2,1\n", "no column of text"),
        ("picture.txt", bytes(range(256)) * 8, "not a text file"),
        ("huge.txt", b"x" * (batch_input.MAX_UPLOAD_BYTES + 10), "files up to 5 MB"),
        ("poster.png", b"\x89PNG\r\n\x1a\n" + bytes(64), "is a .png file. Upload a .txt file"),  # no silent chip
    ],
)
def test_unusable_uploads_get_a_clear_message(runs_env, name, content, message):
    at = predict_page()
    at.segmented_control(key="predict_batch_source").set_value("Upload a file (.txt or .csv)").run()
    at.file_uploader(key="predict_batch_file_0").set_value((name, content, "application/octet-stream")).run()
    assert_clean(at)
    assert any(message in e.value for e in at.error), [e.value for e in at.error]
    # The refused file is gone from the uploader (a fresh one), so the next upload starts clean.
    assert at.file_uploader(key="predict_batch_file_1").value is None
    at.run()
    assert not at.error  # the message was shown once
    if name == "poster.png":  # and the next upload, a good one, shows no trace of it
        at.file_uploader(key="predict_batch_file_1").set_value(("ok.txt", b"Loved it.\nDull.\n", "text/plain")).run()
        assert not at.error and "2 reviews" in texts(at)


def test_no_runs_gives_a_friendly_message_and_a_link(data_env):
    at = predict_page()
    assert "No trained model yet" in texts(at)
    assert any(link.proto.page.endswith("train.py") or "train" in link.proto.page for link in at.get("page_link"))
    assert not at.text_area  # nothing to type into without a model


def test_predicting_needs_no_dataset(no_data_env, tiny_runs, monkeypatch):
    """A run carries its vocabulary: only the random test review needs the IMDB data."""
    monkeypatch.setenv("IMDB_LAB_RUNS", str(tiny_runs))
    at = type_review(predict_page(), "Great fun.")
    assert why_html(at)
    assert next(b for b in at.button if b.label == "Random test review").disabled


def test_the_web_server_never_imports_tensorflow(runs_env):
    """Scoring a review leaves Keras and TensorFlow out of the server process (a fresh interpreter here).

    Once ``keras`` is imported, Streamlit clears its session after every rerun of every
    page (145 ms each); the model lives in core.serving.service's child process instead.
    """
    steps = (
        "at.switch_page('pages/predict.py').run()\n"
        "at.text_area(key='predict_text').input('A wonderful film, I loved it.')\n"
        "next(b for b in at.button if b.label == 'Predict').click().run()\n"
        "assert [m for m in at.metric if m.label == 'Probability of positive']"
    )
    assert heavy_imports_of_a_fresh_server(steps) == []


def test_app_py_draws_nothing_when_a_spawned_process_reimports_it():
    """multiprocessing's spawn re-runs the main script (Streamlit installs app.py there) as __mp_main__."""
    code = (
        "import runpy, sys; runpy.run_path('app.py', run_name='__mp_main__')\n"
        "print('streamlit' in sys.modules, 'ui.shared.resources' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split() == ["False", "False"]
