"""The registry: licenses, the evaluation-only policy, selecting and loading corpora by name."""

from __future__ import annotations

import pytest
from corpus_helpers import FIXTURES

from moderation.corpora import CORPORA, load_corpora, load_corpus
from moderation.errors import DataError


def test_corpora_without_a_license_are_evaluation_only():
    untrainable = {name for name, info in CORPORA.items() if not info.trainable}
    assert untrainable == {"pol4chan_antisemitism_le2021", "gab_hate_corpus_kennedy", "dynahate_devtest"}
    for info in CORPORA.values():
        assert info.license and info.citation and info.title


def test_trainable_only_leaves_out_unlicensed_corpora():
    sources = set(load_corpora(FIXTURES, trainable_only=True)["source"])
    assert sources == {name for name, info in CORPORA.items() if info.trainable}


def test_naming_an_unlicensed_corpus_for_training_is_refused():
    with pytest.raises(DataError, match="no usable license"):
        load_corpora(FIXTURES, ["davidson2017", "gab_hate_corpus_kennedy"], trainable_only=True)


def test_load_corpora_reports_progress_per_corpus_in_order():
    seen: list[str] = []
    dataset = load_corpora(FIXTURES, ["ethos", "davidson2017"], progress=seen.append)
    assert seen == ["ethos", "davidson2017"]
    assert list(dict.fromkeys(dataset["source"])) == ["ethos", "davidson2017"]


def test_load_corpora_skips_absent_folders_but_needs_at_least_one(tmp_path):
    with pytest.raises(DataError, match="no known corpus folder"):
        load_corpora(tmp_path)
    (tmp_path / "davidson2017").symlink_to(FIXTURES / "davidson2017")
    assert set(load_corpora(tmp_path)["source"]) == {"davidson2017"}


def test_corpus_errors_are_one_line_data_errors(tmp_path):
    with pytest.raises(DataError, match="unknown corpus 'nope'"):
        load_corpus("nope", FIXTURES)
    with pytest.raises(DataError, match="folder .* not found"):
        load_corpus("ethos", tmp_path)
    (tmp_path / "ethos").mkdir()
    with pytest.raises(DataError, match="missing file Ethos_Dataset_Binary.csv"):
        load_corpus("ethos", tmp_path)
    with pytest.raises(DataError, match="corpora root .* not found"):
        load_corpora(tmp_path / "absent")
