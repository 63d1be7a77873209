"""The labelled set: the public corpora and the project's own data in one schema, with the project's split.

Every row, whatever its origin, becomes::

    text         str   the corpus text field, stripped of surrounding whitespace (otherwise verbatim)
    hateful      int8  1, 0, or -1 = unknown
    antisemitic  int8  1, 0, or -1 = unknown
    offensive    int8  1, 0, or -1 = unknown
    toxicity, insult, threat, profanity   int8  likewise (mostly from ToxicSpans; filled by implication)
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
license, usable for evaluation only and never in a shipped model (:func:`is_trainable`). Everything is read
from local files with pandas into one :class:`pandas.DataFrame` per call, the table every consumer
(training, evaluation, the benchmarks) reads; nothing touches the network or a cache.

The package is laid out like scikit-learn's ``sklearn.datasets``: ``_base`` (schema, split, file reading,
implications, dedupe), one private module per corpus, ``_registry`` (licenses, loading by name), ``_user``
(labelled files, the in-domain comments), ``_labelled_set`` (all of it together) and ``_paths``. A new
corpus is one module and one registry entry.
"""

from moderation.corpora._base import (
    COLUMNS,
    JEWISH_KEYWORDS,
    JEWISH_TARGET,
    SPLITS,
    UNKNOWN,
    split_of,
)
from moderation.corpora._davidson import load_davidson
from moderation.corpora._dynahate import load_dynahate
from moderation.corpora._ethos import load_ethos
from moderation.corpora._gab import load_gab
from moderation.corpora._hatexplain import load_hatexplain
from moderation.corpora._implicit_hate import load_implicit_hate
from moderation.corpora._isca import load_isca
from moderation.corpora._labelled_set import load_labelled_set
from moderation.corpora._paths import (
    CORPORA_ENV,
    default_corpora_root,
    default_in_domain_path,
    project_file,
)
from moderation.corpora._pol4chan import load_pol4chan
from moderation.corpora._registry import (
    CORPORA,
    IN_DOMAIN,
    CorpusInfo,
    corpus_cards,
    is_trainable,
    load_corpora,
    load_corpus,
)
from moderation.corpora._stormfront import load_stormfront
from moderation.corpora._toxic_spans import load_toxic_spans
from moderation.corpora._toxigen import load_toxigen
from moderation.corpora._user import load_in_domain, load_labelled_file

__all__ = [
    "COLUMNS",
    "CORPORA",
    "CORPORA_ENV",
    "IN_DOMAIN",
    "JEWISH_KEYWORDS",
    "JEWISH_TARGET",
    "SPLITS",
    "UNKNOWN",
    "CorpusInfo",
    "corpus_cards",
    "default_corpora_root",
    "default_in_domain_path",
    "is_trainable",
    "load_corpora",
    "load_corpus",
    "load_davidson",
    "load_dynahate",
    "load_ethos",
    "load_gab",
    "load_hatexplain",
    "load_implicit_hate",
    "load_in_domain",
    "load_isca",
    "load_labelled_file",
    "load_labelled_set",
    "load_pol4chan",
    "load_stormfront",
    "load_toxic_spans",
    "load_toxigen",
    "project_file",
    "split_of",
]
