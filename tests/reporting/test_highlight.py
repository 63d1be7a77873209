"""Finding a reason's n-gram (from normalized text) in the comment as written."""

from moderation.reporting.highlight import find_spans, located, segments


def marked(text: str, ngrams: list[str]) -> list[str]:
    return [segment.text for segment in segments(text, ngrams) if segment.highlighted]


def test_word_ngrams_match_case_insensitively_on_word_boundaries():
    assert marked("The Banks and the banksters", ["banks"]) == ["Banks"]


def test_a_word_bigram_matches_across_punctuation_and_spacing():
    assert marked("they CONTROL,   the media", ["control the"]) == ["CONTROL,   the"]


def test_obfuscated_spellings_are_found_through_the_folded_copy():
    text = "The J3ws control everything"
    assert marked(text, ["jews control"]) == ["J3ws control"]


def test_char_ngrams_match_inside_words_and_respect_word_edge_padding():
    assert marked("those joos again", [" joo"]) == ["joo"]
    assert find_spans("kajoo", " joo") == []
    assert marked("kajoo", ["joo"]) == ["joo"]
    assert marked("the jews control", ["s co"]) == ["s co"]  # spans the gap between two words


def test_ngrams_that_cannot_be_found_leave_the_text_plain():
    text = "S e n d them back"
    assert marked(text, ["send them back", "xxurl", "", "   "]) == []
    assert "".join(segment.text for segment in segments(text, ["send them back"])) == text


def test_overlapping_matches_merge_and_remember_every_ngram():
    (segment,) = [
        s for s in segments("jews control banks", ["jews control", "control banks"]) if s.highlighted
    ]
    assert segment.text == "jews control banks"
    assert segment.ngrams == ("jews control", "control banks")


def test_segments_always_rebuild_the_original_text():
    text = "Ünïcödé İstanbul ﬁne — J3WS!!"
    rebuilt = "".join(segment.text for segment in segments(text, ["jews", "istanbul", "fine", "ode"]))
    assert rebuilt == text
    assert located(text, "jews")


def test_regex_metacharacters_in_ngrams_are_literal():
    assert marked("a (((name))) here", ["((("]) == ["((("]
    assert marked("cost $5.00", ["$5."]) == ["$5."]
    assert marked("nothing here", [".*"]) == []
