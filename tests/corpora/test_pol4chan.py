"""4chan /pol/: non-antisemitic rows have unknown hatefulness."""

from __future__ import annotations

from corpus_helpers import FIXTURES, labels_by_text

from moderation.corpora import load_corpus


def test_pol4chan_non_antisemitic_rows_have_unknown_hatefulness():
    rows = labels_by_text(load_corpus("pol4chan_antisemitism_le2021", FIXTURES))
    assert rows["the kikes run the banks"] == (1, 1, 0)  # in both official files, kept once
    assert rows["israel ."] == (-1, 0, -1)
    assert rows["nice weather anon"] == (-1, 0, -1)
    assert len(rows) == 3
