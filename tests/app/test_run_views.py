"""The pure helpers behind the Predict and Evaluate pages: escaping, batch input, tables, charts."""

from __future__ import annotations

import html
import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st

from core.text import tokenizer
from core.config import TrainConfig
from core.runs.evaluation import Evaluation, roc_curve
from core.serving.explain import Explanation, WordContribution
from pages import run_views


def fake_explanation(text: str, contributions: dict[str, float] | None = None, *, cut_first: int = 0,
                     oov: set[str] = frozenset(), clipped: int = 0, probability: float = 0.7) -> Explanation:
    """An Explanation as core.serving.explain builds it, without a model: spans from the real tokenizer."""
    contributions = contributions or {}
    words = []
    for i, (token, (start, end)) in enumerate(zip(tokenizer.tokenize(text), tokenizer.word_spans(text))):
        cut = i < cut_first
        words.append(WordContribution(word=token, start=start, end=end, oov=token in oov, truncated=cut,
                                      contribution=None if cut else contributions.get(token, 0.0)))
    return Explanation(probability=probability, words=words, text=text, clipped_chars=clipped)


def body_of(markup: str) -> str:
    """The coloured review's text: our tags removed, entities decoded."""
    inner = markup.split('<div class="lab-why">', 1)[1].rsplit("</div>", 1)[0]
    return html.unescape(re.sub(r"<[^>]*>", "", inner))


# ---------------------------------------------------------------- coloured words


def test_coloured_words_escape_script_and_keep_the_text_between_words():
    review = 'Great <script>alert("x")</script> film,\n  not bad & "fun"!'
    markup = run_views.contributions_html(fake_explanation(review, {"great": 0.3, "bad": -0.2}))
    assert "<script" not in markup.lower()
    assert "&lt;script&gt;" in markup
    assert body_of(markup) == review  # spaces, punctuation and the line break are all kept
    green = re.search(r'style="background: rgba\(26, 152, 80, ([\d.]+)\)"[^>]*>Great<', markup)
    red = re.search(r'style="background: rgba\(215, 48, 39, ([\d.]+)\)"[^>]*>bad<', markup)
    assert green and red and float(green.group(1)) > float(red.group(1))  # 0.3 is stronger than -0.2


def test_cut_and_oov_words_are_marked_and_long_cut_runs_shortened():
    review = " ".join(f"w{i}" for i in range(200)) + " zyzzyva ending"
    explanation = fake_explanation(review, {"ending": 0.1}, cut_first=150, oov={"zyzzyva"})
    markup = run_views.contributions_html(explanation, keep_cut=10)
    assert markup.count('class="w cut"') == 20  # the first and last 10 of the 150 cut words
    assert "130 more words cut off by truncation" in markup
    assert 'class="w oov"' in markup and "out of the vocabulary" in markup
    assert "cut off by truncation: the model never saw this word" in markup


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=200))
def test_any_text_comes_back_verbatim_and_never_as_markup(review):
    explanation = fake_explanation(review, {token: 0.1 for token in tokenizer.tokenize(review)[::2]})
    markup = run_views.contributions_html(explanation)
    assert body_of(markup) == (review or "(no words)")
    inner = markup.split('<div class="lab-why">', 1)[1]
    # The only tags in the body are the helper's own spans.
    assert set(re.findall(r"<(/?[a-z]+)", inner)) <= {"span", "/span", "/div"}


def test_clipped_text_is_announced():
    markup = run_views.contributions_html(fake_explanation("fine", clipped=12_345))
    assert "12,345 more characters not read" in markup


def test_top_words_sum_repeated_words_and_sort_by_strength():
    explanation = fake_explanation("good good bad meh", {"good": 0.1, "bad": -0.25, "meh": 0.01})
    table = run_views.top_words(explanation)
    assert table["word"].tolist()[:2] == ["bad", "good"]
    good = table.set_index("word").loc["good"]
    assert good["contribution"] == pytest.approx(0.2) and good["occurrences"] == 2
    assert run_views.top_words(fake_explanation("", {})).empty


def test_input_summary_and_truncation_sentence():
    explanation = fake_explanation("a b c d e qqq", cut_first=2, oov={"qqq"})
    summary = run_views.input_summary(explanation)
    assert (summary.words, summary.seen, summary.cut, summary.oov_words) == (6, 4, 2, ["qqq"])
    sentence = run_views.truncation_sentence(summary, maxlen=5, truncating="pre")
    assert "kept the last 4 of your 6 words" in sentence and "2 earlier ones" in sentence
    assert run_views.truncation_sentence(run_views.input_summary(fake_explanation("a b")), 5, "pre") is None
    assert run_views.code_list(["a`b", "c"], limit=1) == "`ab` and 1 more"


