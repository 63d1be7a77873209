"""Where the corpora root is found."""

from __future__ import annotations

from moderation.corpora import default_corpora_root


def test_default_root_prefers_the_environment_variable(monkeypatch, tmp_path):
    monkeypatch.setenv("MODERATE_CORPORA", str(tmp_path))
    assert default_corpora_root() == tmp_path


def test_default_root_finds_shared_datasets_next_to_the_working_dir(monkeypatch, tmp_path):
    monkeypatch.delenv("MODERATE_CORPORA", raising=False)
    (tmp_path / "shared" / "datasets").mkdir(parents=True)
    (tmp_path / "checkout").mkdir()
    monkeypatch.chdir(tmp_path / "checkout")
    assert default_corpora_root() == (tmp_path / "shared" / "datasets").resolve()
