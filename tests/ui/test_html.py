"""ui.html: the token chips and the coloured words escape every piece of review text."""

from __future__ import annotations

import html
import re

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from core.encoding.model_input import encode_review
from core.text import tokenizer
from tests.ui.fakes import fake_explanation
from ui import html as ui_html


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
    green = re.search(r'style="background: rgba\(26, 152, 80, ([\d.]+)\)"[^>]*>Great<', markup)
    red = re.search(r'style="background: rgba\(215, 48, 39, ([\d.]+)\)"[^>]*>bad<', markup)
    assert green and red and float(green.group(1)) > float(red.group(1))  # 0.3 is stronger than -0.2


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


def test_strongest_contribution_and_colour_scale():
    explanation = fake_explanation("a b c", {"a": -0.005, "b": 0.01}, cut_first=0)
    assert ui_html.strongest_contribution(explanation.words) == pytest.approx(0.01)
    assert ui_html.contribution_scale(explanation.words) == ui_html.WEAK_CONTRIBUTION
    assert ui_html.strongest_contribution(fake_explanation("a", cut_first=1).words) == 0.0


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
