"""Normalized text -> hashed, TF-IDF-weighted word and character n-gram features, vectorised over a batch.

An n-gram's column is a hash of its characters, like scikit-learn's ``HashingVectorizer``: there is no
vocabulary to store, to load, or to fall out of step with the weights. What it produces for a batch:

* character n-grams (``char_ngrams``, default 2 to 5) of each text padded with one space at either end;
* word unigrams and bigrams (``word_ngrams``), a word being a run of letters, digits or ``_``;
* one ``lexicon:<category>`` feature per word (or two-word phrase) that is a spelling in the coded-term
  lexicon, so what the model learns about "zog" carries over to "khazarian", which the corpora rarely show;
* the near block (``near_words``): each word that names a group (``group_words``) paired with every word at most
  ``near_words`` away in its sentence, as "a group word near w", "a word naming this kind of group near w" and
  "this group word near w". Word n-grams see "jews are parasites" only as "jews are" and "are parasites", and
  "are parasites" is what "politicians are parasites" (rude, not hate) teaches too; a linear model cannot AND
  two features, so the conjunction is a feature. What is learnt of "a group word near 'vermin'" carries from
  one group to the next. A pair with a negation word between its words ("jews are not parasites"), or after a
  word that frames what follows as someone else's claim ("people claiming the jews are behind every war"), is
  hashed apart: the sentence does not assert it.

Each occurrence is worth its column's inverse document frequency (:meth:`Featurizer.with_idf`, fitted on the
train split; 1 without it), and the character block, the word block and the near block of a row are each
L2-normalised, as ``TfidfVectorizer`` does, so long comments do not score higher for being long. The norm is
smoothed (``norm_smoothing`` and ``near_smoothing``, added to each block's sum of squares before the square
root): plain L2 gives "them" alone
the weight of a whole argument, so a one-word reply scored like a tirade made of that word; with the smoothing
a text needs a few words of evidence before its features outweigh the intercept. The only fitted state is the
IDF array. Scoring (:meth:`Featurizer.dot`) computes ``X @ weights`` with one gather per occurrence and a
sum per row, never building X, in the compiled kernel (``moderation/_kernel.pyx``); training builds the same
numbers as a sparse matrix (:meth:`Featurizer.transform`). The kernel takes its constants from this module
and tests/test_kernel.py checks that both hash identically, so what is scored is exactly what was trained.

Training's hashing is all numpy: texts become one array of code points, polynomial hashes of every window are
computed with a handful of array operations per n, and words are found where word and non-word characters
meet. The Python loop is per batch, not per comment.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np

from moderation import _kernel

_PRIME = np.uint64(0x100000001B3)  # FNV-64 prime: odd, so invertible modulo 2**64
_PRIME_INVERSE = np.uint64(pow(0x100000001B3, -1, 2**64))
_BIGRAM_MULTIPLIER = np.uint64(0x9E3779B97F4A7C15)
# One salt per kind of feature, so "ab" the character bigram and "ab" the word never share a column.
_SALT_CHAR = np.uint64(0x243F6A8885A308D3)
_SALT_WORD = np.uint64(0x13198A2E03707344)
_SALT_BIGRAM = np.uint64(0xA4093822299F31D0)
_SALT_LEXICON = np.uint64(0x082EFA98EC4E6C89)
_SALT_NEAR_GROUP = np.uint64(0x452821E638D01377)
_SALT_NEAR_KIND = np.uint64(0xC0AC29B7C97C50DD)
_SALT_NEAR_WORD = np.uint64(0xBE5466CF34E90C6C)
# Added to a pair's hash when a negation word stands between its two words: "jews are not parasites" pairs
# "jews" and "parasites" as another feature than "jews are parasites" does.
_NEGATED = np.uint64(0x3C6EF372FE94F82B)
# A text's first MAX_GROUP_MENTIONS group words are paired with near words (at most MAX_NEAR_WORDS away): the
# near block of any text has at most 3 * 64 * 32 features, whatever its length (the kernel's buffers are fixed).
MAX_GROUP_MENTIONS, MAX_NEAR_WORDS = _kernel.NEAR_LIMITS
# What a group, kind or negation word may be: a word as normalized text has it (the manifest says the same).
_NEAR_WORD = re.compile(r"[a-z0-9]{1,40}")
_GROUP_KIND = re.compile(r"[a-z0-9_]{1,40}")
# Characters that end a sentence in normalized text: a group word is paired only with words of its sentence.
_SENTENCE_ENDS = np.array([ord(c) for c in ".!?;"], dtype=np.uint64)

# Word characters: letters, digits and "_" below U+3000 (str.isalnum), looked up in one table. Characters above
# (CJK, emoji) are not word characters; they still count in character n-grams.
_WORD_TABLE_SIZE = 0x3000
_IS_WORD = np.array([chr(c).isalnum() or c == 0x5F for c in range(_WORD_TABLE_SIZE)], dtype=bool)
_IS_WORD.setflags(write=False)

KIND_CHAR, KIND_WORD, KIND_LEXICON, KIND_BIGRAM, KIND_NEAR = 0, 1, 2, 3, 4
_FILTER_SIZE = 2**16
_FILTER_MASK = np.uint64(_FILTER_SIZE - 1)


_GOLDEN = np.uint64(0x9E3779B97F4A7C15)


def _columns(h: np.ndarray, salt: np.uint64, bits: int) -> np.ndarray:
    """Fibonacci hashing: the top ``bits`` of ``(h + salt) * golden``, a column in [0, 2**bits)."""
    with np.errstate(over="ignore"):
        return (((h + salt) * _GOLDEN) >> np.uint64(64 - bits)).view(np.int64)


@dataclass(frozen=True)
class Occurrences:
    """Every feature occurrence in a batch: which row, which column, and how much it counts."""

    rows: np.ndarray  # int64, the text's index in the batch
    columns: np.ndarray  # int64, the hashed column
    values: np.ndarray  # float32, the row-and-block scale
    kinds: np.ndarray | None = None  # KIND_* per occurrence, with positions only
    starts: np.ndarray | None = None  # start offset in the normalized text, with positions only
    ends: np.ndarray | None = None  # end offset in the normalized text, with positions only

    def __len__(self) -> int:
        return len(self.rows)


@dataclass(frozen=True)
class _Batch:
    """A batch of texts as one array of code points (each text padded with a space at either end)."""

    n_texts: int
    codes: np.ndarray  # uint64 code points, then ``pad`` zeros so every window start has a full window
    row_of: np.ndarray  # int64 row per position; the padding belongs to row n_texts
    offsets: np.ndarray  # int64 start of each row
    lengths: np.ndarray  # int64 padded length of each row
    remaining: np.ndarray  # int64 characters from each position to the end of its row
    size: int  # positions holding text (without the trailing pad)


@dataclass(frozen=True)
class _Words:
    rows: np.ndarray
    columns: np.ndarray
    starts: np.ndarray
    ends: np.ndarray
    kinds: np.ndarray
    plain: tuple = ()  # (hash, row, start, end) per word, in text order: what the near block pairs


@dataclass(frozen=True)
class Featurizer:
    """Hashed word and character n-gram features; explicit parameters, no fitted state.

    ``lexicon`` maps a normalized term (one word or two) to its category.
    """

    n_features: int = 2**20
    char_ngrams: tuple[int, int] = (2, 5)
    word_ngrams: tuple[int, int] = (1, 2)
    lexicon: Mapping[str, str] = field(default_factory=dict)
    norm_smoothing: tuple[float, float] = (0.0, 0.0)
    """Added to the (character, word) block's sum of squared values before its square root is taken."""
    idf: np.ndarray | None = field(default=None, repr=False, compare=False)
    """Inverse document frequency per column (fitted by :meth:`with_idf`); None weighs every column 1."""
    group_words: Mapping[str, str] = field(default_factory=dict)
    """Words that name a group people are attacked for, each with the kind of group (``data/targets.json``):
    each is paired with the words near it (``near_words``)."""
    near_words: int = 0
    """A group word is paired with each word at most this many words away in its sentence, as three features:
    "a group word near ``w``", "a word naming a group of this kind near ``w``" and "``group word`` near
    ``w``", each negated or not (``negation_words``). They make a third block, L2-normalised like the others.
    0: no pairs."""
    near_smoothing: float = 0.0
    """Added to the near block's sum of squared values before its square root is taken."""
    negation_words: frozenset[str] = frozenset()
    """Words that negate ("not", "never", "isn" of "isn't"): a pair with one of them between its two words is
    a negated pair, features of their own."""
    frame_words: frozenset[str] = frozenset()
    """Words that frame what follows as a claim the writer reports rather than makes ("claiming", "myth"): a
    pair whose earlier word comes at most ``near_words`` after one of them in its sentence is
    hashed as a negated pair. Only before the pair: "jews lie" is asserted, "the lie that jews" is not, and
    "lie" is not a frame word for that reason."""
    _bits: int = field(init=False, repr=False, compare=False)
    _lexicon_hashes: np.ndarray = field(init=False, repr=False, compare=False)
    _lexicon_filter: np.ndarray = field(init=False, repr=False, compare=False)
    _lexicon_columns: np.ndarray = field(init=False, repr=False, compare=False)
    _group_hashes: np.ndarray = field(init=False, repr=False, compare=False)
    _group_filter: np.ndarray = field(init=False, repr=False, compare=False)
    _negation_hashes: np.ndarray = field(init=False, repr=False, compare=False)
    _frame_hashes: np.ndarray = field(init=False, repr=False, compare=False)
    _group_kinds: np.ndarray = field(init=False, repr=False, compare=False)
    _hasher: _kernel.Hasher = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.n_features < 2 or self.n_features & (self.n_features - 1):
            raise ValueError("n_features must be a power of two")
        lo, hi = self.char_ngrams
        if not 1 <= lo <= hi <= 8:
            raise ValueError("char_ngrams must be (lo, hi) with 1 <= lo <= hi <= 8")
        if self.word_ngrams[0] != 1 or self.word_ngrams[1] not in (1, 2):
            raise ValueError("word_ngrams must be (1, 1) or (1, 2)")
        smoothing = tuple(float(v) for v in self.norm_smoothing)
        if len(smoothing) != 2 or not all(np.isfinite(v) and 0 <= v <= 1e6 for v in smoothing):
            raise ValueError("norm_smoothing must be two finite numbers between 0 and 1e6")
        object.__setattr__(self, "norm_smoothing", smoothing)
        object.__setattr__(self, "_bits", self.n_features.bit_length() - 1)
        if self.idf is not None:
            idf = np.array(self.idf, dtype=np.float32)
            if idf.shape != (self.n_features,) or not np.all(np.isfinite(idf)) or np.any(idf <= 0):
                raise ValueError(f"idf must be {self.n_features} positive finite numbers")
            idf.setflags(write=False)
            object.__setattr__(self, "idf", idf)
        terms = sorted(self.lexicon)
        hashes = np.array([_phrase_hash(t) for t in terms], dtype=np.uint64)
        order = np.argsort(hashes, kind="stable")
        categories = tuple(self.lexicon[terms[i]] for i in order)
        category_hashes = np.array([_phrase_hash(f"lexicon:{c}") for c in categories], dtype=np.uint64)
        object.__setattr__(self, "_lexicon_hashes", hashes[order])
        lexicon_filter = _filter_of(hashes)
        object.__setattr__(self, "_lexicon_filter", lexicon_filter)
        object.__setattr__(self, "_lexicon_columns", _columns(category_hashes, _SALT_LEXICON, self._bits))
        near_words = self.near_words
        if isinstance(near_words, bool) or not (
            isinstance(near_words, int) and 0 <= near_words <= MAX_NEAR_WORDS
        ):
            raise ValueError(f"near_words must be from 0 to {MAX_NEAR_WORDS}")
        near_smoothing = float(self.near_smoothing)
        if not (np.isfinite(near_smoothing) and 0 <= near_smoothing <= 1e6):
            raise ValueError("near_smoothing must be a finite number between 0 and 1e6")
        object.__setattr__(self, "near_smoothing", near_smoothing)
        if (
            not isinstance(self.group_words, Mapping)
            or isinstance(self.negation_words, str)
            or isinstance(self.frame_words, str)
        ):
            raise ValueError("group_words must be a mapping, negation_words and frame_words sets of words")
        group_words = dict(self.group_words)
        if not all(
            isinstance(w, str) and _NEAR_WORD.fullmatch(w) and isinstance(k, str) and _GROUP_KIND.fullmatch(k)
            for w, k in group_words.items()
        ):
            raise ValueError(
                "group_words must map lower-case words to the kind of group they name (a-z, 0-9, _)"
            )
        # Read-only: the hasher was built from these words, and the manifest writes them.
        object.__setattr__(self, "group_words", MappingProxyType(group_words))
        words = sorted(group_words)
        hashes = np.array([_phrase_hash(w) for w in words], dtype=np.uint64)
        order = np.argsort(hashes, kind="stable")
        kind_hashes = np.array([_phrase_hash(group_words[words[i]]) for i in order], dtype=np.uint64)
        group_filter = _filter_of(hashes)
        negation_words = frozenset(self.negation_words)
        if not all(isinstance(w, str) and _NEAR_WORD.fullmatch(w) for w in negation_words):
            raise ValueError("negation_words must be lower-case words (a-z, 0-9)")
        object.__setattr__(self, "negation_words", negation_words)
        negation_hashes = np.unique(np.array([_phrase_hash(w) for w in negation_words], dtype=np.uint64))
        frame_words = frozenset(self.frame_words)
        if not all(isinstance(w, str) and _NEAR_WORD.fullmatch(w) for w in frame_words):
            raise ValueError("frame_words must be lower-case words (a-z, 0-9)")
        object.__setattr__(self, "frame_words", frame_words)
        frame_hashes = np.unique(np.array([_phrase_hash(w) for w in frame_words], dtype=np.uint64))
        for name, array in (
            ("_negation_hashes", negation_hashes),
            ("_frame_hashes", frame_hashes),
            ("_group_hashes", hashes[order]),
            ("_group_filter", group_filter),
            ("_group_kinds", kind_hashes),
        ):
            array.setflags(write=False)
            object.__setattr__(self, name, array)
        for array in (self._lexicon_hashes, self._lexicon_filter, self._lexicon_columns):
            array.setflags(write=False)  # the compiled hasher reads them: they never change
        hasher = _kernel.Hasher(
            self._bits,
            self.char_ngrams,
            self.word_ngrams[1] == 2,
            _IS_WORD.view(np.uint8),
            self._lexicon_hashes,
            lexicon_filter.view(np.uint8),
            self._lexicon_columns,
            self._group_hashes,
            self._group_filter.view(np.uint8),
            self._group_kinds,
            self._negation_hashes,
            self._frame_hashes,
            self.near_words,
            tuple(
                int(c)
                for c in (
                    _PRIME,
                    _BIGRAM_MULTIPLIER,
                    _GOLDEN,
                    _SALT_CHAR,
                    _SALT_WORD,
                    _SALT_BIGRAM,
                    _SALT_NEAR_GROUP,
                    _SALT_NEAR_KIND,
                    _SALT_NEAR_WORD,
                    _NEGATED,
                )
            ),
            (KIND_CHAR, KIND_WORD, KIND_LEXICON, KIND_BIGRAM, KIND_NEAR),
        )
        object.__setattr__(self, "_hasher", hasher)

    def __reduce__(self):
        # Rebuilt through __init__ (its read-only group words do not pickle; its hasher is rebuilt).
        return Featurizer, (
            self.n_features,
            self.char_ngrams,
            self.word_ngrams,
            dict(self.lexicon),
            self.norm_smoothing,
            self.idf,
            dict(self.group_words),
            self.near_words,
            self.near_smoothing,
            self.negation_words,
            self.frame_words,
        )

    # -- public --------------------------------------------------------------------------------------------

    def document_frequency(self, texts: Sequence[str]) -> np.ndarray:
        """How many of ``texts`` have each column at least once (int64, n_features)."""
        occurrences = self.occurrences(texts)
        pairs = np.unique(occurrences.rows * self.n_features + occurrences.columns)
        return np.bincount(pairs % self.n_features, minlength=self.n_features)

    def with_idf(self, document_frequency: np.ndarray, n_documents: int) -> Featurizer:
        """A featurizer weighing each column by its smoothed inverse document frequency, as scikit-learn's
        ``TfidfTransformer`` does: ``ln((1 + n) / (1 + df)) + 1``."""
        idf = np.log((1.0 + n_documents) / (1.0 + np.asarray(document_frequency, dtype=np.float64))) + 1.0
        return Featurizer(
            self.n_features,
            self.char_ngrams,
            self.word_ngrams,
            self.lexicon,
            self.norm_smoothing,
            idf.astype(np.float32),
            self.group_words,
            self.near_words,
            self.near_smoothing,
            self.negation_words,
            self.frame_words,
        )

    def scoring_table(self, weights: np.ndarray) -> np.ndarray:
        """The table :meth:`dot` and :meth:`explain` read: per column its ``weights``, then its idf, padded to
        a width of 4 (or a multiple of 4): a row of 16 or 32 float32 bytes is gathered as one item, and one
        gather serves both the weights and the idf."""
        n_columns = weights.shape[1] + 1
        width = 4 * -(-n_columns // 4)
        table = np.zeros((self.n_features, width), dtype=np.float32)
        table[:, : weights.shape[1]] = weights
        table[:, weights.shape[1]] = self.idf if self.idf is not None else 1.0
        table.setflags(write=False)
        return table

    def dot(self, texts: Sequence[str], table: np.ndarray, n_outputs: int) -> np.ndarray:
        """``X @ weights`` for the batch's feature matrix X, without building X: (n_texts, n_outputs), float64.

        ``table`` comes from :meth:`scoring_table`. This is the scoring path, compiled
        (:class:`moderation._kernel.Hasher`): per text, one gather per occurrence, its ``weights * idf`` (float32
        products, as numpy makes them) added to a float64 sum per block; each block's sum of ``idf ** 2`` gives
        its L2 norm on the way. It hashes exactly as :meth:`occurrences` does (tests/test_kernel.py compares
        them).
        """
        return self._hasher.dot(texts, table, n_outputs, *self.norm_smoothing, self.near_smoothing)

    def explain(
        self,
        texts: Sequence[str],
        table: np.ndarray,
        slopes: np.ndarray,
        *,
        asked: np.ndarray,
        top: int,
        offsets: Callable[[int], object],
        readable: Callable[[str], str],
        record: type,
        sources: list[str] | None = None,
        bounds: np.ndarray | None = None,
    ) -> tuple[list[tuple], np.ndarray]:
        """Exact reasons for normalized ``texts``, for a linear model whose :meth:`scoring_table` is ``table``
        and whose labels' calibration slopes are ``slopes``, for the labels ``asked`` (texts x labels, uint8),
        in the compiled kernel: ``(reasons, slots)``, ``reasons[slots[i, k]]`` the tuple of ``record(ngram,
        weight, spans)`` of text i for label k (:meth:`moderation._kernel.Hasher.explain` defines them). Each
        occurrence counts as in :meth:`occurrences`, in its order; ``offsets(i)`` maps text i back to the raw
        text for the spans, unless it is ``sources[i][bounds[i, 0]:bounds[i, 1]]`` only lower-cased and
        stripped (then the kernel maps it)."""
        return self._hasher.explain(
            texts,
            asked,
            table,
            slopes,
            top,
            *self.norm_smoothing,
            self.near_smoothing,
            offsets,
            readable,
            record,
            sources,
            bounds,
        )

    def occurrences(self, texts: Sequence[str], *, positions: bool = False) -> Occurrences:
        """All feature occurrences of a batch of normalized texts, for training. With ``positions``, each
        one's kind and stretch of its text too: what tests/explain_reference.py, the definition the compiled
        explanations (:meth:`explain`) are held to, reads."""
        n_texts = len(texts)
        if n_texts == 0:
            empty = np.zeros(0, dtype=np.int64)
            return Occurrences(empty, empty, np.zeros(0, dtype=np.float32))
        batch = self._batch(texts)
        words = self._words(batch)
        rows, columns, starts, ends, kinds = [], [], [], [], []
        for n, window_columns, valid in self._char_windows(batch):
            index = np.flatnonzero(valid)
            rows.append(batch.row_of[index])
            columns.append(window_columns[index])
            if positions:
                starts.append(index)
                ends.append(index + n)
                kinds.append(np.full(len(index), KIND_CHAR, dtype=np.int8))
        char_rows, char_columns = np.concatenate(rows), np.concatenate(columns)
        values = [
            self._block_values(char_rows, char_columns, n_texts, self.norm_smoothing[0]),
            self._block_values(words.rows, words.columns, n_texts, self.norm_smoothing[1]),
        ]
        rows = [char_rows, words.rows]
        columns = [char_columns, words.columns]
        near = self._near(batch, words)
        if near is not None:
            values.append(self._block_values(near.rows, near.columns, n_texts, self.near_smoothing))
            rows.append(near.rows)
            columns.append(near.columns)
        row_array = np.concatenate(rows)
        occurrences = Occurrences(
            row_array, np.concatenate(columns), np.concatenate(values).astype(np.float32)
        )
        if not positions:
            return occurrences
        for block in (words, near) if near is not None else (words,):
            starts.append(block.starts)
            ends.append(block.ends)
            kinds.append(block.kinds)
        # Offsets in the joined array -> offsets in each normalized text (its padding space is offset -1).
        shift = batch.offsets[row_array] + 1
        return Occurrences(
            occurrences.rows,
            occurrences.columns,
            occurrences.values,
            np.concatenate(kinds),
            np.concatenate(starts) - shift,
            np.concatenate(ends) - shift,
        )

    def transform(self, texts: Sequence[str]):
        """The batch as a ``scipy.sparse.csr_matrix`` (n_texts x n_features), for training."""
        from scipy import sparse

        occurrences = self.occurrences(texts)
        matrix = sparse.csr_matrix(
            (occurrences.values, (occurrences.rows, occurrences.columns)),
            shape=(len(texts), self.n_features),
            dtype=np.float32,
        )
        matrix.sum_duplicates()
        return matrix

    # -- hashing ---------------------------------------------------------------------------------------------

    def _batch(self, texts: Sequence[str]) -> _Batch:
        padded = [f" {t} " for t in texts]
        lengths = np.fromiter((len(p) for p in padded), dtype=np.int64, count=len(padded))
        size = int(lengths.sum())
        pad = self.char_ngrams[1]
        codes = np.zeros(size + pad, dtype=np.uint64)
        codes[:size] = np.frombuffer("".join(padded).encode("utf-32-le"), dtype=np.uint32)
        n_texts = len(texts)
        row_of = np.empty(size + pad, dtype=np.int64)
        row_of[:size] = np.repeat(np.arange(n_texts, dtype=np.int64), lengths)
        row_of[size:] = n_texts
        offsets = np.zeros(n_texts, dtype=np.int64)
        np.cumsum(lengths[:-1], out=offsets[1:])
        remaining = np.zeros(size + pad, dtype=np.int64)
        remaining[:size] = np.repeat(offsets + lengths, lengths) - np.arange(size)
        return _Batch(n_texts, codes, row_of, offsets, lengths, remaining, size)

    def _char_windows(self, batch: _Batch):
        """Yield (n, column of the window starting at each position, whether that window is in one text)."""
        lo, hi = self.char_ngrams
        h = np.zeros(len(batch.codes), dtype=np.uint64)
        with np.errstate(over="ignore"):
            for n in range(1, hi + 1):
                # h[i] becomes the hash of codes[i : i + n]; the zero padding keeps every window in the array.
                h[: len(h) - n + 1] *= _PRIME
                h[: len(h) - n + 1] += batch.codes[n - 1 :]
                if n >= lo:
                    count = batch.size
                    yield (
                        n,
                        _columns(h[:count], _SALT_CHAR + np.uint64(n), self._bits),
                        batch.remaining[:count] >= n,
                    )

    def _words(self, batch: _Batch) -> _Words:
        """Word unigrams, bigrams and lexicon features."""
        codes = batch.codes[: batch.size]
        in_table = codes < _WORD_TABLE_SIZE
        is_word = np.zeros(len(codes), dtype=bool)
        is_word[in_table] = _IS_WORD[codes[in_table].astype(np.int64)]
        edges = np.diff(is_word.view(np.int8), prepend=np.int8(0), append=np.int8(0))
        word_starts = np.flatnonzero(edges == 1)
        word_ends = np.flatnonzero(edges == -1)
        # Texts are padded with spaces, so no word runs from one text into the next.
        word_rows = batch.row_of[word_starts]
        word_hash = _segment_hashes(codes, word_starts, word_ends)

        rows = [word_rows]
        columns = [_columns(word_hash, _SALT_WORD, self._bits)]
        starts, ends = [word_starts], [word_ends]
        kinds = [np.full(len(word_starts), KIND_WORD, dtype=np.int8)]

        pair = np.flatnonzero(word_rows[:-1] == word_rows[1:])
        with np.errstate(over="ignore"):
            pair_hash = word_hash[pair] * _BIGRAM_MULTIPLIER + word_hash[pair + 1]
        if self.word_ngrams[1] == 2:
            rows.append(word_rows[pair])
            columns.append(_columns(pair_hash, _SALT_BIGRAM, self._bits))
            starts.append(word_starts[pair])
            ends.append(word_ends[pair + 1])
            kinds.append(np.full(len(pair), KIND_BIGRAM, dtype=np.int8))

        if len(self._lexicon_hashes):
            for candidate, candidate_rows, begin, end in (
                (word_hash, word_rows, word_starts, word_ends),
                (pair_hash, word_rows[pair], word_starts[pair], word_ends[pair + 1]),
            ):
                maybe = np.flatnonzero(self._lexicon_filter[(candidate & _FILTER_MASK).astype(np.int64)])
                slot = np.searchsorted(self._lexicon_hashes, candidate[maybe])
                slot[slot == len(self._lexicon_hashes)] = 0
                found = self._lexicon_hashes[slot] == candidate[maybe]
                hit, slot = maybe[found], slot[found]
                if len(hit) == 0:
                    continue
                rows.append(candidate_rows[hit])
                columns.append(self._lexicon_columns[slot])
                starts.append(begin[hit])
                ends.append(end[hit])
                kinds.append(np.full(len(hit), KIND_LEXICON, dtype=np.int8))
        return _Words(
            np.concatenate(rows),
            np.concatenate(columns),
            np.concatenate(starts),
            np.concatenate(ends),
            np.concatenate(kinds),
            (word_hash, word_rows, word_starts, word_ends),
        )

    def _near(self, batch: _Batch, words: _Words) -> _Words | None:
        """The near block: each of a text's first MAX_GROUP_MENTIONS group words with each word at most
        ``near_words`` away in the same sentence. Every pair's "a group word near w" feature comes first, then
        every pair's "a word of this kind near w", then every pair's "this group word near w", each in the
        order of the group words and, for one group word, of the distance from -near_words to +near_words.
        None when there are no pairs."""
        word_hash, word_rows, word_starts, word_ends = words.plain
        if not (self.near_words and len(self._group_hashes) and len(word_hash)):
            return None
        slot = np.searchsorted(self._group_hashes, word_hash)
        slot[slot == len(self._group_hashes)] = 0
        group = np.flatnonzero(self._group_hashes[slot] == word_hash)
        group_rows = word_rows[group]
        group = group[np.arange(len(group)) - np.searchsorted(group_rows, group_rows) < MAX_GROUP_MENTIONS]
        if len(group) == 0:
            return None
        sentence = np.cumsum(np.isin(batch.codes[: batch.size], _SENTENCE_ENDS))[word_starts]
        distances = np.array([d for d in range(-self.near_words, self.near_words + 1) if d], dtype=np.int64)
        near = (group[:, None] + distances[None, :]).ravel()
        first = np.repeat(group, len(distances))
        valid = (near >= 0) & (near < len(word_hash))
        first, near = first[valid], near[valid]
        same = (word_rows[first] == word_rows[near]) & (sentence[first] == sentence[near])
        first, near = first[same], near[same]
        if len(first) == 0:
            return None
        begin = np.minimum(word_starts[first], word_starts[near])
        end = np.maximum(word_ends[first], word_ends[near])
        # Negation words counted before each word: a pair is negated when one stands strictly between.
        negations = np.concatenate([[0], np.cumsum(np.isin(word_hash, self._negation_hashes))])
        low, high = np.minimum(first, near), np.maximum(first, near)
        negated = negations[high] - negations[low + 1] > 0
        if len(self._frame_hashes):
            # The last frame word before each pair's earlier word: the pair is framed when it is in the same
            # text and sentence and at most near_words before.
            at = np.arange(len(word_hash))
            last_frame = np.maximum.accumulate(np.where(np.isin(word_hash, self._frame_hashes), at, -1))
            frame = np.concatenate([[-1], last_frame])[low]
            seen = np.maximum(frame, 0)
            negated |= (
                (frame >= 0)
                & (word_rows[seen] == word_rows[low])
                & (sentence[seen] == sentence[low])
                & (low - frame <= self.near_words)
            )
        negated = np.where(negated, _NEGATED, np.uint64(0))
        with np.errstate(over="ignore"):
            of_kind = self._group_kinds[slot[first]] * _BIGRAM_MULTIPLIER + word_hash[near]
            specific = word_hash[first] * _BIGRAM_MULTIPLIER + word_hash[near]
            salted = (
                (word_hash[near] + negated, _SALT_NEAR_GROUP),
                (of_kind + negated, _SALT_NEAR_KIND),
                (specific + negated, _SALT_NEAR_WORD),
            )
        return _Words(
            np.tile(word_rows[first], 3),
            np.concatenate([_columns(hashes, salt, self._bits) for hashes, salt in salted]),
            np.tile(begin, 3),
            np.tile(end, 3),
            np.full(3 * len(first), KIND_NEAR, dtype=np.int8),
        )

    def _block_values(
        self, rows: np.ndarray, columns: np.ndarray, n_texts: int, smoothing: float
    ) -> np.ndarray:
        """Each occurrence's value in one block: ``idf / sqrt(smoothing + sum of idf ** 2 over the block)``."""
        idf = self.idf[columns] if self.idf is not None else np.ones(len(columns), dtype=np.float32)
        squares = np.bincount(rows, weights=idf.astype(np.float64) ** 2, minlength=n_texts)
        norms = np.sqrt(squares + smoothing)
        return idf / np.maximum(norms, 1e-6)[rows]


def _filter_of(hashes: np.ndarray) -> np.ndarray:
    """Which low 16 bits occur among ``hashes``: a word whose bits are not set cannot be one of them, which
    rules out nearly every word with one small gather instead of a binary search."""
    bits = np.zeros(_FILTER_SIZE, dtype=bool)
    bits[(hashes & _FILTER_MASK).astype(np.int64)] = True
    return bits


def _segment_hashes(codes: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Polynomial hash of each codes[start:end], from prefix sums: O(len(codes)) for all words at once."""
    if len(starts) == 0:
        return np.zeros(0, dtype=np.uint64)
    size = len(codes)
    with np.errstate(over="ignore"):
        powers = np.full(size + 1, _PRIME, dtype=np.uint64)
        powers[0] = 1
        np.cumprod(powers, out=powers)
        inverse = np.full(size + 1, _PRIME_INVERSE, dtype=np.uint64)
        inverse[0] = 1
        np.cumprod(inverse, out=inverse)
        prefix = np.zeros(size + 1, dtype=np.uint64)
        np.cumsum(codes * powers[:size], out=prefix[1:])
        # sum_{k in [s, e)} c_k P^k, shifted down by P^-s: the same value wherever the word stands.
        return (prefix[ends] - prefix[starts]) * inverse[starts]


def _phrase_hash(phrase: str) -> int:
    """The hash :meth:`Featurizer._words` gives a one- or two-word phrase (to match lexicon terms)."""
    hashes = []
    for word in phrase.split():
        codes = np.frombuffer(word.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
        hashes.append(int(_segment_hashes(codes, np.array([0]), np.array([len(codes)]))[0]))
    if len(hashes) == 1:
        return hashes[0]
    if len(hashes) == 2:
        return (hashes[0] * int(_BIGRAM_MULTIPLIER) + hashes[1]) % 2**64
    raise ValueError(f"lexicon terms are one or two words: {phrase!r}")
