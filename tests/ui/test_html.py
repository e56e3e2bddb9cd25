"""ui.shared.html: the token chips and the coloured words escape every piece of review text."""

from __future__ import annotations

import html
import re

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from core.encoding.model_input import encode_review
from core.text import tokenizer
from tests.ui.fakes import fake_explanation
from ui.shared import html as ui_html


def body_of(markup: str) -> str:
    """The coloured review's text: our tags removed, entities decoded."""
    inner = markup.split('<div class="lab-why">', 1)[1].rsplit("</div>", 1)[0]
    return html.unescape(re.sub(r"<[^>]*>", "", inner))


def test_coloured_words_escape_script_and_keep_the_text_between_words():
    review = 'Great <script>alert("x")</script> film,\n  not bad & "fun"!'
    markup = ui_html.contributions_html(fake_explanation(review, {"great": 0.3, "bad": -0.2}))
    assert "<script" not in markup.lower()
    assert "&lt;script&gt;" in markup
    assert body_of(markup) == review  # spaces, punctuation and the line break are all kept
    positive = re.search(r'style="background: rgba\(0, 114, 178, ([\d.]+)\)"[^>]*>Great<', markup)
    negative = re.search(r'style="background: rgba\(213, 94, 0, ([\d.]+)\)"[^>]*>bad<', markup)
    assert positive and negative and float(positive.group(1)) > float(negative.group(1))  # 0.3 beats -0.2


def test_cut_and_oov_words_are_marked_and_long_cut_runs_shortened():
    review = " ".join(f"w{i}" for i in range(200)) + " zyzzyva ending"
    explanation = fake_explanation(review, {"ending": 0.1}, cut_first=150, oov={"zyzzyva"})
    markup = ui_html.contributions_html(explanation, keep_cut=10)
    assert markup.count('class="w cut"') == 20  # the first and last 10 of the 150 cut words
    assert "130 more words cut off by truncation" in markup
    assert 'class="w oov"' in markup and "out of the vocabulary" in markup
    assert "cut off by truncation: the model never saw this word" in markup


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=200))
def test_any_text_comes_back_verbatim_and_never_as_markup(review):
    explanation = fake_explanation(review, {token: 0.1 for token in tokenizer.tokenize(review)[::2]})
    markup = ui_html.contributions_html(explanation)
    assert body_of(markup) == (review or "(no words)")
    inner = markup.split('<div class="lab-why">', 1)[1]
    # The only tags in the body are the helper's own spans.
    assert set(re.findall(r"<(/?[a-z]+)", inner)) <= {"span", "/span", "/div"}


def test_clipped_text_is_announced():
    markup = ui_html.contributions_html(fake_explanation("fine", clipped=12_345))
    assert "12,345 more characters not read" in markup


def test_strongest_contribution():
    explanation = fake_explanation("a b c", {"a": -0.005, "b": 0.01}, cut_first=0)
    assert ui_html.strongest_contribution(explanation.words) == pytest.approx(0.01)
    assert ui_html.strongest_contribution(fake_explanation("a", cut_first=1).words) == 0.0


def _opacity(markup: str, word: str) -> float:
    found = re.search(rf'style="background: rgba\([\d, ]+, ([\d.]+)\)"[^>]*>{word}<', markup)
    return float(found.group(1)) if found else 0.0


def test_one_fixed_scale_for_every_review():
    """-0.03 stays pale however weak the other words are; -0.37 is deeper; FULL_COLOUR is full strength."""
    alone = ui_html.contributions_html(fake_explanation("meh fine", {"meh": -0.03}))
    beside_strong = ui_html.contributions_html(fake_explanation("meh awful", {"meh": -0.03, "awful": -3.0}))
    assert _opacity(alone, "meh") == _opacity(beside_strong, "meh") < 0.2  # not stretched to full colour
    stronger = ui_html.contributions_html(fake_explanation("meh", {"meh": -0.37}))
    assert _opacity(stronger, "meh") > _opacity(alone, "meh")
    assert _opacity(beside_strong, "awful") == _opacity(
        ui_html.contributions_html(fake_explanation("awful", {"awful": -ui_html.FULL_COLOUR})), "awful"
    )
    legend = ui_html.legend_html()
    for step in ("-2", "-1", "-0.5", "0", "+0.5", "+1", "+2"):
        assert f">{step}</span>" in legend


def test_values_can_be_printed_under_the_words():
    explanation = fake_explanation("not bad at all", {"not": 1.234, "bad": -0.51})
    assert 'class="v"' not in ui_html.contributions_html(explanation)
    markup = ui_html.contributions_html(explanation, values=True)
    assert '<div class="lab-why values">' in markup
    assert 'not<span class="v">+1.23</span>' in markup and 'bad<span class="v">-0.51</span>' in markup


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(min_size=1, max_size=12), min_size=1, max_size=8))
def test_tokens_html_escapes_every_token(tokens):
    review = encode_review(tokens, np.arange(1, len(tokens) + 1), num_words=5, maxlen=3, truncating="pre")
    markup = ui_html.tokens_html(review)
    body = markup  # the stylesheet is assets/style.css now: the whole string is the body
    for token in tokens:
        assert html.escape(token) in body
    # Only our own tags survive: every '<' opens a span or div we wrote.
    assert set(re.findall(r"<\s*/?\s*([a-zA-Z]+)", body)) <= {"span", "div"}
    assert "<script" not in body.lower()


def test_tokens_html_neutralises_markup_in_review_text():
    review = encode_review(
        ['<img src=x onerror="alert(1)">', "ok"], np.array([0, 1]), num_words=100, maxlen=10, truncating="pre"
    )
    markup = ui_html.tokens_html(review)
    assert "<img" not in markup and "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in markup
