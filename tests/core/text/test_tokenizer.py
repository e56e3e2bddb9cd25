"""The tokenizer: one set of rules for training and typed text."""

from hypothesis import given, strategies as st

from core.text.tokenizer import tokenize, word_spans


def test_html_breaks_and_tags_become_spaces():
    assert tokenize("Good.<br /><br />Bad<br>ugly <i>fine</i>") == ["good", "bad", "ugly", "fine"]


def test_lowercase_punctuation_and_apostrophes():
    assert tokenize("It's NOT good -- 10/10, l’amour!") == ["it's", "not", "good", "10", "10", "l'amour"]


def test_invisible_characters_separate_words():
    # U+0085 (next line) occurs in IMDB; zero-width space and bidi marks must not glue words.
    assert tokenize("one\u0085two\u200bthree\u202efour\x00five") == ["one", "two", "three", "four", "five"]


def test_emoji_and_non_english():
    assert tokenize("Très bien 😀 映画 good") == ["très", "bien", "映画", "good"]


def test_spans_match_tokens():
    text = "Hello <b>WORLD</b>, it's İstanbul"
    assert [text[a:b].lower() for a, b in word_spans(text)] == tokenize(text)


@given(st.text(max_size=300))
def test_spans_and_tokens_always_agree(text):
    assert len(word_spans(text)) == len(tokenize(text))
