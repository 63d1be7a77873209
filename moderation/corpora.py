"""The labelled set: the public corpora and the project's own data in one schema, with the project's split.

Every row, whatever its origin, becomes::

    text         str   the corpus text field, stripped of surrounding whitespace (otherwise verbatim)
    hateful      int8  1, 0, or -1 = unknown
    antisemitic  int8  1, 0, or -1 = unknown
    offensive    int8  1, 0, or -1 = unknown
    source       str   corpus folder name, "in_domain", or a labelled file's stem
    split        str   "train", "dev" or "test" by :func:`split_of`
    target       str   the targeted group(s) where the corpus names them ("; "-joined, lower case), else ""

Unknown (-1) is never 0: training masks it. The label notes of ``../shared/datasets/README.md`` decide each
mapping; each loader's docstring records how. Rules applied to every corpus row after its loader mapped it:

* ``antisemitic`` implies ``hateful``: antisemitic 1 forces hateful 1.
* A non-hateful row is not antisemitic: hateful 0 forces antisemitic 0.
* ``offensive`` means abusive *but not identity hate* (see :mod:`moderation.types`), so hateful 1 forces
  offensive 0. The corpora with three-way classes (Davidson, HateXplain) say the same by construction.

Exact duplicate texts within a corpus are merged into one row. The split is a function of the text, so this is
the same as dropping duplicates within a (corpus, split). Each label of the merged row is the maximum of its
copies: 1 if any copy says 1, else 0 if any says 0, else -1. Disagreeing copies are thereby resolved towards
"flag it" (a corpus that labelled the same text both ways has at least one annotator who saw hate in it), and
the rules above are applied again after merging.

The registry :data:`CORPORA` holds each corpus's license; ``trainable=False`` marks corpora with no stated
license, usable for evaluation only and never in a shipped model. Everything is read from local files with
pandas and turned into in-memory :class:`datasets.Dataset` objects, so nothing touches the network or the
Hugging Face cache.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import math
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import datasets
import numpy as np
import pandas as pd

from moderation.errors import DataError
from moderation.types import LABELS

UNKNOWN = -1
SPLITS: tuple[str, ...] = ("train", "dev", "test")
COLUMNS: tuple[str, ...] = ("text", *LABELS, "source", "split", "target")
FEATURES = datasets.Features(
    {
        "text": datasets.Value("string"),
        **{label: datasets.Value("int8") for label in LABELS},
        "source": datasets.Value("string"),
        "split": datasets.Value("string"),
        "target": datasets.Value("string"),
    }
)
CORPORA_ENV = "MODERATE_CORPORA"

#: Words that show a text is about Jews or Israel. Used only to avoid asserting "not antisemitic" on a hateful
#: row whose corpus target column may have missed the Jewish target (the keyword list of the datasets README).
JEWISH_KEYWORDS = re.compile(
    r"\b(?:jew|juda|zion|israel|semit|antisemit|anti-semit|kike|holocaust|zog\b|yid|heeb|shekel|goy|hebrew)",
    re.IGNORECASE,
)
#: A target description naming Jews (implicit-hate stage 3 targets are free text).
JEWISH_TARGET = re.compile(r"jew|juda|zion|israel|semit|hebrew", re.IGNORECASE)
_UNSPECIFIED_TARGET = re.compile(
    r"not specified|no specific|unspecified|unknown|^none$|^n/?a$", re.IGNORECASE
)


def split_of(text: str) -> str:
    """The project's split for a text: SHA-1 of the stripped UTF-8 text, first 8 hex digits as int, mod 100.

    Below 20 is "test", 20 to 29 "dev", the rest "train". Identical texts land in the same split everywhere.
    """
    bucket = int(hashlib.sha1(text.strip().encode("utf-8")).hexdigest()[:8], 16) % 100
    if bucket < 20:
        return "test"
    if bucket < 30:
        return "dev"
    return "train"


@dataclass(frozen=True)
class CorpusInfo:
    """A corpus folder under the corpora root and what may be done with it."""

    name: str
    """Folder name under the corpora root, and the ``source`` of its rows."""
    title: str
    license: str
    citation: str
    trainable: bool
    """False when no license is stated: evaluation only, never in a shipped model."""
    loader: Callable[[Path], pd.DataFrame]
    """Reads the corpus folder into mapped rows (``text``, labels, ``target``), before split and dedupe."""


# ---------------------------------------------------------------------------------------------------------
# Reading files


def _require(folder: Path, filename: str) -> Path:
    path = folder / filename
    if not path.is_file():
        raise DataError(f"corpus {folder.name}: missing file {filename} in {folder}")
    return path


def _read_table(path: Path, *, sep: str = ",", columns: Iterable[str] = (), **options) -> pd.DataFrame:
    """A delimited file read with a real CSV parser (quoted fields may span lines), checked for columns."""
    try:
        frame = pd.read_csv(path, sep=sep, encoding="utf-8", **options)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError, ValueError) as error:
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise DataError(f"{path}: cannot be read as a table ({first_line})") from None
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise DataError(f"{path}: missing column(s) {', '.join(missing)}")
    return frame


def _rows(text, hateful, antisemitic, offensive, target="", **attributes) -> pd.DataFrame:
    """Assemble mapped rows; scalars broadcast over the text column. Attribute labels (toxicity, insult,
    threat, profanity) not given are unknown here and filled by implication in :func:`_apply_implications`."""
    text = pd.Series(text, dtype=object).reset_index(drop=True)
    frame = pd.DataFrame({"text": text})
    given = {"hateful": hateful, "antisemitic": antisemitic, "offensive": offensive}
    for name in LABELS:
        values = attributes.get(name, given.get(name, UNKNOWN))
        frame[name] = np.asarray(values, dtype=np.int8) if not np.isscalar(values) else np.int8(values)
    frame["target"] = np.asarray(target, dtype=object) if not isinstance(target, str) else target
    return frame


def _strings(values: pd.Series) -> pd.Series:
    """A column as str, with missing values as ""."""
    return values.astype(object).where(values.notna(), "").astype(str)


def _where(condition, yes, no) -> np.ndarray:
    return np.where(np.asarray(condition, dtype=bool), yes, no).astype(np.int8)


# ---------------------------------------------------------------------------------------------------------
# One loader per corpus folder


def load_davidson(folder: Path) -> pd.DataFrame:
    """Davidson et al. 2017 (``labeled_data.csv``, multi-line tweets): the majority ``class`` decides.

    * class 0 "hate speech": hateful 1, antisemitic -1 (no target column), offensive 0 (hate, not mere abuse).
    * class 1 "offensive language": hateful 0, antisemitic 0, offensive 1.
    * class 2 "neither": 0, 0, 0.
    """
    frame = _read_table(_require(folder, "labeled_data.csv"), columns=("class", "tweet"))
    label = frame["class"].to_numpy()
    if not np.isin(label, (0, 1, 2)).all():
        raise DataError(f"corpus {folder.name}: class must be 0, 1 or 2")
    return _rows(
        frame["tweet"],
        hateful=_where(label == 0, 1, 0),
        antisemitic=_where(label == 0, UNKNOWN, 0),
        offensive=_where(label == 1, 1, 0),
    )


def load_isca(folder: Path) -> pd.DataFrame:
    """ISCA "Antisemitism on Twitter" gold standard 2024 (``GoldStandard2024.csv``, multi-line tweets).

    Every tweet was sampled by a Jewish/Israel keyword and annotated for antisemitism (IHRA).

    * Biased 1: antisemitic 1, hateful 1, offensive 0, target "jews".
    * Biased 0: antisemitic 0 and hateful 0. Hateful 0 is a judgement call: the annotators only asked "is it
      antisemitic", but these are tweets about Jews and Israel that experts read as not hostile to Jews,
      nearly all news, religion, politics and counter-speech (a slur search finds ~50 of 9,358, mostly
      quoting). They are the best examples of non-hateful mentions of Jews; the rare tweet hostile to another
      group is noise.
      offensive -1 (not annotated; some are profane).

    The text is kept as stored: line breaks appear as a literal backslash-n, and some tweets carry mojibake.
    """
    frame = _read_table(
        _require(folder, "GoldStandard2024.csv"), columns=("Biased", "Text"), dtype={"ID": str}
    )
    biased = frame["Biased"].to_numpy()
    if not np.isin(biased, (0, 1)).all():
        raise DataError(f"corpus {folder.name}: Biased must be 0 or 1")
    return _rows(
        frame["Text"],
        hateful=biased,
        antisemitic=biased,
        offensive=_where(biased == 1, 0, UNKNOWN),
        target=np.where(biased == 1, "jews", ""),
    )


def load_pol4chan(folder: Path) -> pd.DataFrame:
    """4chan /pol/ antisemitism subset (Le 2021): ``data_train.csv`` + ``data_test.csv``, one annotator.

    The official train/test files are concatenated; the project's split rule re-splits them (23 texts sit in
    both files; dedupe merges them). No license: evaluation only.

    * label 1: antisemitic 1, hateful 1, offensive 0, target "jews".
    * label 0: antisemitic 0, hateful -1 (/pol/ comments not antisemitic are often hateful to other groups),
      offensive -1.
    """
    parts = [
        _read_table(_require(folder, name), columns=("text", "label"))
        for name in ("data_train.csv", "data_test.csv")
    ]
    frame = pd.concat(parts, ignore_index=True)
    label = frame["label"].to_numpy()
    if not np.isin(label, (0, 1)).all():
        raise DataError(f"corpus {folder.name}: label must be 0 or 1")
    return _rows(
        frame["text"],
        hateful=_where(label == 1, 1, UNKNOWN),
        antisemitic=label,
        offensive=_where(label == 1, 0, UNKNOWN),
        target=np.where(label == 1, "jews", ""),
    )


_HATEXPLAIN_TARGETS = {
    "Race": "No_race",
    "Religion": "Nonreligious",
    "Gender": "No_gender",
    "Sexual Orientation": "No_orientation",
    "Miscellaneous": "",
}


def load_hatexplain(folder: Path) -> pd.DataFrame:
    """HateXplain, derived flat copy (``final_hateXplain.csv``): one label per post, target columns.

    * hatespeech: hateful 1, offensive 0; antisemitic 1 when ``Religion`` is ``Jewish``. Otherwise 0, except
      -1 when the text uses Jewish/Israel keywords: the copy aggregated the annotators' targets by an unknown
      rule and keeps one value per category, and such posts are often antisemitic as well as hostile to the
      group that was kept ("...jews paying sand niggers...", Religion=Islam).
    * offensive: hateful 0, antisemitic 0, offensive 1 (Religion=Jewish offensive posts stay 0: the annotators
      judged them not hate, and a non-hateful row is not antisemitic).
    * normal: 0, 0, 0.
    * target: the non-default target columns, e.g. "african; jewish".
    """
    frame = _read_table(
        _require(folder, "final_hateXplain.csv"),
        columns=("comment", "label", *_HATEXPLAIN_TARGETS),
        keep_default_na=False,
    )
    label = frame["label"].to_numpy()
    unexpected = sorted(set(label) - {"hatespeech", "offensive", "normal"})
    if unexpected:
        raise DataError(f"corpus {folder.name}: unexpected label(s) {', '.join(map(str, unexpected))}")
    hateful = label == "hatespeech"
    jewish_target = (frame["Religion"] == "Jewish").to_numpy()
    mentions_jews = frame["comment"].str.contains(JEWISH_KEYWORDS).to_numpy()
    antisemitic = np.select([~hateful, jewish_target, mentions_jews], [0, 1, UNKNOWN], default=0).astype(
        np.int8
    )
    defaults = list(_HATEXPLAIN_TARGETS.values())
    targets = [
        "; ".join(
            str(value).strip().lower()
            for value, default in zip(row, defaults, strict=True)
            if str(value).strip() and str(value).strip() not in (default, "None")
        )
        for row in zip(*(frame[column] for column in _HATEXPLAIN_TARGETS), strict=True)
    ]
    return _rows(
        frame["comment"],
        hateful=hateful.astype(np.int8),
        antisemitic=antisemitic,
        offensive=_where(label == "offensive", 1, 0),
        target=np.asarray(targets, dtype=object),
    )


def load_implicit_hate(folder: Path) -> pd.DataFrame:
    """Latent Hatred (ElSherief et al. 2021): stage 1 labels, stage 3 targets joined on the post text.

    * implicit_hate / explicit_hate: hateful 1, offensive 0. antisemitic 1 when a stage 3 target of the post
      names Jews (jew|juda|zion|israel|semit|hebrew), 0 when stage 3 names only other targets, -1 when the
      post has no stage 3 row (all explicit posts, some implicit ones) or its target is "not specified".
    * not_hate: hateful 0, antisemitic 0, offensive -1 (not annotated).
    * target: the stage 3 target(s), lower case.
    """
    stage1 = _read_table(
        _require(folder, "implicit_hate_v1_stg1_posts.tsv"), sep="\t", columns=("post", "class")
    )
    stage3 = _read_table(
        _require(folder, "implicit_hate_v1_stg3_posts.tsv"), sep="\t", columns=("post", "target")
    )
    label = stage1["class"].to_numpy()
    unexpected = sorted(set(label) - {"implicit_hate", "explicit_hate", "not_hate"})
    if unexpected:
        raise DataError(f"corpus {folder.name}: unexpected class(es) {', '.join(map(str, unexpected))}")

    stage3 = stage3.dropna(subset=["post", "target"])
    stage3_target = stage3["target"].astype(str).str.strip().str.lower().str.rstrip(".")
    specified = ~stage3_target.str.contains(_UNSPECIFIED_TARGET) & (stage3_target != "")
    by_post: dict[str, tuple[bool, list[str]]] = {}
    for post, target, named in zip(
        stage3["post"].astype(str).str.strip(), stage3_target, specified, strict=True
    ):
        names_jews, targets = by_post.get(post, (False, []))
        if named:
            names_jews = names_jews or bool(JEWISH_TARGET.search(target))
            if target not in targets:
                targets = [*targets, target]
        by_post[post] = (names_jews, targets)

    hateful = label != "not_hate"
    antisemitic = np.empty(len(stage1), dtype=np.int8)
    targets_out = []
    for i, (post, is_hateful) in enumerate(zip(stage1["post"].astype(str).str.strip(), hateful, strict=True)):
        names_jews, targets = by_post.get(post, (False, []))
        targets_out.append("; ".join(targets))
        if not is_hateful:
            antisemitic[i] = 0
        elif names_jews:
            antisemitic[i] = 1
        elif targets:
            antisemitic[i] = 0
        else:
            antisemitic[i] = UNKNOWN
    return _rows(
        stage1["post"],
        hateful=hateful.astype(np.int8),
        antisemitic=antisemitic,
        offensive=_where(hateful, 0, UNKNOWN),
        target=np.asarray(targets_out, dtype=object),
    )


def load_gab(folder: Path) -> pd.DataFrame:
    """Gab Hate Corpus (Kennedy et al.): ``ghc_train.tsv`` + ``ghc_test.tsv``, majority-vote hd/cv/vo.

    The given train/test split is not used; the project's split rule re-splits the union. This copy states no
    license: evaluation only.

    * hd (assault on human dignity) or cv (call for violence): hateful 1, antisemitic -1 (no target columns in
      this copy), offensive 0 (hate, whatever vo says).
    * otherwise: hateful 0, antisemitic 0, offensive = vo.
    """
    parts = [
        _read_table(_require(folder, name), sep="\t", columns=("text", "hd", "cv", "vo"))
        for name in ("ghc_train.tsv", "ghc_test.tsv")
    ]
    frame = pd.concat(parts, ignore_index=True)
    for column in ("hd", "cv", "vo"):
        if not frame[column].isin((0, 1)).all():
            raise DataError(f"corpus {folder.name}: {column} must be 0 or 1")
    hateful = ((frame["hd"] == 1) | (frame["cv"] == 1)).to_numpy()
    return _rows(
        frame["text"],
        hateful=hateful.astype(np.int8),
        antisemitic=_where(hateful, UNKNOWN, 0),
        offensive=_where(hateful, 0, frame["vo"].to_numpy()),
    )


_STORMFRONT_LABELS = {"hate", "noHate", "relation", "idk/skip"}


def load_stormfront(folder: Path) -> pd.DataFrame:
    """Stormfront sentences (de Gibert et al. 2018): ``stormfront_sentences.csv``, one sentence per row.

    * hate: hateful 1, antisemitic -1 (no target column), offensive 0.
    * noHate: hateful 0, antisemitic 0, offensive -1 (not annotated).
    * relation (hateful only together with neighbouring sentences) and idk/skip: dropped. Alone, a relation
      sentence is not hate, yet labelling it 0 would contradict the annotators.
    """
    frame = _read_table(
        _require(folder, "stormfront_sentences.csv"), columns=("text", "label"), keep_default_na=False
    )
    unexpected = sorted(set(frame["label"]) - _STORMFRONT_LABELS)
    if unexpected:
        raise DataError(f"corpus {folder.name}: unexpected label(s) {', '.join(unexpected)}")
    frame = frame[frame["label"].isin(("hate", "noHate"))]
    hateful = (frame["label"] == "hate").to_numpy()
    return _rows(
        frame["text"],
        hateful=hateful.astype(np.int8),
        antisemitic=_where(hateful, UNKNOWN, 0),
        offensive=_where(hateful, 0, UNKNOWN),
    )


_ETHOS_TARGETS = ("gender", "race", "national_origin", "disability", "religion", "sexual_orientation")
_ETHOS_COULD_BE_JEWS = ("race", "national_origin", "religion")


def load_ethos(folder: Path) -> pd.DataFrame:
    """ETHOS (Mollas et al. 2022): ``Ethos_Dataset_Binary.csv`` labels, ``*_Multi_Label.csv`` targets (``;``).

    * isHate >= 0.5 (the fraction of annotators): hateful 1, offensive 0. antisemitic -1, except 0 when the
      multi-label file (joined on the text) gives targets and none of them could cover Jews (race, national
      origin, religion all < 0.5) and the text has no Jewish/Israel keyword.
    * isHate < 0.5: hateful 0, antisemitic 0, offensive -1 (not annotated).
    * target: multi-label categories >= 0.5, e.g. "gender; disability".
    """
    binary = _read_table(_require(folder, "Ethos_Dataset_Binary.csv"), sep=";", columns=("comment", "isHate"))
    multi = _read_table(
        _require(folder, "Ethos_Dataset_Multi_Label.csv"), sep=";", columns=("comment", *_ETHOS_TARGETS)
    )
    multi = multi.assign(key=multi["comment"].astype(str).str.strip()).drop_duplicates("key").set_index("key")
    hateful = (binary["isHate"].astype(float) >= 0.5).to_numpy()
    keys = binary["comment"].astype(str).str.strip()
    known = keys.isin(multi.index).to_numpy()
    matched = multi.reindex(keys)
    could_be_jews = (matched[list(_ETHOS_COULD_BE_JEWS)].astype(float) >= 0.5).any(axis=1).to_numpy()
    mentions_jews = keys.str.contains(JEWISH_KEYWORDS).to_numpy()
    antisemitic = np.select(
        [~hateful, known & ~could_be_jews & ~mentions_jews], [0, 0], default=UNKNOWN
    ).astype(np.int8)
    flags = matched[list(_ETHOS_TARGETS)].astype(float) >= 0.5
    targets = [
        "; ".join(name for name, on in zip(_ETHOS_TARGETS, row, strict=True) if on) if hit else ""
        for row, hit in zip(flags.itertuples(index=False), known, strict=True)
    ]
    return _rows(
        binary["comment"],
        hateful=hateful.astype(np.int8),
        antisemitic=antisemitic,
        offensive=_where(hateful, 0, UNKNOWN),
        target=np.asarray(targets, dtype=object),
    )


def _toxigen_from_prompts(folder: Path) -> pd.DataFrame:
    """The seed sentences rebuilt from ``prompts/<hate|neutral>_<group>_1k.txt.gz`` as SOURCE.md describes."""
    rows: dict[tuple[str, str, str], None] = {}
    prompt_files = sorted((folder / "prompts").glob("*_1k.txt.gz"))
    if not prompt_files:
        raise DataError(
            f"corpus {folder.name}: missing toxigen_prompt_sentences_dedup.csv and prompts/*.txt.gz"
        )
    for path in prompt_files:
        label, _, group = path.name.removesuffix("_1k.txt.gz").partition("_")
        with gzip.open(path, "rt", encoding="utf-8") as lines:
            for line in lines:
                for part in line.rstrip("\n").split("\\n-"):
                    sentence = part.strip().removeprefix("- ").strip()
                    if sentence:
                        rows[(sentence, group, label)] = None
    return pd.DataFrame(list(rows), columns=["text", "target_group", "label"])


def load_toxigen(folder: Path) -> pd.DataFrame:
    """ToxiGen human-written seed sentences: ``toxigen_prompt_sentences_dedup.csv`` (else the gzip prompts).

    * hate_<group>: hateful 1, antisemitic 1 when the group is ``jewish`` else 0, offensive 0.
    * neutral_<group>: 0, 0, 0 (author-curated benign statements about the group).
    * target: the group. A sentence used for several groups is merged by dedupe (targets joined).
    """
    csv_path = folder / "toxigen_prompt_sentences_dedup.csv"
    if csv_path.is_file():
        frame = _read_table(csv_path, columns=("text", "target_group", "label"), keep_default_na=False)
    else:
        frame = _toxigen_from_prompts(folder)
    unexpected = sorted(set(frame["label"]) - {"hate", "neutral"})
    if unexpected:
        raise DataError(f"corpus {folder.name}: unexpected label(s) {', '.join(unexpected)}")
    hateful = (frame["label"] == "hate").to_numpy()
    group = frame["target_group"].astype(str).str.strip().str.lower()
    return _rows(
        frame["text"],
        hateful=hateful.astype(np.int8),
        antisemitic=_where(hateful & (group == "jewish").to_numpy(), 1, 0),
        offensive=0,
        target=group.to_numpy(dtype=object),
    )


_SPAN_TYPES = {
    "hateful": "Identity based Attack",
    "insult": "Insult",
    "threat": "Threat",
    "profanity": "Profane/Obscene",
}


def load_toxic_spans(folder: Path) -> pd.DataFrame:
    """ToxicSpans (Civil Comments posts from ~50 news sites, CC0): per-post labels from the span raters.

    Every post had been rated toxic in Civil Comments; 3 to 7 span raters then marked and typed what was
    toxic, or ticked "not toxic". Per post, with n raters and "majority" meaning more than n / 2:

    * toxicity: 0 when a majority ticked "not toxic", else 1 (these are the corpus's weak negatives).
    * hateful: 1 when a majority marked an "Identity based Attack" span, -1 when only a minority did (the
      raters disagree: neither taught nor counted), else 0. antisemitic: 0, except -1 for a hateful post that
      mentions Jews (no target labels: only reading it could tell).
    * insult, threat, profanity: 1 when a majority marked a span of that type, else 0.
    * offensive: toxic without identity attack (1), not toxic (0), and -1 where hateful is unknown.
    """
    comments = _read_table(_require(folder, "comments.csv"), columns=("comment_id", "comment_text"))
    raters = _read_table(
        _require(folder, "annotations.csv"), columns=("annotation", "comment_id", "not toxic")
    )
    spans = _read_table(_require(folder, "spans.csv"), columns=("annotation", "type"))
    raters["not toxic"] = raters["not toxic"].astype(str).str.lower() == "true"
    per_post = raters.groupby("comment_id").agg(raters=("annotation", "size"), not_toxic=("not toxic", "sum"))
    typed = spans.merge(raters[["annotation", "comment_id"]], on="annotation")
    frame = comments.join(per_post, on="comment_id", how="inner")
    majority = frame["raters"].to_numpy() / 2.0
    marked = {}
    for label, span_type in _SPAN_TYPES.items():
        # Raters (not spans) who marked at least one span of this type in the post.
        who = typed[typed["type"] == span_type].drop_duplicates("annotation").groupby("comment_id").size()
        marked[label] = frame["comment_id"].map(who).fillna(0).to_numpy()
    toxic = frame["not_toxic"].to_numpy() <= majority
    identity = marked["hateful"]
    hateful = np.select([identity > majority, identity > 0], [1, UNKNOWN], default=0).astype(np.int8)
    mentions_jews = frame["comment_text"].astype(str).str.contains(JEWISH_KEYWORDS).to_numpy()
    return _rows(
        frame["comment_text"],
        hateful=hateful,
        antisemitic=_where((hateful == 1) & mentions_jews, UNKNOWN, 0),
        offensive=np.select([hateful == UNKNOWN, toxic & (hateful == 0)], [UNKNOWN, 1], default=0),
        toxicity=_where(toxic, 1, 0),
        **{label: _where(marked[label] > majority, 1, 0) for label in ("insult", "threat", "profanity")},
    )


def load_dynahate(folder: Path) -> pd.DataFrame:
    """DynaHate (Vidgen et al. 2021), official dev and test splits only: adversarial statements written to
    fool models. No license: evaluation only, and it never enters training or tuning.

    * hate: hateful 1, antisemitic 1 when ``target`` names Jews ("jew"), else -1 (round 1 has no target)
      or 0; offensive 0.
    * nothate: 0, 0, offensive -1 (not annotated).
    """
    frame = pd.concat(
        [
            _read_table(_require(folder, name), columns=("text", "label", "target"))
            for name in ("dev.csv", "test.csv")
        ],
        ignore_index=True,
    )
    unexpected = sorted(set(frame["label"]) - {"hate", "nothate"})
    if unexpected:
        raise DataError(f"corpus {folder.name}: unexpected label(s) {', '.join(map(str, unexpected))}")
    hateful = (frame["label"] == "hate").to_numpy()
    target = _strings(frame["target"]).str.strip().str.lower()
    jewish = target.str.contains("jew").to_numpy()
    unknown_target = target.isin(["notgiven", "", "none"]).to_numpy()
    return _rows(
        frame["text"],
        hateful=hateful.astype(np.int8),
        antisemitic=np.select([~hateful, jewish, unknown_target], [0, 1, UNKNOWN], default=0),
        offensive=_where(hateful, 0, UNKNOWN),
        target=target.to_numpy(dtype=object),
    )


CORPORA: dict[str, CorpusInfo] = {
    info.name: info
    for info in (
        CorpusInfo(
            name="isca_antisemitism_twitter",
            title="ISCA Antisemitism on Twitter gold standard 2024 (Jikeli et al.)",
            license="CC BY 4.0 (2023 release; verify the 2024 release on Zenodo 14448399)",
            citation="Jikeli, G., Karali, S., Miehling, D., Soemer, K. (2023). Antisemitic Messages? A Guide "
            "to High-Quality Annotation and a Labeled Dataset of Tweets. arXiv:2304.14599.",
            trainable=True,
            loader=load_isca,
        ),
        CorpusInfo(
            name="pol4chan_antisemitism_le2021",
            title="4chan /pol/ antisemitism labelled subset (Le 2021, bachelor's thesis)",
            license="none stated (all rights reserved): evaluation only",
            citation="Le, N. (2021). antisemitism-detector, bachelor's thesis repository, "
            "github.com/Nicolas-le/antisemitism-detector.",
            trainable=False,
            loader=load_pol4chan,
        ),
        CorpusInfo(
            name="hatexplain_kaggle_derived",
            title="HateXplain, flat derived CSV (Kaggle re-release)",
            license="MIT (upstream repository); Hugging Face card lists CC BY 4.0",
            citation="Mathew, B., Saha, P., Yimam, S. M., Biemann, C., Goyal, P., Mukherjee, A. (2021). "
            "HateXplain: A Benchmark Dataset for Explainable Hate Speech Detection. AAAI 2021.",
            trainable=True,
            loader=load_hatexplain,
        ),
        CorpusInfo(
            name="implicit_hate_elsherief2021",
            title="Latent Hatred: implicit hate corpus (ElSherief et al. 2021)",
            license="CC BY 4.0",
            citation="ElSherief, M., Ziems, C., Muchlinski, D., Anupindi, V., Seybolt, J., De Choudhury, M., "
            "Yang, D. (2021). Latent Hatred: A Benchmark for Understanding Implicit Hate Speech. EMNLP 2021.",
            trainable=True,
            loader=load_implicit_hate,
        ),
        CorpusInfo(
            name="gab_hate_corpus_kennedy",
            title="Gab Hate Corpus (Kennedy et al.), train/test of Kennedy et al. 2020",
            license="not stated in this third-party copy (official OSF release: verify): evaluation only",
            citation="Kennedy, B., Atari, M., Mostafazadeh Davani, A., et al. (2022). Introducing the Gab "
            "Hate Corpus: defining and applying hate-based rhetoric to social media posts at scale. Language "
            "Resources and Evaluation.",
            trainable=False,
            loader=load_gab,
        ),
        CorpusInfo(
            name="stormfront_degibert2018",
            title="Hate Speech Dataset from a White Supremacist Forum (Stormfront)",
            license="CC BY-SA 3.0 ES",
            citation="de Gibert, O., Perez, N., Garcia-Pablos, A., Cuadros, M. (2018). Hate Speech Dataset "
            "from a White Supremacy Forum. ALW2, pp. 11-20. doi:10.18653/v1/W18-5102",
            trainable=True,
            loader=load_stormfront,
        ),
        CorpusInfo(
            name="davidson2017",
            title="Hate Speech and Offensive Language tweets (Davidson et al. 2017)",
            license="MIT",
            citation="Davidson, T., Warmsley, D., Macy, M., Weber, I. (2017). Automated Hate Speech "
            "Detection and the Problem of Offensive Language. ICWSM 2017, pp. 512-515.",
            trainable=True,
            loader=load_davidson,
        ),
        CorpusInfo(
            name="ethos",
            title="ETHOS binary + multi-label hate speech (Mollas et al. 2022)",
            license="GPLv3",
            citation="Mollas, I., Chrysopoulou, Z., Karlos, S., Tsoumakas, G. (2022). ETHOS: a multi-label "
            "hate speech detection dataset. Complex & Intelligent Systems. doi:10.1007/s40747-021-00608-2",
            trainable=True,
            loader=load_ethos,
        ),
        CorpusInfo(
            name="toxigen_prompts",
            title="ToxiGen human-written seed sentences (prompts/demonstrations)",
            license="MIT",
            citation="Hartvigsen, T., Gabriel, S., Palangi, H., Sap, M., Ray, D., Kamar, E. (2022). ToxiGen: "
            "A Large-Scale Machine-Generated Dataset for Adversarial and Implicit Hate Speech Detection. "
            "ACL 2022.",
            trainable=True,
            loader=load_toxigen,
        ),
        CorpusInfo(
            name="civil_comments_toxic_spans",
            title="ToxicSpans: Civil Comments news-site comments with typed toxic spans",
            license="CC0 1.0",
            citation="Pavlopoulos, J., Laugier, L., Xenos, A., Sorensen, J., Androutsopoulos, I. (2022). From "
            "the Detection of Toxic Spans in Online Discussions to the Analysis of Toxic-to-Civil Transfer. "
            "ACL 2022. Borkan, D. et al. (2019). Nuanced Metrics for Measuring Unintended Bias with Real "
            "Data for Text Classification.",
            trainable=True,
            loader=load_toxic_spans,
        ),
        CorpusInfo(
            name="dynahate_devtest",
            title="DynaHate dev + test (Vidgen et al. 2021), adversarial hate / not-hate statements",
            license="none stated (all rights reserved): evaluation only",
            citation="Vidgen, B., Thrush, T., Waseem, Z., Kiela, D. (2021). Learning from the Worst: "
            "Dynamically Generated Datasets to Improve Online Hate Detection. ACL-IJCNLP 2021.",
            trainable=False,
            loader=load_dynahate,
        ),
    )
}


# ---------------------------------------------------------------------------------------------------------
# From mapped rows to the labelled set


def _apply_implications(frame: pd.DataFrame, *, hate_is_not_offensive: bool) -> pd.DataFrame:
    """Fill what the labels imply. Antisemitic implies hateful; hate, abuse, insults and threats are toxic; a
    row its corpus calls neither hateful nor offensive is not toxic, insulting, threatening or profane (the
    corpora's "neither" classes cover all abuse). Only unknown attribute labels are filled."""
    frame.loc[frame["antisemitic"] == 1, "hateful"] = 1
    frame.loc[frame["hateful"] == 0, "antisemitic"] = 0
    if hate_is_not_offensive:
        frame.loc[frame["hateful"] == 1, "offensive"] = 0
    unknown_toxicity = frame["toxicity"] == UNKNOWN
    toxic = (frame[["hateful", "offensive", "insult", "threat"]] == 1).any(axis=1)
    frame.loc[unknown_toxicity & toxic, "toxicity"] = 1
    civil = (frame["hateful"] == 0) & (frame["offensive"] == 0)
    for label in ("toxicity", "insult", "threat", "profanity"):
        frame.loc[civil & (frame[label] == UNKNOWN), label] = 0
    frame.loc[frame["toxicity"] == 0, ["insult", "threat"]] = 0
    return frame


def _join_targets(values: Iterable[str]) -> str:
    seen: list[str] = []
    for value in values:
        for part in str(value).split("; "):
            if part and part not in seen:
                seen.append(part)
    return "; ".join(seen)


def _to_dataset(rows: pd.DataFrame, source: str, *, hate_is_not_offensive: bool = True) -> datasets.Dataset:
    """Strip, drop empty texts, merge duplicates, assign splits: mapped rows become labelled-set rows."""
    frame = rows.loc[:, ["text", *LABELS, "target"]].copy()
    frame = frame[frame["text"].notna()]
    frame["text"] = frame["text"].astype(str).str.strip()
    frame = frame[frame["text"] != ""]
    frame["target"] = _strings(frame["target"])
    frame[list(LABELS)] = frame[list(LABELS)].astype(np.int8)
    frame = _apply_implications(frame, hate_is_not_offensive=hate_is_not_offensive)

    repeated = frame["text"].duplicated(keep=False)
    if repeated.any():
        copies = frame[repeated].assign(
            # A copy overruled to hateful 1 no longer vouches for "not antisemitic": that 0 only followed from
            # its own hateful 0.
            antisemitic_of_hate=frame["antisemitic"].where(frame["hateful"] != 0, UNKNOWN)
        )
        groups = copies.groupby("text", sort=False)
        merged = groups[list(LABELS)].max()
        of_hate = groups["antisemitic_of_hate"].max()
        merged["antisemitic"] = merged["antisemitic"].where(merged["hateful"] != 1, of_hate).astype(np.int8)
        merged["target"] = groups["target"].agg(_join_targets)
        merged = merged.reset_index()
        unique = frame[~repeated]
        # Keep first-appearance order so the dataset reads like the corpus.
        first_seen = frame[repeated].drop_duplicates("text")[["text"]].reset_index()
        merged = first_seen.merge(merged, on="text").set_index("index")
        frame = pd.concat([unique, merged]).sort_index()
        frame = _apply_implications(frame, hate_is_not_offensive=hate_is_not_offensive)

    frame["source"] = source
    frame["split"] = [split_of(text) for text in frame["text"]]
    frame = frame.loc[:, list(COLUMNS)].reset_index(drop=True)
    return datasets.Dataset.from_pandas(frame, features=FEATURES, preserve_index=False)


def _empty_dataset() -> datasets.Dataset:
    return datasets.Dataset.from_dict({column: [] for column in COLUMNS}, features=FEATURES)


def load_corpus(name: str, root: str | Path) -> datasets.Dataset:
    """One corpus from its folder ``root/name``, in the labelled-set schema (deduplicated, split)."""
    info = CORPORA.get(name)
    if info is None:
        raise DataError(f"unknown corpus {name!r}; known: {', '.join(CORPORA)}")
    folder = Path(root) / name
    if not folder.is_dir():
        raise DataError(f"corpus {name}: folder {folder} not found (set --data or ${CORPORA_ENV})")
    return _to_dataset(info.loader(folder), name)


def load_corpora(
    root: str | Path,
    names: Iterable[str] | None = None,
    *,
    trainable_only: bool = False,
    progress: Callable[[str], None] | None = None,
) -> datasets.Dataset:
    """Several corpora concatenated into one labelled set.

    ``names=None`` loads every registered corpus whose folder exists under ``root`` (at least one must).
    Named corpora must all exist. ``trainable_only`` leaves out corpora without a license, and refuses one
    that is named explicitly. ``progress`` is called with each corpus name just before it loads.
    """
    root = Path(root)
    if not root.is_dir():
        raise DataError(f"corpora root {root} not found (set --data or ${CORPORA_ENV})")
    if names is None:
        selected = [name for name in CORPORA if (root / name).is_dir()]
        if trainable_only:
            selected = [name for name in selected if CORPORA[name].trainable]
        if not selected:
            raise DataError(f"no known corpus folder under {root}; expected some of: {', '.join(CORPORA)}")
    else:
        selected = list(dict.fromkeys(names))
        for name in selected:
            if name not in CORPORA:
                raise DataError(f"unknown corpus {name!r}; known: {', '.join(CORPORA)}")
            if trainable_only and not CORPORA[name].trainable:
                raise DataError(f"corpus {name} has no usable license ({CORPORA[name].license})")
    parts = []
    for name in selected:
        if progress is not None:
            progress(name)
        parts.append(load_corpus(name, root))
    if not parts:
        return _empty_dataset()
    return datasets.concatenate_datasets(parts)


def _project_root() -> Path | None:
    for start in (Path.cwd(), Path(__file__).resolve().parent):
        for folder in (start, *start.parents):
            if (folder / "pyproject.toml").is_file():
                return folder
    return None


def default_corpora_root() -> Path | None:
    """``$MODERATE_CORPORA`` if set, else ``../shared/datasets`` from the current dir or the project root."""
    configured = os.environ.get(CORPORA_ENV)
    if configured:
        return Path(configured).expanduser()
    candidates = [Path.cwd().parent / "shared" / "datasets"]
    project = _project_root()
    if project is not None:
        candidates.append(project.parent / "shared" / "datasets")
    for candidate in candidates:
        if candidate.is_dir():
            return candidate.resolve()
    return None


# ---------------------------------------------------------------------------------------------------------
# The project's own data and users' labelled files

_TRUE = {"1", "true", "yes"}
_FALSE = {"0", "false", "no"}
_BLANK = {"", "-1", "none", "null", "nan", "unknown"}


def _label_value(value, *, where: str, column: str) -> int:
    """0/1/true/false (any case) or blank/null/-1 for unknown; anything else is an error."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return UNKNOWN
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int | float) and value in (0, 1, -1):
        return int(value)
    text = str(value).strip().lower()
    if text in _TRUE:
        return 1
    if text in _FALSE:
        return 0
    if text in _BLANK:
        return UNKNOWN
    raise DataError(f"{where}: {column} must be 0, 1, true, false or blank, got {str(value)[:40]!r}")


def _read_jsonl(path: Path, opener: Callable) -> pd.DataFrame:
    records = []
    with opener(path, "rt", encoding="utf-8") as lines:
        try:
            for number, line in enumerate(lines, start=1):
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                except json.JSONDecodeError as error:
                    raise DataError(f"{path}: line {number}: not valid JSON ({error.msg})") from None
                if not isinstance(record, dict):
                    raise DataError(f"{path}: line {number}: expected a JSON object")
                if "text" not in record:
                    raise DataError(f"{path}: line {number}: no 'text' field")
                if not isinstance(record["text"], str):
                    raise DataError(f"{path}: line {number}: 'text' must be a string")
                records.append({**record, "_where": f"{path}: line {number}"})
        except UnicodeDecodeError:
            raise DataError(f"{path}: not UTF-8 text") from None
    return pd.DataFrame.from_records(records, columns=["text", *LABELS, "target", "_where"])


def _read_delimited(path: Path, sep: str) -> pd.DataFrame:
    frame = _read_table(path, sep=sep, dtype=str, keep_default_na=False)
    if "text" not in frame.columns:
        raise DataError(f"{path}: no 'text' column (columns: {', '.join(map(str, frame.columns))})")
    frame = frame.reindex(columns=["text", *LABELS, "target"])
    # Data row n of a file with a header; quoted fields spanning lines make this a row, not a line, number.
    frame["_where"] = [f"{path}: row {number}" for number in range(1, len(frame) + 1)]
    return frame


def load_labelled_file(path: str | Path, *, source: str | None = None) -> datasets.Dataset:
    """A user's labelled file (CSV, TSV or JSONL, optionally .gz) in the labelled-set schema.

    It needs a ``text`` column; ``hateful``, ``antisemitic``, ``offensive`` and ``target`` are optional. A
    missing column or blank cell is unknown (-1); values may be 0, 1, true or false. The labels are kept as
    given except that unknowns are filled by implication (antisemitic 1 makes hateful 1, hateful 0 makes
    antisemitic 0); antisemitic 1 with hateful 0 is an error. ``source`` defaults to the file stem.
    """
    path = Path(path)
    if not path.exists():
        raise DataError(f"{path}: no such file")
    if not path.is_file():
        raise DataError(f"{path}: not a file")
    suffixes = [suffix.lower() for suffix in path.suffixes]
    compressed = bool(suffixes) and suffixes[-1] == ".gz"
    kind = suffixes[-2] if compressed and len(suffixes) > 1 else (suffixes[-1] if suffixes else "")
    opener = gzip.open if compressed else open
    if kind in (".jsonl", ".ndjson"):
        raw = _read_jsonl(path, opener)
    elif kind in (".csv", ".tsv", ".tab"):
        raw = _read_delimited(path, "," if kind == ".csv" else "\t")
    else:
        raise DataError(f"{path}: unsupported file type; use .csv, .tsv or .jsonl (optionally .gz)")

    labels = {
        label: np.fromiter(
            (_label_value(v, where=w, column=label) for v, w in zip(raw[label], raw["_where"], strict=True)),
            dtype=np.int8,
            count=len(raw),
        )
        for label in LABELS
    }
    conflict = (labels["antisemitic"] == 1) & (labels["hateful"] == 0)
    if conflict.any():
        where = raw["_where"].iloc[int(np.argmax(conflict))]
        raise DataError(f"{where}: antisemitic is 1 but hateful is 0 (antisemitic implies hateful)")
    rows = _rows(
        raw["text"].astype(str),
        target=_strings(raw["target"]).str.strip().str.lower().to_numpy(dtype=object),
        **labels,
    )
    if source is None:
        source = path.name[: -len("".join(path.suffixes))] if path.suffixes else path.name
    return _to_dataset(rows, source, hate_is_not_offensive=False)


def default_in_domain_path() -> Path | None:
    """``data/comments.jsonl`` in the project root, when it exists."""
    project = _project_root()
    if project is None or not (project / "data" / "comments.jsonl").is_file():
        return None
    return project / "data" / "comments.jsonl"


def load_in_domain(path: str | Path | None = None) -> datasets.Dataset:
    """The project's own news-site comments (``data/comments.jsonl``), source "in_domain", same split rule."""
    if path is None:
        path = default_in_domain_path()
        if path is None:
            raise DataError("data/comments.jsonl not found in the project root")
    return load_labelled_file(path, source="in_domain")


def load_labelled_set(
    root: str | Path | None,
    *,
    in_domain: str | Path | None | bool = True,
    files: Iterable[str | Path] = (),
    trainable_only: bool = False,
    progress: Callable[[str], None] | None = None,
) -> datasets.Dataset:
    """Everything a training or evaluation run reads: the corpora under ``root`` (None: none), the project's
    in-domain comments (True: ``data/comments.jsonl`` when present; a path; False: none) and labelled files."""
    parts = []
    if root is not None:
        parts.append(load_corpora(root, trainable_only=trainable_only, progress=progress))
    if in_domain is True:
        in_domain = default_in_domain_path()
    if in_domain:
        if progress is not None:
            progress("in_domain")
        parts.append(load_in_domain(in_domain))
    for path in files:
        if progress is not None:
            progress(str(path))
        parts.append(load_labelled_file(path))
    if not parts:
        raise DataError(
            "no labelled data: give a corpora root (--data), the in-domain file or labelled files"
        )
    return datasets.concatenate_datasets(parts)


def corpus_cards(names: Iterable[str]) -> dict[str, dict]:
    """Title, license, citation and trainability of each named source, for a model manifest."""
    cards = {}
    for name in names:
        info = CORPORA.get(name)
        if info is not None:
            cards[name] = {
                "title": info.title,
                "license": info.license,
                "citation": info.citation,
                "trainable": info.trainable,
            }
        elif name == "in_domain":
            cards[name] = {
                "title": "moderate in-domain news comments (data/comments.jsonl)",
                "license": "MIT (this project)",
                "citation": "",
                "trainable": True,
            }
        else:
            cards[name] = {"title": name, "license": "user-supplied", "citation": "", "trainable": True}
    return cards
