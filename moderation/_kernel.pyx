# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""The compiled scoring core: ASCII normalization, the featurizer's ``X @ W``, exact reasons, and the results
as objects and JSON, one pass per text in C.

Each is the fast form of a definition that stays in Python, and tests hold it to that definition:

* :func:`fold_ascii` applies :func:`moderation.normalize._fold`'s rules to ASCII comments that none of the rare
  rules (URLs, mentions, the echo, ``$``) can touch. The regular expressions in ``normalize.py`` are the
  reference for what the rules mean; tests/test_kernel.py checks this against them on thousands of texts.
* :class:`Hasher` hashes word and character n-grams exactly as :meth:`moderation.features.Featurizer.occurrences`
  does (same constants, passed in from there) and sums the scoring table's rows per text without building a
  matrix (:meth:`Hasher.dot`), with the GIL released while it loops. :meth:`Hasher.explain` computes exact
  reasons from the same rows, in the order of the numpy implementation kept in tests/explain_reference.py
  (tests/test_explain_kernel.py: the same reasons, weights equal as floats).
* :func:`label_scores` builds the result objects (LabelScore tuples with their reasons, Scores around them),
  :func:`json_members` and :func:`json_objects` write them as JSON, byte for byte what ``json.dumps`` writes
  (tests/test_explain_kernel.py), handing anything not made of the expected types back to it.