def test_verdict_and_probability_chart():
    assert run_views.verdict(0.93).label == "positive" and run_views.verdict(0.93).strength == "very confident"
    assert run_views.verdict(0.45).label == "negative" and run_views.verdict(0.45).strength == "unsure"
    assert run_views.verdict(0.5).confidence == 0
    spec = run_views.probability_chart({"run-a": 0.8, "run-b": 0.2}).to_dict()
    rows = next(iter(spec["datasets"].values()))
    assert [(r["run"], r["label"]) for r in rows] == [("run-a", "positive"), ("run-b", "negative")]


# ---------------------------------------------------------------- batch input


def test_typed_lines_skip_blank_ones():
    assert run_views.lines_to_reviews("  good \n\n\t\nbad\r\n") == ["good", "bad"]


def test_csv_upload_picks_the_review_column():
    raw = ("id,rating,title,review\n1,9,Wow,\"Loved it, truly.\"\n2,2,Meh,Boring and long\n3,5,Ok,\n"
           ).encode("utf-8-sig")
    parsed = run_views.parse_upload("reviews.csv", raw)
    assert parsed.kind == "csv" and parsed.columns == ["review", "title"]
    assert run_views.reviews_in_column(parsed.frame, "review") == ["Loved it, truly.", "Boring and long"]


def test_csv_with_other_separator_and_unnamed_text_column():
    raw = "n;opinion of the film\n1;Great fun\n2;Dreadful\n".encode()
    parsed = run_views.parse_upload("x.CSV", raw)
    assert parsed.columns == ["opinion of the film"]


@pytest.mark.parametrize("name, raw, message", [
    ("numbers.csv", b"id,rating\n1,9\n2,3\n", "no column of text"),
    ("header.csv", b"review\n", "no rows"),
    ("photo.txt", bytes(range(256)) * 4, "not a UTF-8 text file"),
    ("nul.txt", b"good\x00film", "binary"),
    ("empty.txt", b"\n \n", "is empty"),
    ("big.txt", b"a" * (run_views.MAX_UPLOAD_BYTES + 1), "files up to 5 MB"),
])
def test_unusable_uploads_are_refused_with_a_reason(name, raw, message):
    with pytest.raises(run_views.BatchInputError, match=message):
        run_views.parse_upload(name, raw)


def test_txt_upload_and_batch_table_csv():
    parsed = run_views.parse_upload("r.txt", "Très bien 👍\n\n<b>awful</b>\n".encode())
    assert parsed.lines == ["Très bien 👍", "<b>awful</b>"]
    table = run_views.batch_table(parsed.lines, [0.9, 0.2])
    assert table["label"].tolist() == ["positive", "negative"]
    assert table["confidence"].tolist() == pytest.approx([0.8, 0.6])
    back = pd.read_csv(pd.io.common.BytesIO(run_views.csv_bytes(table)), encoding="utf-8-sig")
    assert back["review"].tolist() == parsed.lines


# ---------------------------------------------------------------- evaluation views


def toy_evaluation() -> Evaluation:
    table = pd.DataFrame({"test_index": range(6), "review_id": range(6), "label": [1, 1, 1, 0, 0, 0],
                          "probability": [0.9, 0.8, 0.3, 0.2, 0.6, 0.1],
                          "tokens": [50, 150, 950, 60, 1500, 90]})
    table["correct"] = (table["probability"] >= 0.5) == (table["label"] == 1)
    return Evaluation("toy", table, {"accuracy": 4 / 6, "loss": 0.5, "count": 6, "auc": 0.8})


def test_confusion_chart_counts():
    rows = run_views.confusion_long(toy_evaluation().confusion())
    counts = {(r.true, r.predicted): r.reviews for r in rows.itertuples()}
    assert counts == {("negative", "negative"): 2, ("negative", "positive"): 1,
                      ("positive", "negative"): 1, ("positive", "positive"): 2}
    spec = run_views.confusion_chart(toy_evaluation().confusion()).to_dict()
    assert {layer["mark"]["type"] for layer in spec["layer"]} == {"rect", "text"}


