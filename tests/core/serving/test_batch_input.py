"""core.serving.batch_input: typed lines and uploaded .txt/.csv files become the reviews to score, or a clear refusal."""

from __future__ import annotations

import pytest

from core.serving import batch_input
from core.serving.batch_input import quoted


def test_typed_lines_skip_blank_ones():
    assert batch_input.lines_to_reviews("  good \n\n\t\nbad\r\n") == ["good", "bad"]


def test_csv_upload_picks_the_review_column():
    raw = ('id,rating,title,review\n1,9,Wow,"Loved it, truly."\n2,2,Meh,Boring and long\n3,5,Ok,\n').encode("utf-8-sig")
    parsed = batch_input.parse_upload("reviews.csv", raw)
    assert parsed.kind == "csv" and parsed.columns == ["review", "title"]
    rows = batch_input.rows_from_column(parsed.frame, "review")
    assert rows.texts == ["Loved it, truly.", "Boring and long"] and rows.skipped_empty == 1
    assert rows.frame["id"].tolist() == ["1", "2"] and rows.truth.tolist() == [1.0, 0.0]
    assert "rating" in rows.truth_source


def test_csv_with_other_separator_and_unnamed_text_column():
    raw = b"n;opinion of the film\n1;Great fun\n2;Dreadful\n"
    parsed = batch_input.parse_upload("x.CSV", raw)
    assert parsed.columns == ["opinion of the film"]


@pytest.mark.parametrize(
    "name, raw, message",
    [
        ("numbers.csv", b"id,rating\n1,9\n2,3\n", "no column of text"),
        ("header.csv", b"review\n", "no rows"),
        ("photo.txt", bytes(range(256)) * 4, "not a text file"),
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


@pytest.mark.parametrize(
    ("encoding", "label"),
    [
        ("utf-8-sig", "UTF-8 with BOM"),
        ("utf-16", "UTF-16 (Notepad)"),
        ("utf-16-le", "UTF-16 without BOM"),
        ("cp1252", "Excel"),
    ],
)
def test_files_as_excel_and_notepad_save_them(encoding, label):
    raw = "id,review,sentiment\r\n1,Café scène – “superb”,positive\r\n2,Dull ½ film,neg\r\n".encode(encoding)
    parsed = batch_input.parse_upload("export.csv", raw)
    rows = batch_input.rows_from_column(parsed.frame, "review")
    assert rows.texts == ["Café scène – “superb”", "Dull ½ film"], label
    assert rows.truth.tolist() == [1.0, 0.0] and "sentiment" in rows.truth_source
    assert parsed.encoding.replace("-sig", "").replace("-le", "") in {"utf-8", "utf-16", "cp1252"}


def test_no_truth_without_a_label_or_stars_column():
    frame = batch_input.parse_upload("x.csv", b"id,review,label\n1,Great,maybe\n").frame
    assert batch_input.truth_of(frame) == (None, "")


@pytest.mark.parametrize("name", ["poster.png", "reviews.xlsx", "no-extension", "x.<script>"])
def test_a_file_that_is_not_txt_or_csv_is_refused_by_name_with_what_to_upload(name):
    with pytest.raises(batch_input.BatchInputError, match=r"Upload a \.txt file .* or a \.csv file") as refused:
        batch_input.check_kind(name)
    assert "<script>" not in str(refused.value).replace(quoted(name), "")
    if name == "poster.png":
        assert "is a .png file" in str(refused.value)
    for fine in ("a.txt", "B.CSV"):
        batch_input.check_kind(fine)
