"""The registry: every known corpus folder, its license, and what may be done with it.

``trainable=False`` marks corpora with no stated license: they are measured (``moderate evaluate``, the test
metrics of ``moderate train``) and never trained or tuned on, so they never shape a shipped model.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from moderation.corpora._base import concat_frames, labelled_frame
from moderation.corpora._davidson import load_davidson
from moderation.corpora._dynahate import load_dynahate
from moderation.corpora._ethos import load_ethos
from moderation.corpora._gab import load_gab
from moderation.corpora._hatexplain import load_hatexplain
from moderation.corpora._implicit_hate import load_implicit_hate
from moderation.corpora._isca import load_isca
from moderation.corpora._paths import CORPORA_ENV
from moderation.corpora._pol4chan import load_pol4chan
from moderation.corpora._stormfront import load_stormfront
from moderation.corpora._toxic_spans import load_toxic_spans
from moderation.corpora._toxigen import load_toxigen
from moderation.errors import DataError


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


IN_DOMAIN = "in_domain"
"""The ``source`` of the project's own labelled news comments (``data/comments.jsonl``)."""


def is_trainable(source: str) -> bool:
    """Whether rows of this ``source`` may train a model: a registered corpus only with a license; the
    in-domain comments and users' labelled files always."""
    info = CORPORA.get(source)
    return info is None or info.trainable


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
        elif name == IN_DOMAIN:
            cards[name] = {
                "title": "moderate in-domain news comments (data/comments.jsonl)",
                "license": "MIT (this project)",
                "citation": "",
                "trainable": True,
            }
        else:
            cards[name] = {"title": name, "license": "user-supplied", "citation": "", "trainable": True}
    return cards


def load_corpus(name: str, root: str | Path) -> pd.DataFrame:
    """One corpus from its folder ``root/name``, in the labelled-set schema (deduplicated, split)."""
    info = CORPORA.get(name)
    if info is None:
        raise DataError(f"unknown corpus {name!r}; known: {', '.join(CORPORA)}")
    folder = Path(root) / name
    if not folder.is_dir():
        raise DataError(f"corpus {name}: folder {folder} not found (set --data or ${CORPORA_ENV})")
    return labelled_frame(info.loader(folder), name)


def load_corpora(
    root: str | Path,
    names: Iterable[str] | None = None,
    *,
    trainable_only: bool = False,
    progress: Callable[[str], None] | None = None,
) -> pd.DataFrame:
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
    return concat_frames(parts)