def test_roc_chart_has_the_auc_in_its_title_and_a_thinned_curve():
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 2, 5000)
    roc, auc = roc_curve(labels, rng.random(5000))
    thinned = run_views.thin_curve(roc, 300)
    assert len(thinned) <= 301 and thinned.iloc[-1].tolist() == roc.iloc[-1].tolist()
    assert f"AUC {auc:.3f}" in run_views.roc_chart(roc, auc).to_dict()["title"]


def test_length_bands_keep_their_own_bounds_even_with_missing_bands():
    # Bands 201-800 have no review here: the flags must still follow each band's own bounds.
    by_length = toy_evaluation().accuracy_by_length(300)
    bands = run_views.length_bands(by_length, maxlen=300)
    assert bands["band"].tolist() == ["1-100", "101-200", "801-1,200", "1,201+"]
    assert bands["reads"].tolist() == ["whole or partly cut"] * 2 + ["truncated (longer than maxlen)"] * 2
    sentence = run_views.length_sentence(by_length, 300)
    assert "0.0% of them right against 100.0%" in sentence and "harder" in sentence
    assert "nothing was truncated" in run_views.length_sentence(toy_evaluation().accuracy_by_length(5000), 5000)
    assert run_views.length_chart(by_length, 300, 0.6).to_dict()["layer"][0]["mark"]["type"] == "bar"


def test_review_for_display_and_mistake_title():
    assert run_views.review_for_display("One.<br /><br />Two<BR>") == "One.\n\nTwo\n"
    row = toy_evaluation().confident_mistakes(1).iloc[0]
    assert run_views.mistake_title(row).startswith("True positive, predicted negative (p = 0.300) · 950 tokens")


class _Run:
    """The RunInfo fields runs_table reads."""

    def __init__(self, run_id, accuracy, partial=False):
        self.run_id, self.preset, self.partial = run_id, None, partial
        self.test_metrics = {"accuracy": accuracy, "loss": 0.5, "count": 200}
        self.epochs_trained, self.best_epoch, self.train_seconds = 2, 1, 12.34
        self.samples_per_second, self.created = 456.7, 1_700_000_000.0
        self.config = TrainConfig(units=8)


def test_runs_table_has_metrics_and_every_config_field():
    table = run_views.runs_table([_Run("a", 0.8), _Run("b", 0.7, partial=True)])
    assert table["run"].tolist() == ["a", "b"] and table["partial"].tolist() == [False, True]
    assert set(TrainConfig().to_dict()) <= set(table.columns)
    assert table.loc[0, "units"] == 8 and table.loc[0, "preset"] == "custom"


def test_history_curves_and_csv():
    history = {"epochs": [{"epoch": 1, "loss": 0.6, "accuracy": 0.7, "val_loss": 0.5, "val_accuracy": 0.75},
                          {"epoch": 2, "loss": 0.4, "accuracy": 0.8, "val_loss": float("nan"), "val_accuracy": 0.8}],
               "batches": [{"step": 1, "epoch": 1, "batch": 1, "loss": 0.7, "accuracy": 0.5}]}
    curves = run_views.history_curves({"run-a": history, "run-b": {"epochs": [], "batches": []}})
    assert set(curves["run"]) == {"run-a"} and len(curves) == 7  # the NaN validation loss is left out
    spec = run_views.curves_chart(curves, "loss").to_dict()
    assert spec["encoding"]["strokeDash"]["field"] == "split"
    rows = pd.read_csv(pd.io.common.BytesIO(run_views.history_csv(history)))
    assert rows["kind"].tolist() == ["epoch", "epoch", "batch"]
    assert list(rows.columns[:4]) == ["kind", "epoch", "batch", "step"]


def test_user_names_are_quoted_as_code_in_messages():
    assert run_views.quoted("[x](http://e.vil) `a`") == "`[x](http://e.vil) 'a'`"
    assert run_views.quoted("n" * 100).endswith("…`") and run_views.quoted("") == "`(no name)`"
    with pytest.raises(run_views.BatchInputError, match=r"^`!\[i\]\(http://e\.vil/p\.png\)\.txt` is empty"):
        run_views.parse_upload("![i](http://e.vil/p.png).txt", b"\n")


def test_strongest_contribution_and_colour_scale():
    explanation = fake_explanation("a b c", {"a": -0.005, "b": 0.01}, cut_first=0)
    assert run_views.strongest_contribution(explanation.words) == pytest.approx(0.01)
    assert run_views.contribution_scale(explanation.words) == run_views.WEAK_CONTRIBUTION
    assert run_views.strongest_contribution(fake_explanation("a", cut_first=1).words) == 0.0