No mutable state: a Hasher is immutable once built, every call allocates its own scratch memory (the only
module-level data are two lookup tables of character classes, filled at import), so any number of threads
can use one model at once.
"""

from libc.stdint cimport int8_t, int64_t, uint8_t, uint16_t, uint32_t, uint64_t
from libc.stdlib cimport free, malloc, realloc
from libc.string cimport memcmp, memcpy, memset
from libc.math cimport sqrt
from cpython.bytes cimport PyBytes_FromStringAndSize
from cpython.object cimport PyObject

import numpy as np

cdef extern from *:
    """
    /* Strings built by the legacy (pre-3.3) API may need their canonical form built before their data is read;
       PyUnicode_READY is a no-op from 3.12 and deprecated there. */
    static int moderate_ready(PyObject *text) {
    #if PY_VERSION_HEX < 0x030C0000
        return PyUnicode_READY(text);
    #else
        (void)text;
        return 0;
    #endif
    }
    #if defined(__GNUC__)
    #define moderate_prefetch(address) __builtin_prefetch(address)
    #else
    #define moderate_prefetch(address) ((void)0)
    #endif
    """
    int moderate_ready(object text) except -1
    void moderate_prefetch(const void *address) noexcept nogil
    bint PyUnicode_Check(object text)
    bint PyUnicode_IS_ASCII(object text)
    int PyUnicode_KIND(object text)
    void *PyUnicode_DATA(object text)
    Py_ssize_t PyUnicode_GET_LENGTH(object text)
    object PyUnicode_DecodeASCII(const char *data, Py_ssize_t size, const char *errors)
    object PyUnicode_FromKindAndData(int kind, const void *buffer, Py_ssize_t size)
    int PyUnicode_4BYTE_KIND


ctypedef struct Text:
    const void *data  # the str's own code points; the caller holds a reference to the str while this is used
    Py_ssize_t length
    int kind  # 1, 2 or 4 bytes per code point


cdef Text *_collect(tuple texts, Py_ssize_t *longest) except NULL:
    """The code points of every text, for reading without the GIL (``texts`` keeps them alive)."""
    cdef Py_ssize_t n = len(texts), i
    cdef Text *collected = <Text *> malloc((n + 1) * sizeof(Text))
    if collected == NULL:
        raise MemoryError()
    longest[0] = 0
    for i in range(n):
        text = texts[i]
        if not PyUnicode_Check(text):
            free(collected)
            raise TypeError(f"texts must be str, not {type(text).__name__}")
        moderate_ready(text)
        collected[i].length = PyUnicode_GET_LENGTH(text)
        collected[i].data = PyUnicode_DATA(text)
        collected[i].kind = PyUnicode_KIND(text)
        if collected[i].length > longest[0]:
            longest[0] = collected[i].length
    return collected


cdef inline uint32_t _code_at(const Text *text, Py_ssize_t i) noexcept nogil:
    if text.kind == 1:
        return (<const uint8_t *> text.data)[i]
    if text.kind == 2:
        return (<const uint16_t *> text.data)[i]
    return (<const uint32_t *> text.data)[i]


# ---- normalization ---------------------------------------------------------------------------------------

cdef enum Outcome:
    FOLDED = 0  # folded here, final
    NEEDS_REGEX = 1  # not ASCII, or a rare rule may apply: normalize.py's regular expressions fold it
    NEEDS_SQUEEZE = 2  # folded here; repeats words enough that normalize._squeeze_phrases must look at it


cdef enum CharacterClass:
    LETTER = 1  # [a-z]: text is lower-cased first
    JOINER = 2  # [ .*_-]
    LEAD = 4  # [\s\x00(\"'] in text whose control characters are spaces already and which has no NUL
    BLOCKS_SPACED = 8  # [\w*-] in ASCII lower-case text: letters, digits, _ * -

# Written once, when the module is imported, and only read afterwards.
cdef uint8_t _CLASSES[256]
cdef uint8_t _LEET[256]  # normalize._LEET_TABLE without "$" (a text with "$" goes to the regular expressions)


cdef void _fill_tables() noexcept:
    cdef int c
    for c in range(256):
        _CLASSES[c] = 0
        _LEET[c] = 0
    for c in range(97, 123):
        _CLASSES[c] |= LETTER | BLOCKS_SPACED
    for c in b"0123456789_*-":
        _CLASSES[c] |= BLOCKS_SPACED
    for c in b" .*_-":
        _CLASSES[c] |= JOINER
    for c in b" (\"'":
        _CLASSES[c] |= LEAD
    for c, letter in zip(b"013457", b"oieast"):
        _LEET[c] = letter


_fill_tables()


cdef inline bint _is_letter(uint8_t c) noexcept nogil:
    return _CLASSES[c] & LETTER


cdef inline bint _is_joiner(uint8_t c) noexcept nogil:
    return _CLASSES[c] & JOINER


cdef inline bint _is_lead(uint8_t c) noexcept nogil:
    return _CLASSES[c] & LEAD


cdef inline bint _blocks_spaced(uint8_t c) noexcept nogil:
    return _CLASSES[c] & BLOCKS_SPACED


cdef inline int _leet_letter(uint8_t c) noexcept nogil:
    return _LEET[c]  # 0: not a leet digit


cdef inline bint _ends_with(const uint8_t *out, Py_ssize_t end, const char *literal, Py_ssize_t size) noexcept nogil:
    return end >= size and memcmp(out + end - size, literal, size) == 0


cdef enum Needs:
    RARE = 1  # a literal of a rare rule: the regular expressions must fold the text
    SPACED = 2  # a lead, then three single letters with joiners between them: _SPACED may match
    LEET = 4  # a leet digit after a letter: _LEET may match
    SQUEEZE = 8  # a letter three times, or two spaces: _REPEATS or _SPACES may match


cdef Py_ssize_t _lower_and_spaces(const uint8_t *text, Py_ssize_t n, uint8_t *out, int *needs,
                                  Py_ssize_t *spaces) noexcept nogil:
    """``_ASCII_CONTROLS.sub(" ", " " + text.lower())``, and which later rules can match in the result.

    Each flag is a necessary condition for its rule to change anything (the rare rules run only where their
    literal is: "http", "www.", "@", "<user>", "(((", ")))", "$", NUL), so a rule whose flag is off is skipped.
    _SPACED never makes a leet digit follow a letter (its lookahead refuses a digit after its last letter).
    ``spaces``: how many spaces it wrote (the later rules only remove spaces and characters)."""
    cdef Py_ssize_t i, o = 1
    cdef uint8_t c
    cdef bint in_controls = False
    out[0] = 32
    needs[0] = 0
    spaces[0] = 1
    for i in range(n):
        c = text[i]
        if 1 <= c <= 31 or c == 127:
            if not in_controls:  # a run of control characters is one space
                out[o] = 32
                spaces[0] += 1
                if out[o - 1] == 32:
                    needs[0] |= SQUEEZE
                o += 1
            in_controls = True
            continue
        in_controls = False
        if 65 <= c <= 90:
            c += 32
        out[o] = c
        o += 1
        if _is_letter(c):
            if o >= 3 and out[o - 2] == c and out[o - 3] == c:
                needs[0] |= SQUEEZE
            elif (
                o >= 6 and _is_joiner(out[o - 2]) and _is_letter(out[o - 3]) and _is_joiner(out[o - 4])
                and _is_letter(out[o - 5]) and _is_lead(out[o - 6])
            ):
                needs[0] |= SPACED
        elif c == 32:
            spaces[0] += 1
            if out[o - 2] == 32:
                needs[0] |= SQUEEZE
        elif _leet_letter(c):
            if _is_letter(out[o - 2]):
                needs[0] |= LEET
        if c <= 64 or c == 112:  # the last characters of the rare rules' literals
            if c == 64 or c == 36 or c == 0:  # @ $ NUL
                needs[0] |= RARE
            elif c == 112 and o >= 4 and out[o - 4] == 104 and out[o - 3] == 116 and out[o - 2] == 116:
                needs[0] |= RARE  # http
            elif c == 46 and o >= 4 and out[o - 4] == 119 and out[o - 3] == 119 and out[o - 2] == 119:
                needs[0] |= RARE  # www.
            elif c == 62 and _ends_with(out, o, b"<user>", 6):
                needs[0] |= RARE
            elif (c == 40 or c == 41) and o >= 3 and out[o - 3] == c and out[o - 2] == c:
                needs[0] |= RARE  # ((( )))
    return o


cdef Py_ssize_t _join_spaced(const uint8_t *s, Py_ssize_t m, uint8_t *out) noexcept nogil:
    """``_SPACED.sub``: ``(?P<lead>[\\s\\x00(\\"'])(?P<letters>[a-z](?:[ .*_-][a-z]){2,})(?![\\w*-])`` -> the lead,
    then the letters without their joiners.

    re.sub tries each position of the original string from the left and resumes after a match. A match is a
    lead, a letter, then r >= 2 (joiner, letter) pairs; the greedy repeat takes every pair it can, then gives
    them back one at a time until the character after the last letter passes the lookahead (or r < 2).
    """
    cdef Py_ssize_t p = 0, o = 0, j, r, end, k
    while p < m:
        if _is_lead(s[p]) and p + 1 < m and _is_letter(s[p + 1]):
            r = 0
            j = p + 2  # the joiner of pair r + 1
            while j + 1 < m and _is_joiner(s[j]) and _is_letter(s[j + 1]):
                r += 1
                j += 2
            while r >= 2:
                end = p + 2 + 2 * r  # just after the last letter
                if end >= m or not _blocks_spaced(s[end]):
                    break
                r -= 1
            if r >= 2:
                out[o] = s[p]
                o += 1
                for k in range(r + 1):
                    out[o] = s[p + 1 + 2 * k]
                    o += 1
                p = p + 2 + 2 * r
                continue
        out[o] = s[p]
        o += 1
        p += 1
    return o


cdef Py_ssize_t _read_leet(const uint8_t *s, Py_ssize_t m, uint8_t *out) noexcept nogil:
    """``_LEET.sub``: ``[a-z][013457]+(?=[a-z])`` -> the letter, then the digits read as letters. The greedy
    digit run can only succeed whole (giving a digit back leaves a digit, not a letter, next), and the letter
    after it is not consumed, so it may begin the next match ("j3w3s")."""
    cdef Py_ssize_t p = 0, j, k
    memcpy(out, s, m)
    while p < m:
        if _is_letter(s[p]) and p + 1 < m and _leet_letter(s[p + 1]):
            j = p + 1
            while j < m and _leet_letter(s[j]):
                j += 1
            if j < m and _is_letter(s[j]):
                for k in range(p + 1, j):
                    out[k] = <uint8_t> _leet_letter(s[k])
                p = j
                continue
        p += 1
    return m


cdef Py_ssize_t _squeeze_letters_and_spaces(const uint8_t *s, Py_ssize_t m, uint8_t *out) noexcept nogil:
    """``_REPEATS.sub`` (``([a-z])\\1\\1+`` -> two of the letter: scanning from the left, every maximal run of
    one letter meets the pattern at its first letter), then ``_SPACES.sub`` (``"  +"`` -> one space), which a
    run of spaces meets the same way; the two touch different characters, so one pass does both."""
    cdef Py_ssize_t p = 0, o = 0, j
    cdef uint8_t c
    while p < m:
        c = s[p]
        j = p + 1
        out[o] = c
        o += 1
        if _is_letter(c) or c == 32:
            while j < m and s[j] == c:
                j += 1
            if j - p >= 2 and c != 32:  # a letter: at most two of it; a space: one
                out[o] = c
                o += 1
        p = j
    return o


cdef inline uint64_t _bytes_hash(const uint8_t *s, Py_ssize_t n) noexcept nogil:
    cdef uint64_t h = 14695981039346656037ULL  # FNV-1a, for the word set only
    cdef Py_ssize_t i
    for i in range(n):
        h = (h ^ s[i]) * 1099511628211ULL
    return h


cdef bint _repeats_itself(const uint8_t *s, Py_ssize_t m, Py_ssize_t most_words, int64_t *slots) noexcept nogil:
    """``_squeeze_phrases``' cheap test, negated: ``len(set(words)) * 2 <= len(words)`` for single-spaced
    text (an empty text counts: no words is not more unique words than half of none).

    ``most_words`` is at least the number of words (the spaces _lower_and_spaces wrote, and one), so the
    answer is known as soon as more than half of that many have been seen to differ, which in most comments
    is about halfway: only a text that repeats itself is read to its end. ``slots`` holds at least ``m + 2``
    entries."""
    cdef Py_ssize_t words = 0, unique = 0, p = 0, start, size, other, other_size
    cdef Py_ssize_t capacity = 2
    cdef uint64_t mask, slot
    cdef int64_t entry
    most_words = min(most_words, m)  # a word and its space take two characters
    # At most most_words // 2 + 1 distinct words go in before the answer is known: the table is at most half
    # full.
    while capacity < most_words + 2:
        capacity *= 2
    mask = <uint64_t> capacity - 1
    memset(slots, 0xFF, capacity * sizeof(int64_t))  # -1: empty
    while p < m:
        start = p
        while p < m and s[p] != 32:
            p += 1
        size = p - start
        p += 1
        if size == 0:
            continue
        words += 1
        slot = _bytes_hash(s + start, size) & mask
        while True:
            entry = slots[slot]
            if entry < 0:
                slots[slot] = start
                unique += 1
                if unique * 2 > most_words:
                    return False
                break
            other = entry
            other_size = 0
            while other + other_size < m and s[other + other_size] != 32:
                other_size += 1
            if other_size == size and memcmp(s + other, s + start, size) == 0:
                break
            slot = (slot + 1) & mask
    return unique * 2 <= words


cdef int _fold_one(
    const uint8_t *text, Py_ssize_t n, uint8_t *a, uint8_t *b, int64_t *slots,
    const uint8_t **folded, Py_ssize_t *size,
) noexcept nogil:
    """One ASCII text through the rules, in _fold's order, between buffers ``a`` and ``b``."""
    cdef int needs
    cdef Py_ssize_t m, start, spaces
    cdef uint8_t *source = a
    cdef uint8_t *target = b
    m = _lower_and_spaces(text, n, a, &needs, &spaces)
    if needs & RARE:
        return NEEDS_REGEX
    if needs & SPACED:
        m = _join_spaced(source, m, target)
        source, target = target, source
    if needs & LEET:
        m = _read_leet(source, m, target)
        source, target = target, source
    if needs & (SPACED | LEET | SQUEEZE):  # joined letters or read digits may make a run of one letter
        m = _squeeze_letters_and_spaces(source, m, target)
        source, target = target, source
    start = 0
    while start < m and source[start] == 32:
        start += 1
    while m > start and source[m - 1] == 32:
        m -= 1
    folded[0] = source + start
    size[0] = m - start
    # The rules after _lower_and_spaces only take spaces and characters away: no more words than it wrote
    # spaces, and one.
    return NEEDS_SQUEEZE if _repeats_itself(source + start, m - start, spaces + 1, slots) else FOLDED


cdef enum:
    KEPT = 0xFF  # in fold_ascii's buffers: a non-ASCII character no rule touches, kept as it is
    MAX_PIECE = 4  # the longest fold fold_ascii's table may give one character


cdef Py_ssize_t _fold_unicode_one(
    const Text *text, const uint32_t *codes, const uint32_t *starts, const uint8_t *pieces, Py_ssize_t n_codes,
    Py_ssize_t n_pieces, uint8_t *out, uint32_t *kept, Py_ssize_t *n_kept,
) noexcept nogil:
    """``normalize._fold_unicode`` of a text whose every non-ASCII character is in the table (``codes``
    sorted, ``pieces[starts[i]:starts[i + 1]]`` what ``codes[i]`` folds to), as ASCII bytes in ``out``: each
    character's fold in turn. A piece that is the one byte ``KEPT`` stands for the character itself, which
    goes into ``kept``. -1 if a character is not in the table, or its entry is not one fold_ascii allows
    (checked here, where it is read, rather than the whole table on every call)."""
    cdef Py_ssize_t i, o = 0, low, high, middle, j
    cdef uint32_t code, first, end
    n_kept[0] = 0
    for i in range(text.length):
        code = _code_at(text, i)
        if code < 128:  # the table's first entries: each ASCII character, one ASCII byte each
            low = code
            if codes[low] != code:
                return -1
        else:
            low, high = 0, n_codes
            while low < high:
                middle = (low + high) // 2
                if codes[middle] < code:
                    low = middle + 1
                else:
                    high = middle
            if low == n_codes or codes[low] != code:
                return -1
        first, end = starts[low], starts[low + 1]
        if end < first or end > n_pieces or end - first > MAX_PIECE or (code < 128 and end - first != 1):
            return -1
        if end - first == 1 and pieces[first] == KEPT and code >= 128:
            kept[n_kept[0]] = code
            n_kept[0] += 1
            out[o] = KEPT
            o += 1
            continue
        for j in range(first, end):
            if pieces[j] >= 128:
                return -1
            out[o] = pieces[j]
            o += 1
    return o


cdef class FoldTable:
    """:func:`fold_ascii`'s table of non-ASCII characters, built once (``normalize._kernel_folds``) and
    immutable: ``codes`` (uint32, sorted, from the 128 ASCII ones), ``starts`` (uint32, one more) and
    ``pieces`` (uint8), ``pieces[starts[i]:starts[i + 1]]`` being what ``codes[i]`` folds to. Held here so
    that a call reads it without taking a buffer of each array again."""

    cdef const uint32_t[::1] codes
    cdef const uint32_t[::1] starts
    cdef const uint8_t[::1] pieces

    def __cinit__(self, const uint32_t[::1] codes, const uint32_t[::1] starts, const uint8_t[::1] pieces):
        if starts.shape[0] != codes.shape[0] + 1 or codes.shape[0] < 128 or pieces.shape[0] == 0:
            raise ValueError("codes (from the 128 ASCII ones), starts (one more) and pieces go together")
        self.codes = codes
        self.starts = starts
        self.pieces = pieces


def fold_ascii(texts, FoldTable folds=None):
    """``texts`` folded by the ASCII-level rules where this can do it: ``(folded, regex_rows, squeeze_rows)``.

    ``folded[i]`` is text i normalized, or None for the rows in ``regex_rows`` (not ASCII, or holding a literal
    of a rare rule), which the regular expressions must fold; the texts in ``squeeze_rows`` are folded but
    repeat words enough that :func:`moderation.normalize._squeeze_phrases` must still see them.

    Each text is folded on its own. That is what the joined batch of the regular-expression path computes too:
    no rule matches across or looks past the NUL that separates texts there (their classes and lookaheads
    exclude it, and it is a lead for ``_SPACED`` exactly as the space put before the first text is).

    With a table of characters (``folds``, a :class:`FoldTable`: what each folds to, at most ``MAX_PIECE``
    ASCII bytes (one for an ASCII character), or the one byte ``KEPT``: the character stays as it is; an entry
    that is not leaves its texts to the regular expressions), a text whose every non-ASCII character is in it is folded here too: ``normalize._fold_unicode``
    character by character (the table says which characters that equals the whole text's fold for), then
    the rules. A kept character is one none of the rules can match or change (no letter, digit, space or
    mark), so it behaves as ASCII punctuation does; it is put back in its place in the result.
    """
    cdef tuple sequence = tuple(texts)
    cdef Py_ssize_t n = len(sequence), i, j, longest, total = 0, capacity = 2, size, width, m, n_kept, used
    cdef Py_ssize_t n_codes = 0, n_pieces = 0, kept_total = 0
    cdef bint with_table = folds is not None
    cdef Text *collected = _collect(sequence, &longest)
    cdef uint8_t *a = NULL
    cdef uint8_t *b = NULL
    cdef uint8_t *prepared = NULL
    cdef uint8_t *joined = NULL
    cdef uint8_t *is_ascii = NULL
    cdef uint32_t *kept = NULL
    cdef uint32_t *wide = NULL
    cdef int64_t *slots = NULL
    cdef Py_ssize_t *offsets = NULL
    cdef Py_ssize_t *sizes = NULL
    cdef Py_ssize_t *kept_at = NULL
    cdef int *outcomes = NULL
    cdef const uint8_t *folded
    cdef const uint32_t *no_codes = NULL
    cdef const uint32_t *no_starts = NULL
    cdef const uint8_t *no_pieces = NULL
    try:
        is_ascii = <uint8_t *> malloc(n + 1)
        if is_ascii == NULL:
            raise MemoryError()
        for i in range(n):
            is_ascii[i] = PyUnicode_IS_ASCII(sequence[i])
            if is_ascii[i]:
                total += collected[i].length + 1
            elif with_table:
                total += MAX_PIECE * collected[i].length + 1
                kept_total += collected[i].length
        width = MAX_PIECE * longest + 2 if with_table else longest + 2
        while capacity < width:
            capacity *= 2
        if with_table:
            n_codes, n_pieces = folds.codes.shape[0], folds.pieces.shape[0]
            no_codes, no_starts, no_pieces = &folds.codes[0], &folds.starts[0], &folds.pieces[0]
        a = <uint8_t *> malloc(width)
        b = <uint8_t *> malloc(width)
        prepared = <uint8_t *> malloc(width)
        joined = <uint8_t *> malloc(total + 1)
        kept = <uint32_t *> malloc((kept_total + 1) * sizeof(uint32_t))
        wide = <uint32_t *> malloc(width * sizeof(uint32_t))
        slots = <int64_t *> malloc(capacity * sizeof(int64_t))
        offsets = <Py_ssize_t *> malloc((n + 1) * sizeof(Py_ssize_t))
        sizes = <Py_ssize_t *> malloc((n + 1) * sizeof(Py_ssize_t))
        kept_at = <Py_ssize_t *> malloc((n + 1) * sizeof(Py_ssize_t))
        outcomes = <int *> malloc((n + 1) * sizeof(int))
        if not (a and b and prepared and joined and kept and wide and slots and offsets and sizes and kept_at
                and outcomes):
            raise MemoryError()
        with nogil:
            total = 0
            used = 0
            for i in range(n):
                offsets[i] = total
                sizes[i] = 0
                kept_at[i] = used
                if is_ascii[i]:
                    outcomes[i] = _fold_one(
                        <const uint8_t *> collected[i].data, collected[i].length, a, b, slots, &folded, &size,
                    )
                else:
                    m = -1
                    if with_table:
                        m = _fold_unicode_one(
                            &collected[i], no_codes, no_starts, no_pieces, n_codes, n_pieces, prepared, kept + used,
                            &n_kept,
                        )
                    if m < 0:
                        outcomes[i] = NEEDS_REGEX
                        continue
                    used += n_kept
                    outcomes[i] = _fold_one(prepared, m, a, b, slots, &folded, &size)
                if outcomes[i] != NEEDS_REGEX:
                    memcpy(joined + total, folded, size)
                    sizes[i] = size
                    total += size
            kept_at[n] = used
        results = [None] * n
        regex_rows = []
        squeeze_rows = []
        for i in range(n):
            if outcomes[i] == NEEDS_REGEX:
                regex_rows.append(i)
                continue
            if kept_at[i + 1] == kept_at[i]:
                results[i] = PyUnicode_DecodeASCII(<const char *> joined + offsets[i], sizes[i], NULL)
            else:  # the kept characters back in their places, in order (no rule drops or moves one)
                used = kept_at[i]
                for j in range(sizes[i]):
                    if joined[offsets[i] + j] == KEPT:
                        wide[j] = kept[used]
                        used += 1
                    else:
                        wide[j] = joined[offsets[i] + j]
                results[i] = PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, wide, sizes[i])
            if outcomes[i] == NEEDS_SQUEEZE:
                squeeze_rows.append(i)
        return results, regex_rows, squeeze_rows
    finally:
        free(collected)
        free(is_ascii)
        free(a)
        free(b)
        free(prepared)
        free(joined)
        free(kept)
        free(wide)
        free(slots)
        free(offsets)
        free(sizes)
        free(kept_at)
        free(outcomes)


# ---- features --------------------------------------------------------------------------------------------


ctypedef struct Scratch:
    uint32_t *codes  # the text padded with a space at either end
    uint64_t *hashes  # the hash of the character window starting at each position
    int64_t *char_columns
    Py_ssize_t n_char
    int64_t *word_columns
    int8_t *word_kinds
    Py_ssize_t n_word
    # Per word feature, for explanations: its span in the normalized text ([start, end), the padding space in
    # front being -1) and its group in Featurizer.occurrences' order (words, pairs, lexicon words, lexicon pairs).
    Py_ssize_t *word_starts
    Py_ssize_t *word_ends
    uint8_t *word_groups
    # Per word (not per feature): its hash, sentence and stretch, for the pairs of group words and near words.
    # Once the pairs are found, _near reuses word_sentences (size + 1) for the negation words counted before
    # each word.
    uint64_t *word_hashes
    Py_ssize_t *word_sentences
    Py_ssize_t *plain_starts
    Py_ssize_t *plain_ends
    # The pairs (group word, near word) and the near block: Featurizer.occurrences' third block, in its order.
    Py_ssize_t *pair_first
    Py_ssize_t *pair_near
    Py_ssize_t *pair_slot
    uint8_t *pair_framed
    int64_t *near_columns
    Py_ssize_t *near_starts
    Py_ssize_t *near_ends
    Py_ssize_t n_near


cdef enum:
    # A text's first 64 group words are paired, each with at most 2 * 16 near words, as three features: a
    # fixed bound, whatever the text's length. features.py reads them from NEAR_LIMITS.
    MAX_GROUP_MENTIONS = 64
    MAX_NEAR_WORDS = 16
    MAX_PAIRS = MAX_GROUP_MENTIONS * 2 * MAX_NEAR_WORDS
    MAX_NEAR = 3 * MAX_PAIRS

NEAR_LIMITS = (MAX_GROUP_MENTIONS, MAX_NEAR_WORDS)


cdef enum WordGroup:
    # Featurizer.occurrences lists a text's word features in this order: every word, every pair, then the
    # lexicon words and the lexicon pairs (explanations add them up in that order, as its sums do).
    GROUP_WORD = 0
    GROUP_PAIR = 1
    GROUP_LEXICON_WORD = 2
    GROUP_LEXICON_PAIR = 3


cdef void _allocate(Scratch *scratch, Py_ssize_t longest, Py_ssize_t ngram_sizes) noexcept:
    """Buffers for texts of up to ``longest`` code points; all NULL if memory ran out."""
    cdef Py_ssize_t size = longest + 2
    scratch.codes = <uint32_t *> malloc(size * sizeof(uint32_t))
    scratch.hashes = <uint64_t *> malloc(size * sizeof(uint64_t))
    scratch.char_columns = <int64_t *> malloc(size * ngram_sizes * sizeof(int64_t))
    # Per word at most: itself, its lexicon term, a pair and the pair's lexicon term.
    scratch.word_columns = <int64_t *> malloc(4 * size * sizeof(int64_t))
    scratch.word_kinds = <int8_t *> malloc(4 * size)
    scratch.word_starts = <Py_ssize_t *> malloc(4 * size * sizeof(Py_ssize_t))
    scratch.word_ends = <Py_ssize_t *> malloc(4 * size * sizeof(Py_ssize_t))
    scratch.word_groups = <uint8_t *> malloc(4 * size)
    scratch.word_hashes = <uint64_t *> malloc(size * sizeof(uint64_t))
    scratch.word_sentences = <Py_ssize_t *> malloc((size + 1) * sizeof(Py_ssize_t))
    scratch.plain_starts = <Py_ssize_t *> malloc(size * sizeof(Py_ssize_t))
    scratch.plain_ends = <Py_ssize_t *> malloc(size * sizeof(Py_ssize_t))
    scratch.pair_first = <Py_ssize_t *> malloc(MAX_PAIRS * sizeof(Py_ssize_t))
    scratch.pair_near = <Py_ssize_t *> malloc(MAX_PAIRS * sizeof(Py_ssize_t))
    scratch.pair_slot = <Py_ssize_t *> malloc(MAX_PAIRS * sizeof(Py_ssize_t))
    scratch.pair_framed = <uint8_t *> malloc(MAX_PAIRS)
    scratch.near_columns = <int64_t *> malloc(MAX_NEAR * sizeof(int64_t))
    scratch.near_starts = <Py_ssize_t *> malloc(MAX_NEAR * sizeof(Py_ssize_t))
    scratch.near_ends = <Py_ssize_t *> malloc(MAX_NEAR * sizeof(Py_ssize_t))
    scratch.n_char = scratch.n_word = scratch.n_near = 0
    if not (
        scratch.codes and scratch.hashes and scratch.char_columns and scratch.word_columns and scratch.word_kinds
        and scratch.word_starts and scratch.word_ends and scratch.word_groups and scratch.word_hashes
        and scratch.word_sentences and scratch.plain_starts and scratch.plain_ends and scratch.pair_first
        and scratch.pair_near and scratch.pair_slot and scratch.pair_framed and scratch.near_columns and scratch.near_starts
        and scratch.near_ends
    ):
        _release(scratch)


cdef void _release(Scratch *scratch) noexcept:
    free(scratch.codes)
    free(scratch.hashes)
    free(scratch.char_columns)
    free(scratch.word_columns)
    free(scratch.word_kinds)
    free(scratch.word_starts)
    free(scratch.word_ends)
    free(scratch.word_groups)
    free(scratch.word_hashes)
    free(scratch.word_sentences)
    free(scratch.plain_starts)
    free(scratch.plain_ends)
    free(scratch.pair_first)
    free(scratch.pair_near)
    free(scratch.pair_slot)
    free(scratch.pair_framed)
    free(scratch.near_columns)
    free(scratch.near_starts)
    free(scratch.near_ends)
    scratch.codes = NULL
    scratch.hashes = NULL
    scratch.char_columns = NULL
    scratch.word_columns = NULL
    scratch.word_kinds = NULL
    scratch.word_starts = NULL
    scratch.word_ends = NULL
    scratch.word_groups = NULL
    scratch.word_hashes = NULL
    scratch.word_sentences = NULL
    scratch.plain_starts = NULL
    scratch.plain_ends = NULL
    scratch.pair_first = NULL
    scratch.pair_near = NULL
    scratch.pair_slot = NULL
    scratch.pair_framed = NULL
    scratch.near_columns = NULL
    scratch.near_starts = NULL
    scratch.near_ends = NULL


# ---- explanations ----------------------------------------------------------------------------------------

ctypedef struct Candidate:
    # A span that may become a reason for one (window, label), as Hasher.explain's first pass finds it.
    Py_ssize_t window
    Py_ssize_t label
    Py_ssize_t key  # the span's number in its window (in the order met), to read its n-gram once
    Py_ssize_t begin  # its stretch of the normalized text, white space at either edge left out (empty: none)
    Py_ssize_t end
    double total


ctypedef struct Explaining:
    # Working memory of Hasher.explain's first pass, for windows of up to a given length.
    float *values  # per occurrence, in Featurizer.occurrences' order: characters (by n, then position), words
    Py_ssize_t *word_order  # the window's word features in Featurizer.occurrences' order (by WordGroup)
    Py_ssize_t *word_at  # per position of the normalized text: the word covering it, or -1
    Py_ssize_t *word_begins  # per word, its stretch
    Py_ssize_t *word_ends
    int64_t *slot_codes  # an open-addressing table from a span's code to its number; -1: empty slot
    Py_ssize_t *slot_keys
    Py_ssize_t *key_starts  # per span, in the order met
    Py_ssize_t *key_ends
    double *totals  # per span, per label asked: the sum of its occurrences' contributions
    Py_ssize_t *best  # the spans kept for one label, strongest first
    Py_ssize_t *asked  # the labels asked for the window
    Py_ssize_t n_asked


cdef void _release_explaining(Explaining *e) noexcept:
    free(e.values)
    free(e.word_order)
    free(e.word_at)
    free(e.word_begins)
    free(e.word_ends)
    free(e.slot_codes)
    free(e.slot_keys)
    free(e.key_starts)
    free(e.key_ends)
    free(e.totals)
    free(e.best)
    free(e.asked)


cdef inline Py_ssize_t _occurrence_bound(Py_ssize_t length, Py_ssize_t ngram_sizes) noexcept nogil:
    """At most this many feature occurrences in a text of ``length`` code points (see _allocate)."""
    return (length + 2) * (ngram_sizes + 4) + MAX_NEAR


cdef inline Py_ssize_t _table_size(Py_ssize_t occurrences) noexcept nogil:
    cdef Py_ssize_t size = 16
    while size < 2 * occurrences:
        size *= 2
    return size


cdef bint _allocate_explaining(Explaining *e, Py_ssize_t longest, Py_ssize_t ngram_sizes, Py_ssize_t n_labels,
                               Py_ssize_t kept) noexcept:
    """Buffers for windows of up to ``longest`` code points; False (and nothing held) if memory ran out."""
    cdef Py_ssize_t size = longest + 2, occurrences = _occurrence_bound(longest, ngram_sizes)
    cdef Py_ssize_t table = _table_size(occurrences)
    e.values = <float *> malloc(occurrences * sizeof(float))
    e.word_order = <Py_ssize_t *> malloc(4 * size * sizeof(Py_ssize_t))
    e.word_at = <Py_ssize_t *> malloc(size * sizeof(Py_ssize_t))
    e.word_begins = <Py_ssize_t *> malloc(size * sizeof(Py_ssize_t))
    e.word_ends = <Py_ssize_t *> malloc(size * sizeof(Py_ssize_t))
    e.slot_codes = <int64_t *> malloc(table * sizeof(int64_t))
    e.slot_keys = <Py_ssize_t *> malloc(table * sizeof(Py_ssize_t))
    e.key_starts = <Py_ssize_t *> malloc(occurrences * sizeof(Py_ssize_t))
    e.key_ends = <Py_ssize_t *> malloc(occurrences * sizeof(Py_ssize_t))
    e.totals = <double *> malloc(occurrences * n_labels * sizeof(double))
    e.best = <Py_ssize_t *> malloc((kept + 1) * sizeof(Py_ssize_t))
    e.asked = <Py_ssize_t *> malloc((n_labels + 1) * sizeof(Py_ssize_t))
    e.n_asked = 0
    if (
        e.values and e.word_order and e.word_at and e.word_begins and e.word_ends and e.slot_codes
        and e.slot_keys and e.key_starts and e.key_ends and e.totals and e.best and e.asked
    ):
        return True
    _release_explaining(e)
    return False


cdef inline Py_ssize_t _word_at(const Explaining *e, Py_ssize_t position, Py_ssize_t length) noexcept nogil:
    return e.word_at[position] if 0 <= position < length else -1


cdef inline bint _stronger(const Explaining *e, Py_ssize_t a, Py_ssize_t b, Py_ssize_t asked) noexcept nogil:
    """Whether span ``a`` ranks before span ``b`` for the ``asked``-th label asked: a higher total; on a tie,
    the earlier span (start, then end), where a stable sort of the spans in text order leaves it."""
    cdef double total_a = e.totals[a * e.n_asked + asked], total_b = e.totals[b * e.n_asked + asked]
    if total_a != total_b:
        return total_a > total_b
    if e.key_starts[a] != e.key_starts[b]:
        return e.key_starts[a] < e.key_starts[b]
    return e.key_ends[a] < e.key_ends[b]


cdef Py_ssize_t _strongest(Explaining *e, Py_ssize_t n_keys, Py_ssize_t asked, Py_ssize_t kept) noexcept nogil:
    """``e.best[:count]``: the ``kept`` spans with the highest positive totals for the ``asked``-th label,
    strongest first (an insertion into a short sorted list per span: ``kept`` is twice the reasons asked)."""
    cdef Py_ssize_t count = 0, key, position
    for key in range(n_keys):
        if not e.totals[key * e.n_asked + asked] > 0:
            continue
        if count == kept:
            if kept == 0 or not _stronger(e, key, e.best[kept - 1], asked):
                continue
            position = kept - 1
        else:
            position = count
            count += 1
        while position > 0 and _stronger(e, key, e.best[position - 1], asked):
            e.best[position] = e.best[position - 1]
            position -= 1
        e.best[position] = key
    return count


cdef Py_ssize_t _plainly_folded_at(object source, Py_ssize_t begin, Py_ssize_t end, object normalized) except -2:
    """Where ``normalized`` starts in ``source`` if it is ``source[begin:end]`` folded one character for one, both
    ASCII, else -1: stripped, each character lower-cased, a control character a space or a leet digit the
    letter it reads as, and no rare rule's literal in it. Then each span of ``normalized`` comes from the same
    stretch of the source, shifted, as normalize_with_offsets maps it (tests/test_explain_kernel.py compares):

    * no rule lengthens an ASCII text but the rare ones (a URL, a mention, the echo), and every other rule
      that is not one for one shortens it, so the normalized text is as long as the stripped stretch only
      when each rule that changed it was one for one, and each character came from the one in its place;
    * but for a run of leet digits read together ("j00s"), each of which maps to the whole run. A run stands
      inside a word (after a letter, before one), and a reason's span is whole words or a stretch between
      words (:meth:`Hasher._sum_spans`), so no span starts or ends inside one: shifted, it is the same."""
    cdef Py_ssize_t size = PyUnicode_GET_LENGTH(normalized), i
    cdef const uint8_t *raw
    cdef const uint8_t *folded
    cdef uint8_t c, f
    cdef uint8_t *lowered
    cdef int needs
    cdef Py_ssize_t spaces
    if not (PyUnicode_Check(source) and PyUnicode_IS_ASCII(source) and PyUnicode_IS_ASCII(normalized)):
        return -1
    if not 0 <= begin <= end <= PyUnicode_GET_LENGTH(source):
        return -1
    raw = <const uint8_t *> PyUnicode_DATA(source)
    folded = <const uint8_t *> PyUnicode_DATA(normalized)
    while begin < end and Py_UNICODE_ISSPACE(raw[begin]):
        begin += 1
    while end > begin and Py_UNICODE_ISSPACE(raw[end - 1]):
        end -= 1
    if end - begin != size:
        return -1
    for i in range(size):
        c = raw[begin + i]
        f = folded[i]
        if 65 <= c <= 90:
            c += 32
        if c != f and not (f == 32 and (c < 32 or c == 127)) and not (_leet_letter(c) and f == _leet_letter(c)):
            return -1
    lowered = <uint8_t *> malloc(size + 2)
    if lowered == NULL:
        raise MemoryError()
    _lower_and_spaces(raw + begin, size, lowered, &needs, &spaces)
    free(lowered)
    return -1 if needs & RARE else begin


cdef inline Py_ssize_t _span_key(Explaining *e, Py_ssize_t start, Py_ssize_t end, Py_ssize_t size,
                                 Py_ssize_t table, Py_ssize_t *n_keys) noexcept nogil:
    """The number of span ``[start, end)`` of a text of ``size - 2`` code points, a new one the first time."""
    cdef int64_t code = (start + 1) * (size + 2) + (end + 1)  # start >= -1, end <= size - 1
    cdef Py_ssize_t probe = <Py_ssize_t> (((<uint64_t> code * 0x9E3779B97F4A7C15ULL) >> 32) & <uint64_t> (table - 1))
    cdef Py_ssize_t a
    while e.slot_codes[probe] != code:
        if e.slot_codes[probe] == -1:
            e.slot_codes[probe] = code
            e.slot_keys[probe] = n_keys[0]
            e.key_starts[n_keys[0]], e.key_ends[n_keys[0]] = start, end
            for a in range(e.n_asked):
                e.totals[n_keys[0] * e.n_asked + a] = 0
            n_keys[0] += 1
            break
        probe = (probe + 1) & (table - 1)
    return e.slot_keys[probe]


cdef inline void _add(Explaining *e, Py_ssize_t key, float value, const float *row, const double *slopes) noexcept nogil:
    """One occurrence's contribution to its span's total for each label asked."""
    cdef Py_ssize_t a, label
    cdef float product
    for a in range(e.n_asked):
        label = e.asked[a]
        product = value * row[label]  # float32, as numpy multiplies float32 arrays
        e.totals[key * e.n_asked + a] += <double> product * slopes[label]


cdef Py_ssize_t _char_columns(
    const uint32_t *codes, Py_ssize_t size, int64_t *char_columns, uint64_t *hashes, int lo, int hi,
    uint64_t prime, uint64_t golden, uint64_t salt_char, int shift,
) noexcept nogil:
    """The columns of the character windows of ``codes`` (the padded text), every window of size ``lo`` in
    text order, then every one of ``lo + 1``, and so on; how many. One n at a time over the whole text:
    hashes[i] becomes the hash of codes[i : i + n]. The windows are independent, so the multiplications
    pipeline instead of waiting on each other."""
    cdef Py_ssize_t i, count = 0
    cdef int n
    cdef uint64_t h, salt
    for i in range(size):
        hashes[i] = codes[i]
    for n in range(1, hi + 1):
        salt = salt_char + <uint64_t> n
        if n > 1 and n >= lo:  # one pass extends every window by a character and writes its column
            for i in range(size - n + 1):
                h = hashes[i] * prime + codes[i + n - 1]
                hashes[i] = h
                char_columns[count + i] = <int64_t> (((h + salt) * golden) >> shift)
        elif n > 1:
            for i in range(size - n + 1):
                hashes[i] = hashes[i] * prime + codes[i + n - 1]
        elif n >= lo:
            for i in range(size - n + 1):
                char_columns[count + i] = <int64_t> (((hashes[i] + salt) * golden) >> shift)
        if n >= lo:
            count += max(size - n + 1, 0)
    return count


cdef Py_ssize_t _char_columns_2_to_5(
    const uint32_t *codes, Py_ssize_t size, int64_t *char_columns, uint64_t prime, uint64_t golden,
    uint64_t salt_char, int shift,
) noexcept nogil:
    """:func:`_char_columns` for windows of 2 to 5 characters, in one pass: at each position the window of
    2 is extended to 3, 4 and 5 in registers, each column written where its size's run of columns puts it
    (the same columns in the same places, with a third of the loads and stores)."""
    cdef Py_ssize_t i
    cdef Py_ssize_t at3 = max(size - 1, 0)
    cdef Py_ssize_t at4 = at3 + max(size - 2, 0)
    cdef Py_ssize_t at5 = at4 + max(size - 3, 0)
    cdef uint64_t h, salt2 = salt_char + 2, salt3 = salt_char + 3, salt4 = salt_char + 4, salt5 = salt_char + 5
    for i in range(size - 1):
        h = <uint64_t> codes[i] * prime + codes[i + 1]
        char_columns[i] = <int64_t> (((h + salt2) * golden) >> shift)
        if i + 2 >= size:
            continue
        h = h * prime + codes[i + 2]
        char_columns[at3 + i] = <int64_t> (((h + salt3) * golden) >> shift)
        if i + 3 >= size:
            continue
        h = h * prime + codes[i + 3]
        char_columns[at4 + i] = <int64_t> (((h + salt4) * golden) >> shift)
        if i + 4 >= size:
            continue
        h = h * prime + codes[i + 4]
        char_columns[at5 + i] = <int64_t> (((h + salt5) * golden) >> shift)
    return at5 + max(size - 4, 0)


cdef inline Py_ssize_t _sorted_slot(const uint64_t[::1] hashes, uint64_t h) noexcept nogil:
    """The index of ``h`` among sorted ``hashes`` (binary search), or -1."""
    cdef Py_ssize_t low = 0, high = hashes.shape[0], middle
    while low < high:
        middle = (low + high) // 2
        if hashes[middle] < h:
            low = middle + 1
        else:
            high = middle
    if low < hashes.shape[0] and hashes[low] == h:
        return low
    return -1


cdef class Hasher:
    """The featurizer's hashing, compiled: built once per :class:`moderation.features.Featurizer` from its
    settings and constants, immutable afterwards."""

    cdef int bits, char_lo, char_hi, kind_char, kind_word, kind_lexicon, kind_bigram, kind_near, near_words
    cdef bint word_bigrams
    cdef uint64_t prime, bigram_multiplier, golden, salt_char, salt_word, salt_bigram
    cdef uint64_t salt_near_group, salt_near_kind, salt_near_word, negated
    cdef const uint8_t[::1] is_word
    cdef const uint64_t[::1] lexicon_hashes
    cdef const uint8_t[::1] lexicon_filter
    cdef const int64_t[::1] lexicon_columns
    cdef const uint64_t[::1] group_hashes
    cdef const uint8_t[::1] group_filter
    cdef const uint64_t[::1] group_kinds
    cdef const uint64_t[::1] negation_hashes
    cdef const uint64_t[::1] frame_hashes
    cdef readonly tuple _arguments

    def __cinit__(
        self, int bits, tuple char_ngrams, bint word_bigrams, const uint8_t[::1] is_word,
        const uint64_t[::1] lexicon_hashes, const uint8_t[::1] lexicon_filter,
        const int64_t[::1] lexicon_columns, const uint64_t[::1] group_hashes, const uint8_t[::1] group_filter,
        const uint64_t[::1] group_kinds, const uint64_t[::1] negation_hashes, const uint64_t[::1] frame_hashes,
        int near_words, tuple constants, tuple kinds,
    ):
        if not 1 <= bits <= 62:
            raise ValueError("bits must be from 1 to 62")
        if not 1 <= char_ngrams[0] <= char_ngrams[1]:
            raise ValueError("char_ngrams must be (lo, hi) with 1 <= lo <= hi")
        if lexicon_filter.shape[0] == 0 or lexicon_filter.shape[0] & (lexicon_filter.shape[0] - 1):
            raise ValueError("the lexicon filter's size must be a power of two")
        if lexicon_columns.shape[0] != lexicon_hashes.shape[0]:
            raise ValueError("one lexicon column per lexicon hash")
        if group_kinds.shape[0] != group_hashes.shape[0]:
            raise ValueError("one group kind per group word")
        if group_filter.shape[0] == 0 or group_filter.shape[0] & (group_filter.shape[0] - 1):
            raise ValueError("the group filter's size must be a power of two")
        for k in range(1, group_hashes.shape[0]):
            if group_hashes[k - 1] >= group_hashes[k]:
                raise ValueError("group hashes must be sorted and distinct")
        for k in range(1, negation_hashes.shape[0]):
            if negation_hashes[k - 1] >= negation_hashes[k]:
                raise ValueError("negation hashes must be sorted and distinct")
        for k in range(1, frame_hashes.shape[0]):
            if frame_hashes[k - 1] >= frame_hashes[k]:
                raise ValueError("frame hashes must be sorted and distinct")
        if not 0 <= near_words <= MAX_NEAR_WORDS:
            raise ValueError(f"near_words must be from 0 to {MAX_NEAR_WORDS}")
        self._arguments = (
            bits, char_ngrams, word_bigrams, is_word.base, lexicon_hashes.base, lexicon_filter.base,
            lexicon_columns.base, group_hashes.base, group_filter.base, group_kinds.base, negation_hashes.base,
            frame_hashes.base, near_words, constants, kinds,
        )
        self.bits = bits
        self.char_lo, self.char_hi = char_ngrams
        self.word_bigrams = word_bigrams
        self.is_word = is_word
        self.lexicon_hashes = lexicon_hashes
        self.lexicon_filter = lexicon_filter
        self.lexicon_columns = lexicon_columns
        self.group_hashes = group_hashes
        self.group_filter = group_filter
        self.group_kinds = group_kinds
        self.negation_hashes = negation_hashes
        self.frame_hashes = frame_hashes
        self.near_words = near_words
        (self.prime, self.bigram_multiplier, self.golden, self.salt_char, self.salt_word,
         self.salt_bigram, self.salt_near_group, self.salt_near_kind, self.salt_near_word, self.negated) = constants
        self.kind_char, self.kind_word, self.kind_lexicon, self.kind_bigram, self.kind_near = kinds

    cdef inline Py_ssize_t _lexicon_slot(self, uint64_t h) noexcept nogil:
        """The index of ``h`` among the sorted lexicon hashes, or -1 (the filter rules out most words)."""
        if not self.lexicon_filter[h & <uint64_t> (self.lexicon_filter.shape[0] - 1)]:
            return -1
        return _sorted_slot(self.lexicon_hashes, h)

    cdef inline Py_ssize_t _group_slot(self, uint64_t h) noexcept nogil:
        """The index of ``h`` among the sorted group-word hashes, or -1 (the filter rules out most words)."""
        if not self.group_filter[h & <uint64_t> (self.group_filter.shape[0] - 1)]:
            return -1
        return _sorted_slot(self.group_hashes, h)

    cdef inline bint _negates(self, uint64_t h) noexcept nogil:
        """Whether ``h`` is among the sorted negation-word hashes."""
        return _sorted_slot(self.negation_hashes, h) >= 0

    cdef inline bint _framed(self, const Scratch *scratch, Py_ssize_t low) noexcept nogil:
        """Whether a frame word stands at most ``near_words`` before word ``low``, in its sentence (the
        sentences still in ``word_sentences``)."""
        cdef Py_ssize_t k = low - 1
        if self.frame_hashes.shape[0] == 0:
            return False
        while k >= 0 and low - k <= self.near_words and scratch.word_sentences[k] == scratch.word_sentences[low]:
            if _sorted_slot(self.frame_hashes, scratch.word_hashes[k]) >= 0:
                return True
            k -= 1
        return False

    cdef void _near(self, Scratch *scratch, Py_ssize_t n_words) noexcept nogil:
        """The near block (Featurizer._near): each of the text's first MAX_GROUP_MENTIONS group words with
        each word at most ``near_words`` away in its sentence; every pair's group feature, then every pair's
        kind feature, then every pair's word feature, each hashed apart when a negation word stands between
        the pair's two words or a frame word shortly before them."""
        cdef Py_ssize_t i, j, d, slot, mentions = 0, pairs = 0, at, a
        cdef int kind, shift = 64 - self.bits
        cdef uint64_t golden = self.golden, multiplier = self.bigram_multiplier, h, negated
        cdef bint framed
        scratch.n_near = 0
        if self.near_words == 0 or self.group_hashes.shape[0] == 0:
            return
        for i in range(n_words):
            slot = self._group_slot(scratch.word_hashes[i])
            if slot < 0:
                continue
            if mentions == MAX_GROUP_MENTIONS:
                break
            mentions += 1
            # A pair is framed by what stands before its earlier word: the group word itself for the pairs
            # after it (looked up once), the near word for those before.
            framed = self._framed(scratch, i)
            for d in range(-self.near_words, self.near_words + 1):
                j = i + d
                if d == 0 or j < 0 or j >= n_words or scratch.word_sentences[j] != scratch.word_sentences[i]:
                    continue
                scratch.pair_first[pairs], scratch.pair_near[pairs], scratch.pair_slot[pairs] = i, j, slot
                scratch.pair_framed[pairs] = framed if d > 0 else self._framed(scratch, j)
                pairs += 1
        if pairs == 0:
            return
        # Negation words counted before each word (the sentences are no longer needed once the pairs are
        # known): a pair is negated when one stands strictly between its two words.
        scratch.word_sentences[0] = 0
        for i in range(n_words):
            scratch.word_sentences[i + 1] = scratch.word_sentences[i] + self._negates(scratch.word_hashes[i])
        at = 0
        for kind in range(3):
            for a in range(pairs):
                i, j = scratch.pair_first[a], scratch.pair_near[a]
                negated = 0
                if (scratch.pair_framed[a]
                        or scratch.word_sentences[max(i, j)] - scratch.word_sentences[min(i, j) + 1] > 0):
                    negated = self.negated
                if kind == 0:
                    h = scratch.word_hashes[j] + negated + self.salt_near_group
                elif kind == 1:
                    h = (self.group_kinds[scratch.pair_slot[a]] * multiplier + scratch.word_hashes[j] + negated
                         + self.salt_near_kind)
                else:
                    h = scratch.word_hashes[i] * multiplier + scratch.word_hashes[j] + negated + self.salt_near_word
                scratch.near_columns[at] = <int64_t> ((h * golden) >> shift)
                scratch.near_starts[at] = min(scratch.plain_starts[i], scratch.plain_starts[j])
                scratch.near_ends[at] = max(scratch.plain_ends[i], scratch.plain_ends[j])
                at += 1
        scratch.n_near = at

    cdef void _hash(self, const Text *text, Scratch *scratch) noexcept nogil:
        """Every feature column of one normalized text: the character block (n-grams of the text padded
        with a space at either end), the word block (words, word pairs and lexicon terms) and the near block
        (:meth:`_near`).

        Hashes as Featurizer does: a character window's is ``sum(c[i + j] * P ** (n - 1 - j))`` and a word's
        ``sum(c[s + j] * P ** j)``, both modulo 2**64; a pair's is ``first * M + second``."""
        cdef Py_ssize_t size = text.length + 2, i, words = 0, slot
        cdef uint64_t h, power, pair, previous = 0
        cdef bint has_previous = False
        cdef uint64_t *hashes = scratch.hashes
        # Locals, not attributes: stores through the column pointers could alias them, forcing reloads.
        cdef uint64_t prime = self.prime, golden = self.golden, salt_char = self.salt_char
        cdef uint64_t salt_word = self.salt_word, salt_bigram = self.salt_bigram, multiplier = self.bigram_multiplier
        cdef int shift = 64 - self.bits, lo = self.char_lo, hi = self.char_hi
        cdef const uint8_t *is_word = &self.is_word[0]
        cdef uint32_t table_size = <uint32_t> self.is_word.shape[0]
        cdef uint32_t *codes = scratch.codes
        cdef int64_t *char_columns = scratch.char_columns
        cdef int64_t *word_columns = scratch.word_columns
        cdef int8_t *word_kinds = scratch.word_kinds
        codes[0] = 32
        if text.kind == 1:
            for i in range(text.length):
                codes[i + 1] = (<const uint8_t *> text.data)[i]
        else:
            for i in range(text.length):
                codes[i + 1] = _code_at(text, i)
        codes[size - 1] = 32
        if lo == 2 and hi == 5:  # every model's settings so far: all four sizes in one pass
            scratch.n_char = _char_columns_2_to_5(codes, size, char_columns, prime, golden, salt_char, shift)
        else:
            scratch.n_char = _char_columns(codes, size, char_columns, hashes, lo, hi, prime, golden, salt_char, shift)
        cdef Py_ssize_t *word_starts = scratch.word_starts
        cdef Py_ssize_t *word_ends = scratch.word_ends
        cdef uint8_t *word_groups = scratch.word_groups
        cdef Py_ssize_t begin, previous_begin = 0, n_words = 0, sentence = 0
        cdef uint32_t c
        i = 0
        while i < size:
            c = codes[i]
            if not (c < table_size and is_word[c]):
                if c == 46 or c == 33 or c == 63 or c == 59:  # . ! ? ; end a sentence
                    sentence += 1
                i += 1
                continue
            h = 0
            power = 1
            begin = i - 1  # in the normalized text: codes[0] is the padding space
            while i < size and codes[i] < table_size and is_word[codes[i]]:
                h += codes[i] * power
                power *= prime
                i += 1
            scratch.word_hashes[n_words], scratch.word_sentences[n_words] = h, sentence
            scratch.plain_starts[n_words], scratch.plain_ends[n_words] = begin, i - 1
            n_words += 1
            word_columns[words] = <int64_t> (((h + salt_word) * golden) >> shift)
            word_kinds[words] = self.kind_word
            word_starts[words], word_ends[words], word_groups[words] = begin, i - 1, GROUP_WORD
            words += 1
            slot = self._lexicon_slot(h)
            if slot >= 0:
                word_columns[words] = self.lexicon_columns[slot]
                word_kinds[words] = self.kind_lexicon
                word_starts[words], word_ends[words], word_groups[words] = begin, i - 1, GROUP_LEXICON_WORD
                words += 1
            if has_previous:
                pair = previous * multiplier + h
                if self.word_bigrams:
                    word_columns[words] = <int64_t> (((pair + salt_bigram) * golden) >> shift)
                    word_kinds[words] = self.kind_bigram
                    word_starts[words], word_ends[words], word_groups[words] = previous_begin, i - 1, GROUP_PAIR
                    words += 1
                slot = self._lexicon_slot(pair)
                if slot >= 0:
                    word_columns[words] = self.lexicon_columns[slot]
                    word_kinds[words] = self.kind_lexicon
                    word_starts[words], word_ends[words] = previous_begin, i - 1
                    word_groups[words] = GROUP_LEXICON_PAIR
                    words += 1
            previous = h
            previous_begin = begin
            has_previous = True
        scratch.n_word = words
        self._near(scratch, n_words)

    def columns(self, texts):
        """``(rows, columns, kinds)`` of every feature occurrence of a batch of normalized texts (int64, int64,
        int8), in no particular order: what :meth:`dot` sums, for tests to compare with Featurizer's."""
        cdef tuple sequence = tuple(texts)
        cdef Py_ssize_t n = len(sequence), longest, r, j, total = 0, at = 0
        cdef Text *collected = _collect(sequence, &longest)
        cdef Scratch scratch
        cdef int64_t[::1] rows_out
        cdef int64_t[::1] columns_out
        cdef int8_t[::1] kinds_out
        _allocate(&scratch, longest, self.char_hi - self.char_lo + 1)
        try:
            if scratch.codes == NULL:
                raise MemoryError()
            for r in range(n):
                self._hash(&collected[r], &scratch)
                total += scratch.n_char + scratch.n_word + scratch.n_near
            rows = np.empty(total, dtype=np.int64)
            columns = np.empty(total, dtype=np.int64)
            kinds = np.empty(total, dtype=np.int8)
            rows_out = rows
            columns_out = columns
            kinds_out = kinds
            for r in range(n):
                self._hash(&collected[r], &scratch)
                for j in range(scratch.n_char):
                    rows_out[at] = r
                    columns_out[at] = scratch.char_columns[j]
                    kinds_out[at] = self.kind_char
                    at += 1
                for j in range(scratch.n_word):
                    rows_out[at] = r
                    columns_out[at] = scratch.word_columns[j]
                    kinds_out[at] = scratch.word_kinds[j]
                    at += 1
                for j in range(scratch.n_near):
                    rows_out[at] = r
                    columns_out[at] = scratch.near_columns[j]
                    kinds_out[at] = self.kind_near
                    at += 1
            return rows, columns, kinds
        finally:
            free(collected)
            _release(&scratch)

    def dot(self, texts, const float[:, ::1] table, Py_ssize_t n_outputs, double char_smoothing,
            double word_smoothing, double near_smoothing):
        """``X @ W`` for the batch's feature matrix X (n_texts x n_outputs, float64), never building X.

        ``table`` is :meth:`Featurizer.scoring_table`: per column ``W``, then ``idf`` at ``n_outputs``. Each
        text's ``W * idf`` (float32 products) are summed in float64 per block, and each block divided by the
        square root of its sum of ``idf ** 2`` plus its smoothing, as Featurizer's values are."""
        cdef tuple sequence = tuple(texts)
        cdef Py_ssize_t n = len(sequence), width = table.shape[1], longest, r, k
        if table.shape[0] != (<Py_ssize_t> 1) << self.bits or not 0 <= n_outputs < width:
            raise ValueError("the table does not fit this featurizer and number of outputs")
        result = np.zeros((n, n_outputs), dtype=np.float64)
        cdef double[:, ::1] out = result
        cdef const float *rows = &table[0, 0]
        cdef Text *collected = _collect(sequence, &longest)
        cdef Scratch scratch
        cdef double *sums = <double *> malloc(3 * width * sizeof(double))
        cdef double char_norm, word_norm, near_norm
        _allocate(&scratch, longest, self.char_hi - self.char_lo + 1)
        try:
            if scratch.codes == NULL or sums == NULL:
                raise MemoryError()
            with nogil:
                for r in range(n):
                    self._hash(&collected[r], &scratch)
                    _sum_rows(rows, width, n_outputs, scratch.char_columns, scratch.n_char, sums)
                    _sum_rows(rows, width, n_outputs, scratch.word_columns, scratch.n_word, sums + width)
                    char_norm = sqrt(max(sums[n_outputs] + char_smoothing, 1e-12))
                    word_norm = sqrt(max(sums[width + n_outputs] + word_smoothing, 1e-12))
                    if scratch.n_near:
                        _sum_rows(rows, width, n_outputs, scratch.near_columns, scratch.n_near, sums + 2 * width)
                        near_norm = sqrt(max(sums[2 * width + n_outputs] + near_smoothing, 1e-12))
                        for k in range(n_outputs):
                            out[r, k] = sums[k] / char_norm + sums[width + k] / word_norm + sums[2 * width + k] / near_norm
                    else:
                        for k in range(n_outputs):
                            out[r, k] = sums[k] / char_norm + sums[width + k] / word_norm
            return result
        finally:
            free(collected)
            free(sums)
            _release(&scratch)

    cdef Py_ssize_t _sum_spans(
        self, const Text *text, Scratch *scratch, Explaining *e, const float *table, Py_ssize_t width,
        Py_ssize_t n_labels, const double *slopes, double char_smoothing, double word_smoothing,
        double near_smoothing,
    ) noexcept nogil:
        """Every span of one normalized text and its total contribution to each label in ``e.asked``; the
        number of spans. Featurizer.occurrences is the definition, followed step by step and in its order:

        * each occurrence is worth ``float32(idf / max(sqrt(block's sum of idf ** 2 + smoothing), 1e-6))``, the
          sums in float64 in the order Featurizer lists the occurrences;
        * its contribution to label k is ``float64(float32(value * weight)) * slope[k]`` (float32 value times
          float32 weight, then the calibration slope in float64);
        * a character window is credited to the word it lies in, or to the words it spans; a window touching
          no word stands alone; a word or pair feature is its own span; a near pair's span runs from its group
          word to its near word (the near block comes last, with its own norm);
        * a span's total is the float64 sum of its contributions, in the order Featurizer lists them.
        """
        cdef Py_ssize_t length = text.length, size = length + 2, n, i, j, at, group, words = 0
        cdef Py_ssize_t n_char, n_word, n_near, first, last, start, end, n_keys = 0, slots
        cdef Py_ssize_t last_start, last_end, last_key
        cdef double squares = 0, norm
        cdef float value
        self._hash(text, scratch)
        n_char, n_word, n_near = scratch.n_char, scratch.n_word, scratch.n_near
        # The values: the character block, then the word block in Featurizer's order.
        # The gathers of the table's rows are cache misses: fetched ahead, and read once per occurrence (the
        # values are computed from the idf read here, the contributions below from the same rows, now cached).
        for j in range(min(n_char, AHEAD)):
            moderate_prefetch(table + scratch.char_columns[j] * width)
        for j in range(n_char):
            if j + AHEAD < n_char:
                moderate_prefetch(table + scratch.char_columns[j + AHEAD] * width)
            value = table[scratch.char_columns[j] * width + n_labels]
            e.values[j] = value
            squares += <double> value * <double> value
        norm = max(sqrt(squares + char_smoothing), 1e-6)
        for j in range(n_char):
            e.values[j] = <float> (<double> e.values[j] / norm)
        at = 0
        for group in range(4):
            for j in range(n_word):
                if scratch.word_groups[j] == group:
                    e.word_order[at] = j
                    at += 1
        squares = 0
        for at in range(n_word):
            value = table[scratch.word_columns[e.word_order[at]] * width + n_labels]
            e.values[n_char + at] = value
            squares += <double> value * <double> value
        norm = max(sqrt(squares + word_smoothing), 1e-6)
        for at in range(n_word):
            e.values[n_char + at] = <float> (<double> e.values[n_char + at] / norm)
        squares = 0
        for at in range(n_near):
            value = table[scratch.near_columns[at] * width + n_labels]
            e.values[n_char + n_word + at] = value
            squares += <double> value * <double> value
        norm = max(sqrt(squares + near_smoothing), 1e-6)
        for at in range(n_near):
            e.values[n_char + n_word + at] = <float> (<double> e.values[n_char + n_word + at] / norm)
        # Which word covers each position.
        for i in range(length):
            e.word_at[i] = -1
        for j in range(n_word):
            if scratch.word_groups[j] == GROUP_WORD:
                e.word_begins[words], e.word_ends[words] = scratch.word_starts[j], scratch.word_ends[j]
                for i in range(scratch.word_starts[j], scratch.word_ends[j]):
                    e.word_at[i] = words
                words += 1
        slots = _table_size(n_char + n_word + n_near)
        memset(e.slot_codes, 0xFF, slots * sizeof(int64_t))
        j = 0
        last_start, last_end, last_key = -2, -2, -1  # no span starts at -2
        for n in range(self.char_lo, self.char_hi + 1):
            for i in range(size - n + 1):
                start, end = i - 1, i - 1 + n
                # An edge that is a space or a mark: the next character inwards (inside the window) names the word.
                first = _word_at(e, start, length)
                if first < 0 and n >= 2:
                    first = _word_at(e, start + 1, length)
                last = _word_at(e, end - 1, length)
                if last < 0 and n >= 2:
                    last = _word_at(e, end - 2, length)
                if first < 0:
                    first = last
                if last < 0:
                    last = first
                if first >= 0:
                    start, end = e.word_begins[first], e.word_ends[last]
                # Neighbouring windows inside one word have its span: found again without a lookup.
                if start != last_start or end != last_end:
                    last_key = _span_key(e, start, end, size, slots, &n_keys)
                    last_start, last_end = start, end
                _add(e, last_key, e.values[j], table + scratch.char_columns[j] * width, slopes)
                j += 1
        for at in range(n_word):
            j = e.word_order[at]
            _add(e, _span_key(e, scratch.word_starts[j], scratch.word_ends[j], size, slots, &n_keys),
                 e.values[n_char + at], table + scratch.word_columns[j] * width, slopes)
        for at in range(n_near):
            _add(e, _span_key(e, scratch.near_starts[at], scratch.near_ends[at], size, slots, &n_keys),
                 e.values[n_char + n_word + at], table + scratch.near_columns[at] * width, slopes)
        return n_keys

    def explain(
        self, texts, const uint8_t[:, ::1] asked, const float[:, ::1] table, const double[::1] slopes,
        Py_ssize_t top, double char_smoothing, double word_smoothing, double near_smoothing, offsets, readable,
        type record,
        list sources=None, const int64_t[:, ::1] bounds=None,
    ):
        """Exact reasons for normalized texts: ``(reasons, slots)``, ``reasons[slots[i, k]]`` being the tuple
        of reasons of text i for label k where ``asked[i, k]`` (else ``slots[i, k]`` is -1).

        A label's reasons are the n-grams of the text that pushed its logit up most (its share: the
        contribution times the calibration slope ``slopes[k]``), at most ``top``, strongest first. Per text
        and label, the ``2 * top`` spans with the highest positive totals are read (:meth:`_sum_spans` says
        what a span and its total are); spans that read the same (``readable`` of the span, white space at
        its edges left out) are one reason, their weights added in that order and their raw spans merged.

        ``offsets(i)`` gives text i's :class:`moderation.normalize.NormalizedText` (or None: no spans), asked
        at most once, and only for a text with reasons. Where text i came from ``sources[i][bounds[i, 0]:
        bounds[i, 1]]`` and is that stretch folded one character for one (:func:`_plainly_folded_at`: ASCII
        lower-cased and stripped, as most are, or with leet digits read), the spans are read off directly, as :func:`moderation.normalize.normalize_with_offsets` would
        give them, and ``offsets`` is not asked. ``record`` is :class:`moderation.types.Reason`.
        ``table`` is the scoring table (:meth:`dot`): the model's weights, then the idf, per feature.

        This is the compiled form of the numpy implementation kept in tests/explain_reference.py, which
        tests/test_explain_kernel.py holds it to: the same arithmetic in the same order, so the same weights.
        """
        cdef tuple sequence = tuple(texts)
        cdef Py_ssize_t n = len(sequence), n_labels = slopes.shape[0], longest, w, k, a, r, c, j, count
        cdef Py_ssize_t kept, n_keys, n_candidates = 0, capacity = 0, at = 0, group, merged, begin, end
        cdef Py_ssize_t length, width = table.shape[1]
        cdef Candidate *candidates = NULL
        cdef Candidate *grown
        cdef Candidate *candidate
        cdef Explaining e
        cdef Scratch scratch
        cdef bint out_of_memory = False
        cdef PyTypeObject *kind = <PyTypeObject *> record
        cdef double *merged_weights = NULL
        cdef Py_ssize_t *merged_first = NULL
        cdef Py_ssize_t *merged_order = NULL
        if asked.shape[0] != n or asked.shape[1] != n_labels:
            raise ValueError("asked must be (texts x labels), slopes one per label")
        if table.shape[0] != (<Py_ssize_t> 1) << self.bits or not 0 < n_labels < width:
            raise ValueError("the table does not fit this featurizer and number of labels")
        if (sources is None) != (bounds is None) or (
            sources is not None and (len(sources) != n or bounds.shape[0] != n or bounds.shape[1] != 2)
        ):
            raise ValueError("sources and bounds go together, one per text")
        cdef Py_ssize_t shift
        if not (
            PyType_IsSubtype(kind, &PyTuple_Type)
            and kind.tp_basicsize == PyTuple_Type.tp_basicsize
            and kind.tp_itemsize == PyTuple_Type.tp_itemsize
            and kind.tp_dictoffset == 0
            and len(getattr(record, "_fields", ())) == 3
        ):
            raise TypeError("record must be a named tuple of (ngram, weight, spans) with nothing else")
        slots = np.full((n, n_labels), -1, dtype=np.int64)
        cdef int64_t[:, ::1] slot_of = slots
        reasons = []
        if n == 0 or top <= 0:
            return reasons, slots
        cdef Text *collected = _collect(sequence, &longest)
        kept = _occurrence_bound(longest, self.char_hi - self.char_lo + 1)
        kept = min(2 * min(top, kept), kept)  # twice the reasons asked, never more spans than a text has
        _allocate(&scratch, longest, self.char_hi - self.char_lo + 1)
        if not _allocate_explaining(&e, longest, self.char_hi - self.char_lo + 1, n_labels, kept):
            free(collected)
            _release(&scratch)
            raise MemoryError()
        try:
            merged_weights = <double *> malloc((kept + 1) * sizeof(double))
            merged_first = <Py_ssize_t *> malloc((kept + 1) * sizeof(Py_ssize_t))
            merged_order = <Py_ssize_t *> malloc((kept + 1) * sizeof(Py_ssize_t))
            if scratch.codes == NULL or not (merged_weights and merged_first and merged_order):
                raise MemoryError()
            # First pass, without the GIL: each text's spans, and the strongest ones per label asked.
            with nogil:
                for w in range(n):
                    e.n_asked = 0
                    for k in range(n_labels):
                        if asked[w, k]:
                            e.asked[e.n_asked] = k
                            e.n_asked += 1
                    if e.n_asked == 0:
                        continue
                    n_keys = self._sum_spans(
                        &collected[w], &scratch, &e, &table[0, 0], width, n_labels, &slopes[0],
                        char_smoothing, word_smoothing, near_smoothing,
                    )
                    length = collected[w].length
                    for a in range(e.n_asked):
                        count = _strongest(&e, n_keys, a, kept)
                        if n_candidates + count > capacity:
                            capacity = 2 * capacity + count + 64
                            grown = <Candidate *> realloc(candidates, capacity * sizeof(Candidate))
                            if grown == NULL:
                                out_of_memory = True
                                break
                            candidates = grown
                        for r in range(count):
                            candidate = &candidates[n_candidates]
                            n_candidates += 1
                            candidate.window, candidate.label, candidate.key = w, e.asked[a], e.best[r]
                            candidate.total = e.totals[e.best[r] * e.n_asked + a]
                            begin = max(e.key_starts[e.best[r]], 0)
                            end = min(e.key_ends[e.best[r]], length)
                            while begin < end and Py_UNICODE_ISSPACE(_code_at(&collected[w], begin)):
                                begin += 1
                            while end > begin and Py_UNICODE_ISSPACE(_code_at(&collected[w], end - 1)):
                                end -= 1
                            candidate.begin, candidate.end = begin, end
                    if out_of_memory:
                        break
            if out_of_memory:
                raise MemoryError()
            # Second pass: the reasons, as Python objects.
            empty = ()
            for w in range(n):
                text = None
                ngram_of = None
                mapped = None
                mapped_asked = False
                shift = -1  # where the text starts in its source, when it is that stretch lower-cased
                for k in range(n_labels):
                    if not asked[w, k]:
                        continue
                    group = at
                    while at < n_candidates and candidates[at].window == w and candidates[at].label == k:
                        at += 1
                    slot_of[w, k] = len(reasons)
                    if at == group:
                        reasons.append(empty)
                        continue
                    if text is None:
                        text = sequence[w]
                        ngram_of = {}
                    # Spans that read the same are one reason: merged in the order ranked.
                    ngrams = []
                    merged_spans = []
                    merged = 0
                    for c in range(group, at):
                        candidate = &candidates[c]
                        if candidate.end <= candidate.begin:
                            continue
                        ngram = ngram_of.get(candidate.key)
                        if ngram is None:
                            ngram = text[candidate.begin:candidate.end]
                            if "xx" in ngram:
                                ngram = readable(ngram)
                            ngram_of[candidate.key] = ngram
                        for j in range(merged):
                            # Most differ in length: compared as str only when they do not.
                            if ngrams[j] is ngram or (
                                PyUnicode_GET_LENGTH(ngrams[j]) == PyUnicode_GET_LENGTH(ngram)
                                and ngrams[j] == ngram
                            ):
                                merged_weights[j] += candidate.total
                                if merged_spans[j] is None:
                                    merged_spans[j] = [merged_first[j]]
                                merged_spans[j].append(c)
                                break
                        else:
                            ngrams.append(ngram)
                            merged_spans.append(None)
                            merged_weights[merged] = candidate.total
                            merged_first[merged] = c
                            merged += 1
                    # Strongest first; a tie keeps the order ranked (Python's sort is stable).
                    for j in range(merged):
                        r = j
                        while r > 0 and merged_weights[merged_order[r - 1]] < merged_weights[j]:
                            merged_order[r] = merged_order[r - 1]
                            r -= 1
                        merged_order[r] = j
                    built = []
                    for r in range(min(top, merged)):
                        j = merged_order[r]
                        if not mapped_asked:
                            if sources is not None:
                                shift = _plainly_folded_at(sources[w], bounds[w, 0], bounds[w, 1], text)
                            if shift < 0:
                                mapped = offsets(w)
                            mapped_asked = True
                        if shift >= 0:
                            if merged_spans[j] is None:
                                candidate = &candidates[merged_first[j]]
                                spans = ((shift + candidate.begin, shift + candidate.end),)
                            else:
                                found = set()
                                for c in merged_spans[j]:
                                    candidate = &candidates[c]
                                    found.add((shift + candidate.begin, shift + candidate.end))
                                spans = tuple(sorted(found))
                        elif mapped is None:
                            spans = empty
                        elif merged_spans[j] is None:
                            candidate = &candidates[merged_first[j]]
                            spans = ((mapped.starts[candidate.begin], mapped.ends[candidate.end - 1]),)
                        else:
                            found = set()
                            for c in merged_spans[j]:
                                candidate = &candidates[c]
                                found.add((mapped.starts[candidate.begin], mapped.ends[candidate.end - 1]))
                            spans = tuple(sorted(found))
                        built.append(_record3(kind, ngrams[j], merged_weights[j], _untracked_spans(spans)))
                    label_reasons = tuple(built)
                    PyObject_GC_UnTrack(<PyObject *> label_reasons)  # of untracked records only (_record3)
                    reasons.append(label_reasons)
            return reasons, slots
        finally:
            free(collected)
            free(candidates)
            free(merged_weights)
            free(merged_first)
            free(merged_order)
            _release(&scratch)
            _release_explaining(&e)

    def __reduce__(self):
        return Hasher, self._arguments


cdef enum:
    AHEAD = 32  # rows fetched ahead of the one being added: the gathers are cache misses, overlap them


cdef void _sum_rows(const float *table, Py_ssize_t width, Py_ssize_t scale_at, const int64_t *columns,
                    Py_ssize_t count, double *sums) noexcept nogil:
    """``sums[k] = sum(float32(row[k] * row[scale_at]) for row in table[columns])`` in float64: the scoring
    table holds each column's weights and its idf (at ``scale_at``), so ``k < scale_at`` sums the idf-weighted
    weights and ``k == scale_at`` the squared idf, each product the float32 numpy would make (widths 4 and 8
    unrolled: 3 or 7 labels)."""
    cdef Py_ssize_t j, k
    cdef const float *row
    cdef float scale
    cdef double s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0
    for j in range(min(count, AHEAD)):
        moderate_prefetch(table + columns[j] * width)
    if width == 4 or width == 8:
        for j in range(count):
            if j + AHEAD < count:
                moderate_prefetch(table + columns[j + AHEAD] * width)
            row = table + columns[j] * width
            scale = row[scale_at]
            s0 += row[0] * scale
            s1 += row[1] * scale
            s2 += row[2] * scale
            s3 += row[3] * scale
            if width == 8:
                s4 += row[4] * scale
                s5 += row[5] * scale
                s6 += row[6] * scale
                s7 += row[7] * scale
        sums[0], sums[1], sums[2], sums[3] = s0, s1, s2, s3
        if width == 8:
            sums[4], sums[5], sums[6], sums[7] = s4, s5, s6, s7
        return
    for k in range(width):
        sums[k] = 0
    for j in range(count):
        if j + AHEAD < count:
            moderate_prefetch(table + columns[j + AHEAD] * width)
        row = table + columns[j] * width
        scale = row[scale_at]
        for k in range(width):
            sums[k] += row[k] * scale


# ---- results ---------------------------------------------------------------------------------------------

cdef extern from *:
    ctypedef struct PyTypeObject:
        Py_ssize_t tp_basicsize
        Py_ssize_t tp_itemsize
        Py_ssize_t tp_dictoffset
        unsigned long tp_flags
        object (*tp_alloc)(PyTypeObject *, Py_ssize_t)
        int (*tp_descr_set)(PyObject *, PyObject *, PyObject *) except? -1
    PyTypeObject *Py_TYPE(PyObject *)
    PyTypeObject PyTuple_Type
    unsigned long Py_TPFLAGS_HAVE_GC
    bint PyType_IsSubtype(PyTypeObject *, PyTypeObject *)
    void PyTuple_SET_ITEM(PyObject *, Py_ssize_t, PyObject *)
    void PyObject_GC_UnTrack(void *)
    PyObject *PyFloat_FromDouble(double) except NULL
    void Py_INCREF(PyObject *)
    PyObject *Py_True
    PyObject *Py_False


def label_scores(type record, tuple labels, const double[:, ::1] probabilities, const uint8_t[:, ::1] flags,
                 list thresholds, list reasons=None, const int64_t[:, ::1] slots=None, type scores=None):
    """For each row, ``{label: record(p, bool(f), t, r)}`` over the labels and that row's probabilities,
    flags and the thresholds; ``record`` is a tuple subclass with no fields of its own, such as
    :class:`moderation.types.LabelScore`. ``r`` is ``reasons[slots[i, k]]`` where that slot is not negative
    (:meth:`Hasher.explain`'s result), else ``()``. With ``scores`` (a class whose only slot is ``labels``,
    such as :class:`moderation.types.Scores`), each row's dict comes wrapped in one, its slot set as
    ``__init__`` would set it (a frozen dataclass's ``__init__`` is Python, and costs more than the row).

    The records and dicts come back untracked by the cyclic garbage collector. A tuple of floats, bools and
    tuples of reasons (themselves str, float and tuples of ints) can hold no reference cycle, nor can a dict
    of such tuples under str keys until something else is put in it (and then CPython tracks it again).
    CPython untracks plain tuples like these itself, but never a subclass's, nor a dict holding one; a batch
    of scores makes hundreds of thousands of them, and every later collection would walk them all.
    """
    rows = ScoreRows(record, labels, probabilities, flags, thresholds, reasons, slots)
    if scores is None:
        return [rows.row(i) for i in range(probabilities.shape[0])]
    return rows.wrapped(scores)


cdef object _slot_of(type cls, str name):
    """``cls``'s member descriptor for its slot ``name``, checked to be one."""
    member = cls.__dict__.get(name)
    if type(member).__name__ != "member_descriptor":
        raise TypeError(f"{cls.__name__} must have a slot {name}")
    return member


cdef int _set_slot(object member, object target, object value) except -1:
    if Py_TYPE(<PyObject *> member).tp_descr_set(<PyObject *> member, <PyObject *> target, <PyObject *> value) < 0:
        raise TypeError("could not set a slot")
    return 0


cdef class ScoreRows:
    """A batch's scores as arrays (probabilities, flags, thresholds and the reasons' slots), each row's
    ``{label: record(...)}`` dict built when asked (:func:`label_scores` says what it holds)."""

    cdef readonly tuple labels
    cdef const double[:, ::1] probabilities
    cdef const uint8_t[:, ::1] flags
    cdef list thresholds
    cdef list reasons
    cdef const int64_t[:, ::1] slots
    cdef bint has_reasons
    cdef object record
    cdef dict template
    cdef readonly Py_ssize_t n

    def __init__(self, type record, tuple labels, const double[:, ::1] probabilities,
                 const uint8_t[:, ::1] flags, list thresholds, list reasons=None,
                 const int64_t[:, ::1] slots=None):
        cdef PyTypeObject *kind = <PyTypeObject *> record
        cdef Py_ssize_t n = probabilities.shape[0], k = probabilities.shape[1], i, j
        if not (
            PyType_IsSubtype(kind, &PyTuple_Type)
            and kind.tp_basicsize == PyTuple_Type.tp_basicsize
            and kind.tp_itemsize == PyTuple_Type.tp_itemsize
            and kind.tp_dictoffset == 0
        ):
            raise TypeError("record must be a tuple subclass with no attributes of its own")
        if len(getattr(record, "_fields", ())) != 4:
            raise TypeError("record must be a named tuple of (probability, flagged, threshold, reasons)")
        if flags.shape[0] != n or flags.shape[1] != k or len(thresholds) != k or len(labels) != k:
            raise ValueError("labels, probabilities, flags and thresholds must agree in shape")
        if (reasons is None) != (slots is None) or (
            slots is not None and (slots.shape[0] != n or slots.shape[1] != k)
        ):
            raise ValueError("reasons and slots go together, slots one per row and label")
        if reasons is not None:
            for i in range(n):
                for j in range(k):
                    if slots[i, j] >= len(reasons) or (slots[i, j] >= 0 and type(reasons[slots[i, j]]) is not tuple):
                        raise ValueError("each slot must name a tuple of reasons")
        for j in range(k):
            if type(thresholds[j]) is not float or type(labels[j]) is not str:
                raise TypeError("labels must be str and thresholds float")
        self.record, self.labels, self.probabilities, self.flags = record, labels, probabilities, flags
        self.thresholds, self.reasons, self.has_reasons, self.n = list(thresholds), reasons, reasons is not None, n
        if reasons is not None:
            self.slots = slots
        # Each row's dict is a copy of one that has every label already: a copy is a block copied whole, and
        # setting a key it has moves nothing, where seven insertions into an empty dict would grow it twice.
        self.template = dict.fromkeys(labels)

    cdef dict _row(self, Py_ssize_t i):
        cdef PyTypeObject *kind = <PyTypeObject *> self.record
        cdef Py_ssize_t j
        cdef PyObject *item
        cdef PyObject *shared
        cdef dict row = self.template.copy()
        empty = ()
        for j in range(len(self.labels)):
            record_object = kind.tp_alloc(kind, 4)  # a new reference, owned by record_object
            item = <PyObject *> record_object
            # Each SET_ITEM takes over one reference: the float's own, an added one for the shared objects.
            PyTuple_SET_ITEM(item, 0, PyFloat_FromDouble(self.probabilities[i, j]))
            shared = Py_True if self.flags[i, j] else Py_False
            Py_INCREF(shared)
            PyTuple_SET_ITEM(item, 1, shared)
            shared = <PyObject *> self.thresholds[j]
            Py_INCREF(shared)
            PyTuple_SET_ITEM(item, 2, shared)
            if self.has_reasons and self.slots[i, j] >= 0:
                shared = <PyObject *> self.reasons[self.slots[i, j]]
            else:
                shared = <PyObject *> empty
            Py_INCREF(shared)
            PyTuple_SET_ITEM(item, 3, shared)
            PyObject_GC_UnTrack(item)
            row[self.labels[j]] = record_object
        PyObject_GC_UnTrack(<PyObject *> row)
        return row

    def row(self, Py_ssize_t i):
        """Row ``i``'s ``{label: record(...)}``, built now (a new dict each time)."""
        if not 0 <= i < self.n:
            raise IndexError("row out of range")
        return self._row(i)

    def flagged(self, Py_ssize_t i):
        """Whether row ``i`` has any flag, read off the flags."""
        cdef Py_ssize_t j
        if not 0 <= i < self.n:
            raise IndexError("row out of range")
        for j in range(len(self.labels)):
            if self.flags[i, j]:
                return True
        return False

    def flag_names(self, Py_ssize_t i):
        """Row ``i``'s flagged labels, in label order, read off the flags."""
        cdef Py_ssize_t j
        if not 0 <= i < self.n:
            raise IndexError("row out of range")
        return tuple([self.labels[j] for j in range(len(self.labels)) if self.flags[i, j]])

    def wrapped(self, type scores):
        """Every row's dict in a ``scores`` (a class whose only slot is ``labels``), its slot set as
        ``__init__`` would set it (a frozen dataclass's ``__init__`` is Python, and costs more than the row)."""
        cdef PyTypeObject *wrapper = <PyTypeObject *> scores
        cdef Py_ssize_t i
        member = _slot_of(scores, "labels")
        if (
            tuple(getattr(scores, "__slots__", ())) != ("labels",)
            or any(tuple(getattr(base, "__slots__", ())) for base in scores.__mro__[1:])
            or wrapper.tp_dictoffset != 0
        ):
            raise TypeError("scores must be a class whose one slot is labels")
        rows = [None] * self.n
        for i in range(self.n):
            wrapped = wrapper.tp_alloc(wrapper, 0)
            _set_slot(member, wrapped, self._row(i))
            PyObject_GC_UnTrack(<PyObject *> wrapped)  # it holds the untracked dict only
            rows[i] = wrapped
        return rows

    def deferred(self, type scores):
        """An object of ``scores`` per row, its slots ``_rows`` (this) and ``_row`` (its number) set and
        nothing else: ``scores`` builds the row from them when it is read. No object of the batch but the
        one per row is made now, nor freed when they are dropped unread."""
        cdef PyTypeObject *wrapper = <PyTypeObject *> scores
        cdef Py_ssize_t i
        rows_member, row_member = _slot_of(scores, "_rows"), _slot_of(scores, "_row")
        if wrapper.tp_dictoffset != 0 or not wrapper.tp_flags & Py_TPFLAGS_HAVE_GC:
            raise TypeError("scores must be a class of slots only")
        out = [None] * self.n
        for i in range(self.n):
            deferred = wrapper.tp_alloc(wrapper, 0)
            _set_slot(rows_member, deferred, self)
            _set_slot(row_member, deferred, i)
            PyObject_GC_UnTrack(<PyObject *> deferred)  # it holds this batch and an int: no cycle
            out[i] = deferred
        return out


# ---- word counts ------------------------------------------------------------------------------------------

cdef extern from *:
    bint Py_UNICODE_ISSPACE(Py_UCS4 ch) nogil


# str.isspace of each one-byte code point (U+0000 to U+00FF), written once, when the module is imported.
cdef uint8_t _IS_SPACE[256]


cdef void _fill_spaces() noexcept:
    cdef int c
    for c in range(256):
        _IS_SPACE[c] = Py_UNICODE_ISSPACE(c)


_fill_spaces()


def more_words_than(texts, Py_ssize_t limit):
    """The indexes of the texts with more than ``limit`` words, as ``len(text.split()) > limit`` counts them
    (a word is a run of characters that are not ``str.isspace``), without splitting anything."""
    cdef tuple sequence = tuple(texts)
    cdef Py_ssize_t n = len(sequence), longest, r, i, words
    cdef Text *collected = _collect(sequence, &longest)
    cdef uint8_t *long = <uint8_t *> malloc(n + 1)
    cdef bint in_word
    cdef uint8_t after_space, space
    cdef const uint8_t *data
    cdef Py_UCS4 code
    try:
        if long == NULL:
            raise MemoryError()
        with nogil:
            for r in range(n):
                words = 0
                in_word = False
                # A text of at most 2 * limit characters cannot have more than limit words.
                if collected[r].length > 2 * limit and collected[r].kind == 1:
                    # Nearly every text: one byte per character, a word counted where one starts, without a
                    # branch per character (comments are short: stopping at the limit would not pay for one).
                    data = <const uint8_t *> collected[r].data
                    after_space = 1
                    for i in range(collected[r].length):
                        space = _IS_SPACE[data[i]]
                        words += after_space & (space ^ 1)
                        after_space = space
                elif collected[r].length > 2 * limit:
                    for i in range(collected[r].length):
                        code = _code_at(&collected[r], i)
                        if Py_UNICODE_ISSPACE(code):
                            in_word = False
                        elif not in_word:
                            in_word = True
                            words += 1
                            if words > limit:
                                break
                long[r] = words > limit
        return [r for r in range(n) if long[r]]
    finally:
        free(collected)
        free(long)


cdef object _untracked_spans(tuple spans):
    """``spans``, a tuple of pairs of ints, and its pairs untracked by the garbage collector: ints can make no
    reference cycle. CPython untracks such tuples itself, but only in a collection, after walking them: a
    stream's reasons made tens of collections per thousand comments, each walking the last ones made."""
    for pair in spans:
        if not (type(pair) is tuple and len(pair) == 2 and type(pair[0]) is int and type(pair[1]) is int):
            return spans
    for pair in spans:
        PyObject_GC_UnTrack(<PyObject *> pair)
    PyObject_GC_UnTrack(<PyObject *> spans)
    return spans


cdef object _record3(PyTypeObject *kind, object first, double second, object third):
    """``kind(first, second, third)`` for a checked tuple subclass, untracked by the garbage collector: it
    holds a str, a float and a tuple of pairs of ints, which can make no reference cycle."""
    record = kind.tp_alloc(kind, 3)
    cdef PyObject *item = <PyObject *> record
    Py_INCREF(<PyObject *> first)
    PyTuple_SET_ITEM(item, 0, <PyObject *> first)
    PyTuple_SET_ITEM(item, 1, PyFloat_FromDouble(second))
    Py_INCREF(<PyObject *> third)
    PyTuple_SET_ITEM(item, 2, <PyObject *> third)
    PyObject_GC_UnTrack(item)
    return record


# ---- scores as JSON --------------------------------------------------------------------------------------

cdef extern from *:
    char *PyOS_double_to_string(double value, char format_code, int precision, int flags, int *type) except NULL
    double PyOS_string_to_double(const char *s, char **endptr, PyObject *overflow_exception) except? -1.0
    object PyUnicode_DecodeUTF8(const char *data, Py_ssize_t size, const char *errors)
    void PyMem_Free(void *pointer)
    int Py_DTSF_ADD_DOT_0

from libc.math cimport fabs, floor, isfinite, signbit


ctypedef struct Buffer:
    char *data
    Py_ssize_t size
    Py_ssize_t capacity


cdef int _grow(Buffer *b, Py_ssize_t more) except -1:
    cdef Py_ssize_t capacity
    cdef char *grown
    capacity = max(2 * b.capacity, b.size + more + 4096)
    grown = <char *> realloc(b.data, capacity)
    if grown == NULL:
        raise MemoryError()
    b.data, b.capacity = grown, capacity
    return 0


cdef inline int _reserve(Buffer *b, Py_ssize_t more) except -1:
    if b.size + more <= b.capacity:
        return 0
    return _grow(b, more)


cdef inline int _put(Buffer *b, const char *text, Py_ssize_t size) except -1:
    _reserve(b, size)
    memcpy(b.data + b.size, text, size)
    b.size += size
    return 0


cdef int _put_integer(Buffer *b, long long value) except -1:
    cdef char digits[24]
    cdef int count = 0
    cdef unsigned long long magnitude = <unsigned long long> (-(value + 1)) + 1 if value < 0 else <unsigned long long> value
    while True:
        digits[count] = <char> (48 + magnitude % 10)
        count += 1
        magnitude //= 10
        if magnitude == 0:
            break
    _reserve(b, count + 1)
    if value < 0:
        b.data[b.size] = 45  # -
        b.size += 1
    while count > 0:
        count -= 1
        b.data[b.size] = digits[count]
        b.size += 1
    return 0


cdef int _put_repr(Buffer *b, double value) except -1:
    """``float.__repr__(value)``, as json writes a float."""
    cdef char *text = PyOS_double_to_string(value, 114, 0, Py_DTSF_ADD_DOT_0, NULL)  # 'r'
    try:
        _put(b, text, len(text))
    finally:
        PyMem_Free(text)
    return 0


cdef int _put_rounded(Buffer *b, double value) except -1:
    """``json.dumps(round(value, 6))`` for a finite float.

    ``round`` gives the double nearest the decimal of six places nearest ``value``, and its repr is that
    decimal, trailing zeros cut (below 1e-4 in the exponent form repr uses). The decimal's millionths are
    ``floor(|value| * 1e6 + 0.5)`` unless the product lies within 1e-6 of a half, where its own rounding
    (at most 1.2e-10 below 1e9) could decide: there, and for large or non-finite values, Python's own
    functions do it."""
    cdef double magnitude = fabs(value), scaled = magnitude * 1e6, fraction
    cdef long long millionths, whole, part
    cdef char *text
    cdef char digits[8]
    cdef int count
    fraction = scaled - floor(scaled)
    if not magnitude < 1e9 or fabs(fraction - 0.5) < 1e-6:
        text = PyOS_double_to_string(value, 102, 6, 0, NULL)  # 'f', 6 places: round's decimal
        try:
            return _put_repr(b, PyOS_string_to_double(text, NULL, NULL))
        finally:
            PyMem_Free(text)
    millionths = <long long> floor(scaled + 0.5)
    if signbit(value):
        _put(b, b"-", 1)
    if millionths == 0:
        return _put(b, b"0.0", 3)
    if millionths < 100:  # below 1e-4: repr writes 3e-06, 1.5e-05
        if millionths < 10:
            _put_integer(b, millionths)
            return _put(b, b"e-06", 4)
        _put_integer(b, millionths // 10)
        if millionths % 10:
            _put(b, b".", 1)
            _put_integer(b, millionths % 10)
        return _put(b, b"e-05", 4)
    whole, part = millionths // 1000000, millionths % 1000000
    _put_integer(b, whole)
    if part == 0:
        return _put(b, b".0", 2)
    count = 6
    while part % 10 == 0:
        part //= 10
        count -= 1
    _put(b, b".", 1)
    digits[count] = 0
    while count > 0:
        count -= 1
        digits[count] = <char> (48 + part % 10)
        part //= 10
    return _put(b, digits, len(digits))


cdef char *_HEX = b"0123456789abcdef"


cdef int _put_string(Buffer *b, object text) except -1:
    """``json.dumps(text, ensure_ascii=False)``: quotes, backslashes and control characters escaped."""
    cdef Py_ssize_t size, i
    cdef const unsigned char *data
    cdef unsigned char c
    cdef bytes encoded
    cdef unsigned char *out
    cdef Py_ssize_t run
    if PyUnicode_IS_ASCII(text):
        data = <const unsigned char *> PyUnicode_DATA(text)
        size = PyUnicode_GET_LENGTH(text)
    else:
        # surrogatepass: a lone surrogate is written as json.dumps keeps it (the result is decoded likewise)
        encoded = text.encode("utf-8", "surrogatepass")
        data = <const unsigned char *> (<char *> encoded)
        size = len(encoded)
    _reserve(b, 6 * size + 2)
    # Written through a local pointer (a store through b would be reloaded after every byte), and the runs
    # of characters that need no escape copied whole.
    out = <unsigned char *> b.data + b.size
    out[0] = 34
    out += 1
    i = 0
    while i < size:
        run = i
        while i < size and data[i] >= 32 and data[i] != 34 and data[i] != 92:
            i += 1
        if i > run:
            memcpy(out, data + run, i - run)
            out += i - run
        if i == size:
            break
        c = data[i]
        i += 1
        out[0] = 92
        if c == 34 or c == 92:
            out[1] = c
        elif c == 10:
            out[1] = 110  # n
        elif c == 13:
            out[1] = 114  # r
        elif c == 9:
            out[1] = 116  # t
        elif c == 8:
            out[1] = 98  # b
        elif c == 12:
            out[1] = 102  # f
        else:
            memcpy(out + 1, b"u00", 3)
            out[4] = _HEX[c >> 4]
            out[5] = _HEX[c & 15]
            out += 4
        out += 2
    out[0] = 34
    out += 1
    b.size = <char *> out - b.data
    return 0


cdef extern from *:
    bint PyTuple_Check(PyObject *value)
    Py_ssize_t PyTuple_GET_SIZE(PyObject *value)
    PyObject *PyTuple_GET_ITEM(PyObject *value, Py_ssize_t index)
    int PyDict_Next(PyObject *mapping, Py_ssize_t *position, PyObject **key, PyObject **value)
    bint PyUnicode_CheckExact(PyObject *value)
    bint PyFloat_CheckExact(PyObject *value)
    bint PyLong_CheckExact(PyObject *value)
    bint PyTuple_CheckExact(PyObject *value)
    double PyFloat_AS_DOUBLE(PyObject *value)
    long long PyLong_AsLongLongAndOverflow(PyObject *value, int *overflow) except? -1


ctypedef struct Threshold:
    PyObject *value  # the float last seen at this position (borrowed: only compared, never read after)
    char text[32]  # its repr
    Py_ssize_t size


cdef bint _put_label_score(Buffer *b, PyObject *score, Threshold *threshold) except -1:
    """``{"probability": ..., "flagged": ..., "threshold": ..., "reasons": [...]}`` of one LabelScore as
    Scores.to_dict writes it; False when it is not made of the exact types moderate builds (the caller then
    falls back to json for the whole row). ``threshold`` caches the repr of this label's threshold."""
    cdef PyObject *probability
    cdef PyObject *flagged
    cdef PyObject *reasons
    cdef PyObject *value
    cdef char *text
    if not PyTuple_Check(score) or PyTuple_GET_SIZE(score) != 4:
        return False
    probability, flagged = PyTuple_GET_ITEM(score, 0), PyTuple_GET_ITEM(score, 1)
    value, reasons = PyTuple_GET_ITEM(score, 2), PyTuple_GET_ITEM(score, 3)
    if not (PyFloat_CheckExact(probability) and (flagged == Py_True or flagged == Py_False)
            and PyFloat_CheckExact(value) and PyTuple_CheckExact(reasons)):
        return False
    if not (isfinite(PyFloat_AS_DOUBLE(probability)) and isfinite(PyFloat_AS_DOUBLE(value))):
        return False  # json writes NaN and Infinity its own way
    if threshold != NULL and threshold.value != value:
        text = PyOS_double_to_string(PyFloat_AS_DOUBLE(value), 114, 0, Py_DTSF_ADD_DOT_0, NULL)
        threshold.size = min(<Py_ssize_t> len(text), 31)
        memcpy(threshold.text, text, threshold.size)
        PyMem_Free(text)
        threshold.value = value
    _put(b, b'{"probability": ', 16)
    _put_rounded(b, PyFloat_AS_DOUBLE(probability))
    if flagged == Py_True:
        _put(b, b', "flagged": true, "threshold": ', 32)
    else:
        _put(b, b', "flagged": false, "threshold": ', 33)
    if threshold != NULL:
        _put(b, threshold.text, threshold.size)
    else:
        _put_repr(b, PyFloat_AS_DOUBLE(value))
    _put(b, b', "reasons": [', 14)
    if not _put_reasons(b, reasons):
        return False
    _put(b, b"]}", 2)
    return True


cdef bint _put_reasons(Buffer *b, PyObject *reasons) except -1:
    """The members of a tuple of :class:`moderation.types.Reason` as ``Scores.to_dict`` writes them (no
    brackets); False when it is not made of the exact types moderate builds."""
    cdef PyObject *reason
    cdef PyObject *spans
    cdef PyObject *span
    cdef PyObject *value
    cdef Py_ssize_t i, j
    cdef long long start, end
    cdef int overflow = 0, overflow_end = 0
    if not PyTuple_CheckExact(reasons):
        return False
    for i in range(PyTuple_GET_SIZE(reasons)):
        reason = PyTuple_GET_ITEM(reasons, i)
        if not PyTuple_Check(reason) or PyTuple_GET_SIZE(reason) != 3:
            return False
        value, spans = PyTuple_GET_ITEM(reason, 1), PyTuple_GET_ITEM(reason, 2)
        if not (PyUnicode_CheckExact(PyTuple_GET_ITEM(reason, 0)) and PyFloat_CheckExact(value)
                and PyTuple_CheckExact(spans) and isfinite(PyFloat_AS_DOUBLE(value))):
            return False
        _put(b, b'{"ngram": ' if i == 0 else b', {"ngram": ', 10 if i == 0 else 12)
        _put_string(b, <object> PyTuple_GET_ITEM(reason, 0))
        _put(b, b', "weight": ', 12)
        _put_rounded(b, PyFloat_AS_DOUBLE(value))
        _put(b, b', "spans": [', 12)
        for j in range(PyTuple_GET_SIZE(spans)):
            span = PyTuple_GET_ITEM(spans, j)
            if not (PyTuple_CheckExact(span) and PyTuple_GET_SIZE(span) == 2
                    and PyLong_CheckExact(PyTuple_GET_ITEM(span, 0))
                    and PyLong_CheckExact(PyTuple_GET_ITEM(span, 1))):
                return False
            start = PyLong_AsLongLongAndOverflow(PyTuple_GET_ITEM(span, 0), &overflow)
            end = PyLong_AsLongLongAndOverflow(PyTuple_GET_ITEM(span, 1), &overflow_end)
            if overflow or overflow_end:
                return False
            _put(b, b"[" if j == 0 else b", [", 1 if j == 0 else 3)
            _put_integer(b, start)
            _put(b, b", ", 2)
            _put_integer(b, end)
            _put(b, b"]", 1)
        _put(b, b"]}", 2)
    return True


def json_members(scores, fallback):
    """For each :class:`moderation.types.Scores`, the JSON text of its record's members ``"scores": ...,
    "flags": [...]``, exactly as ``fallback(s)`` writes them (``json.dumps`` of ``to_dict()`` and the
    flags, without the braces); ``fallback`` is asked for any row not made of the exact types moderate
    builds (tuples, floats, bools, ints and str)."""
    cdef Buffer b
    cdef list out = []
    cdef PyObject *label
    cdef PyObject *score
    cdef Py_ssize_t position, count, i
    cdef PyObject *flagged[64]
    cdef Threshold thresholds[64]
    cdef bint ok
    b.data, b.size, b.capacity = NULL, 0, 0
    for i in range(64):
        thresholds[i].value = NULL
    try:
        for item in scores:
            row = item.labels
            b.size = 0
            count = 0
            ok = type(row) is dict
            if ok:
                _put(&b, b'"scores": {', 11)
                position = 0
                while PyDict_Next(<PyObject *> row, &position, &label, &score):
                    if not PyUnicode_CheckExact(label):
                        ok = False
                        break
                    if count:
                        _put(&b, b", ", 2)
                    _put_string(&b, <object> label)
                    _put(&b, b": ", 2)
                    if not _put_label_score(&b, score, &thresholds[count] if count < 64 else NULL):
                        ok = False
                        break
                    if count < 64:
                        flagged[count] = label if PyTuple_GET_ITEM(score, 1) == Py_True else NULL
                    elif PyTuple_GET_ITEM(score, 1) == Py_True:
                        ok = False  # more labels than any model has: json does it
                        break
                    count += 1
            if not ok:
                out.append(fallback(item))
                continue
            _put(&b, b'}, "flags": [', 13)
            position = 0
            for i in range(min(count, 64)):
                if flagged[i] != NULL:
                    if position:
                        _put(&b, b", ", 2)
                    _put_string(&b, <object> flagged[i])
                    position += 1
            _put(&b, b"]", 1)
            out.append(PyUnicode_DecodeUTF8(b.data, b.size, "surrogatepass"))
        return out
    finally:
        free(b.data)


cdef extern from *:
    bint PyUnicode_CheckExact_object "PyUnicode_CheckExact"(object value)


cdef Py_ssize_t _put_members(Buffer *b, object item) except -2:
    """``{`` and the members of a dict of str keys and str, int or None values as json writes them (no
    closing brace): how many; -1 (with some written) when it is not such a dict."""
    cdef Py_ssize_t position = 0, count = 0
    cdef PyObject *key
    cdef PyObject *value
    cdef long long number
    cdef int overflow = 0
    if type(item) is not dict:
        return -1
    _put(b, b"{", 1)
    while PyDict_Next(<PyObject *> item, &position, &key, &value):
        if not PyUnicode_CheckExact(key):
            return -1
        if count:
            _put(b, b", ", 2)
        count += 1
        _put_string(b, <object> key)
        _put(b, b": ", 2)
        if PyUnicode_CheckExact(value):
            _put_string(b, <object> value)
        elif value == <PyObject *> None:
            _put(b, b"null", 4)
        elif PyLong_CheckExact(value):
            number = PyLong_AsLongLongAndOverflow(value, &overflow)
            if overflow:
                return -1
            _put_integer(b, number)
        else:
            return -1
    return count


def json_objects(list objects, fallback, list members=None):
    """``fallback(o)`` for each dict ``o`` (``json.dumps(o, ensure_ascii=False)``), written in C when ``o``
    holds only str keys and str, int or None values; with ``members``, ``members[i]`` (JSON members' text)
    is added at the end of object i, after a comma when it has members of its own."""
    cdef Buffer b
    cdef list out = []
    cdef Py_ssize_t i, count
    if members is not None and len(members) != len(objects):
        raise ValueError("one members text per object")
    b.data, b.size, b.capacity = NULL, 0, 0
    try:
        for i in range(len(objects)):
            item = objects[i]
            b.size = 0
            count = _put_members(&b, item)
            if count >= 0:
                if members is not None:
                    if count:
                        _put(&b, b", ", 2)
                    tail = members[i]
                    if not PyUnicode_CheckExact_object(tail):
                        raise TypeError("members must be str")
                    _put_utf8(&b, tail)
                _put(&b, b"}", 1)
                out.append(PyUnicode_DecodeUTF8(b.data, b.size, "surrogatepass"))
                continue
            text = fallback(item)
            if members is not None:
                text = text[: len(text) - 1] + (", " if text != "{}" else "") + members[i] + "}"
            out.append(text)
        return out
    finally:
        free(b.data)


cdef int _put_probability(Buffer *b, double value, bint rounded) except -1:
    """``json.dumps(round(value, 6))`` (or of ``value`` itself when not ``rounded``), non-finite values
    included."""
    if isfinite(value):
        return _put_rounded(b, value) if rounded else _put_repr(b, value)
    if value != value:
        return _put(b, b"NaN", 3)
    return _put(b, b"-Infinity", 9) if value < 0 else _put(b, b"Infinity", 8)


def jsonl_scored(list objects, fallback, tuple labels, const double[:, ::1] probabilities,
                 const uint8_t[:, ::1] flags, list thresholds, list reasons=None,
                 const int64_t[:, ::1] slots=None):
    """The JSONL lines, as UTF-8 bytes, of ``objects`` (dicts) each with its row's scores and flags added at
    its end: line i is ``json.dumps({**objects[i], "scores": s.to_dict(), "flags": list(s.flags)},
    ensure_ascii=False) + "\n"`` for the :class:`moderation.types.Scores` ``s`` that
    :func:`label_scores` builds from row i of the same arrays, written straight from the arrays without
    building it. An object not of str keys and str, int or None values is written by ``fallback``
    (``json.dumps``)."""
    cdef Py_ssize_t n = len(objects), k = len(labels), i, j, count, start, flagged
    cdef Threshold threshold
    cdef bytes encoded
    if probabilities.shape[0] != n or flags.shape[0] != n or probabilities.shape[1] != k or (
        flags.shape[1] != k or len(thresholds) != k
    ):
        raise ValueError("one row of probabilities and flags per object, one column and threshold per label")
    if (reasons is None) != (slots is None) or (
        slots is not None and (slots.shape[0] != n or slots.shape[1] != k)
    ):
        raise ValueError("reasons and slots go together, slots one per row and label")
    for j in range(k):
        if type(thresholds[j]) is not float or type(labels[j]) is not str:
            raise TypeError("labels must be str and thresholds float")
    # Each label's key and threshold, and each flag's name, as JSON: written once, copied per row.
    cdef Buffer keys, flag_names, b
    keys.data, keys.size, keys.capacity = NULL, 0, 0
    flag_names.data, flag_names.size, flag_names.capacity = NULL, 0, 0
    b.data, b.size, b.capacity = NULL, 0, 0
    cdef Py_ssize_t *key_ends = <Py_ssize_t *> malloc((k + 1) * sizeof(Py_ssize_t))
    cdef Py_ssize_t *name_ends = <Py_ssize_t *> malloc((k + 1) * sizeof(Py_ssize_t))
    cdef Py_ssize_t *threshold_ends = <Py_ssize_t *> malloc((k + 1) * sizeof(Py_ssize_t))
    cdef Buffer threshold_texts
    threshold_texts.data, threshold_texts.size, threshold_texts.capacity = NULL, 0, 0
    try:
        if key_ends == NULL or name_ends == NULL or threshold_ends == NULL:
            raise MemoryError()
        key_ends[0] = name_ends[0] = threshold_ends[0] = 0
        for j in range(k):
            if j:
                _put(&keys, b", ", 2)
            _put_string(&keys, labels[j])
            _put(&keys, b': {"probability": ', 18)
            key_ends[j + 1] = keys.size
            _put_string(&flag_names, labels[j])
            name_ends[j + 1] = flag_names.size
            _put_probability(&threshold_texts, thresholds[j], False)
            threshold_ends[j + 1] = threshold_texts.size
        if reasons is not None:
            for i in range(n):
                for j in range(k):
                    if slots[i, j] >= len(reasons) or (
                        slots[i, j] >= 0 and type(reasons[slots[i, j]]) is not tuple
                    ):
                        raise ValueError("each slot must name a tuple of reasons")
        for i in range(n):
            item = objects[i]
            start = b.size
            count = _put_members(&b, item)
            if count < 0:
                b.size = start
                text = fallback(item)
                encoded = text.encode("utf-8", "surrogatepass")
                _put(&b, encoded, len(encoded) - 1)  # without its closing brace
                count = 0 if text == "{}" else 1
            if count:
                _put(&b, b", ", 2)
            _put(&b, b'"scores": {', 11)
            for j in range(k):
                _put(&b, keys.data + key_ends[j], key_ends[j + 1] - key_ends[j])
                _put_probability(&b, probabilities[i, j], True)
                if flags[i, j]:
                    _put(&b, b', "flagged": true, "threshold": ', 32)
                else:
                    _put(&b, b', "flagged": false, "threshold": ', 33)
                _put(&b, threshold_texts.data + threshold_ends[j], threshold_ends[j + 1] - threshold_ends[j])
                _put(&b, b', "reasons": [', 14)
                if slots is not None and slots[i, j] >= 0:
                    if not _put_reasons(&b, <PyObject *> reasons[slots[i, j]]):
                        raise TypeError("reasons must be Reason records of str, float and (int, int) spans")
                _put(&b, b"]}", 2)
            _put(&b, b'}, "flags": [', 13)
            flagged = 0
            for j in range(k):
                if flags[i, j]:
                    if flagged:
                        _put(&b, b", ", 2)
                    _put(&b, flag_names.data + name_ends[j], name_ends[j + 1] - name_ends[j])
                    flagged += 1
            _put(&b, b"]}\n", 3)
        return PyBytes_FromStringAndSize(b.data, b.size)
    finally:
        free(b.data)
        free(keys.data)
        free(flag_names.data)
        free(threshold_texts.data)
        free(key_ends)
        free(name_ends)
        free(threshold_ends)


cdef int _put_utf8(Buffer *b, object text) except -1:
    """``text`` as it stands (already JSON), in UTF-8."""
    cdef bytes encoded
    if PyUnicode_IS_ASCII(text):
        return _put(b, <const char *> PyUnicode_DATA(text), PyUnicode_GET_LENGTH(text))
    encoded = text.encode("utf-8", "surrogatepass")
    return _put(b, encoded, len(encoded))


# ---- JSON lines read together ----------------------------------------------------------------------------

cdef extern from *:
    Py_UCS4 PyUnicode_READ(int kind, const void *data, Py_ssize_t index) nogil


cdef bint _one_object(const void *data, int kind, Py_ssize_t size) noexcept nogil:
    """json_object_lines' test past the braces at either end, for any width of code point."""
    cdef Py_ssize_t depth = 0, j = 0
    cdef bint in_string = False
    cdef Py_UCS4 c, after
    while j < size:
        c = PyUnicode_READ(kind, data, j)
        if c == 92:  # a backslash: an escaped surrogate anywhere sends the line the slow way
            if j + 2 < size and PyUnicode_READ(kind, data, j + 1) == 117:  # u
                after = PyUnicode_READ(kind, data, j + 2)
                if after == 100 or after == 68:  # d D
                    return False
            if in_string:
                j += 1  # the escaped character, whatever it is, does not end the string
        elif c == 34:  # "
            in_string = not in_string
        elif not in_string:
            if c == 123 or c == 91:  # { [
                depth += 1
            elif c == 125 or c == 93:  # } ]
                depth -= 1
                if depth <= 0 and j != size - 1:
                    return False
        j += 1
    return depth == 0 and not in_string


cdef bint _one_object_latin1(const uint8_t *data, Py_ssize_t size) noexcept nogil:
    """_one_object for one-byte code points (most lines): the same test, read directly."""
    cdef Py_ssize_t depth = 0, j = 0
    cdef bint in_string = False
    cdef uint8_t c
    while j < size:
        c = data[j]
        if c == 92:
            if j + 2 < size and data[j + 1] == 117 and (data[j + 2] == 100 or data[j + 2] == 68):
                return False
            if in_string:
                j += 1
        elif c == 34:
            in_string = not in_string
        elif not in_string:
            if c == 123 or c == 91:
                depth += 1
            elif c == 125 or c == 93:
                depth -= 1
                if depth <= 0 and j != size - 1:
                    return False
        j += 1
    return depth == 0 and not in_string


def json_object_lines(list lines):
    """Per item of ``lines``, 1 where it is a str that is one JSON object and nothing else *if* it is valid
    JSON: it starts with ``{``, ends with the ``}`` that closes it (every bracket outside strings balanced
    before, and no string open at the end), and holds no ``\\ud``/``\\uD`` (an escaped surrogate, read line
    by line); else 0. Lines marked 1, joined by commas inside ``[...]``, make a document that parses if and
    only if each of them does, its items being theirs, one per line, in order: each line's brackets are
    its own, so none can close another's or split into two items. Only the structure is checked here;
    whether each is valid JSON is left to the parser."""
    cdef Py_ssize_t n = len(lines), i, size
    cdef const void *data
    cdef int kind
    marks = bytearray(n)
    cdef unsigned char[::1] out = marks
    for i in range(n):
        line = lines[i]
        if type(line) is not str:
            continue
        size = PyUnicode_GET_LENGTH(line)
        if size < 2:
            continue
        data, kind = PyUnicode_DATA(line), PyUnicode_KIND(line)
        if PyUnicode_READ(kind, data, 0) != 123 or PyUnicode_READ(kind, data, size - 1) != 125:  # { }
            continue
        if kind == 1:
            out[i] = _one_object_latin1(<const uint8_t *> data, size)
        else:
            out[i] = _one_object(data, kind, size)
    return marks
