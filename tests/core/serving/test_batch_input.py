"""core.serving.batch_input: typed lines and uploaded .txt/.csv files become the reviews to score, or a clear refusal."""

from __future__ import annotations

import pytest

from core.serving import batch_input


def test_typed_lines_skip_blank_ones():
    assert batch_input.lines_to_reviews("  good \n\n\t\nbad\r\n") == ["good", "bad"]


def test_csv_upload_picks_the_review_column():
    raw = ('id,rating,title,review\n1,9,Wow,"Loved it, truly."\n2,2,Meh,Boring and long\n3,5,Ok,\n').encode("utf-8-sig")
    parsed = batch_input.parse_upload("reviews.csv", raw)
    assert parsed.kind == "csv" and parsed.columns == ["review", "title"]
    assert batch_input.reviews_in_column(parsed.frame, "review") == ["Loved it, truly.", "Boring and long"]


def test_csv_with_other_separator_and_unnamed_text_column():
    raw = b"n;opinion of the film\n1;Great fun\n2;Dreadful\n"
    parsed = batch_input.parse_upload("x.CSV", raw)
    assert parsed.columns == ["opinion of the film"]


@pytest.mark.parametrize(
    "name, raw, message",
    [
        ("numbers.csv", b"id,rating\n1,9\n2,3\n", "no column of text"),
        ("header.csv", b"review\n", "no rows"),
        ("photo.txt", bytes(range(256)) * 4, "not a UTF-8 text file"),
        ("nul.txt", b"good\x00film", "binary"),
        ("empty.txt", b"\n \n", "is empty"),
        ("big.txt", b"a" * (batch_input.MAX_UPLOAD_BYTES + 1), "files up to 5 MB"),
    ],
)
def test_unusable_uploads_are_refused_with_a_reason(name, raw, message):
    with pytest.raises(batch_input.BatchInputError, match=message):
        batch_input.parse_upload(name, raw)


def test_user_names_are_quoted_as_code_in_messages():
    assert batch_input.quoted("[x](http://e.vil) `a`") == "`[x](http://e.vil) 'a'`"
    assert batch_input.quoted("n" * 100).endswith("…`") and batch_input.quoted("") == "`(no name)`"
    with pytest.raises(batch_input.BatchInputError, match=r"^`!\[i\]\(http://e\.vil/p\.png\)\.txt` is empty"):
        batch_input.parse_upload("![i](http://e.vil/p.png).txt", b"\n")
