"""Comment text -> the canonical form the model reads: obfuscations folded, nothing invented.

What it folds, in order:

1. Unicode compatibility forms (NFKD: full-width letters, ligatures, mathematical alphabets), then combining
   marks are dropped ("jüden" -> "juden"), zero-width and other invisible characters removed.
2. Lower case; confusable letters from Cyrillic and Greek that look Latin ("јеws" with a Cyrillic ј and е)
   mapped to their Latin look-alikes. The model reads English; a whole Russian comment becomes gibberish to
   it either way, and a mixed-script word is almost always an evasion.
3. URLs -> ``xxurl``, @mentions and ``<user>`` placeholders -> ``xxuser``: who is linked or named is noise
   for the model, that there was one is not.
4. The antisemitic "echo", ``(((name)))``, becomes the token ``xxecho`` followed by the name, so the model
   sees the marker whatever is inside it.
5. Spaced-out spellings ("j e w s", "z.o.g", "j-e-w") are joined when at least three single letters stand
   in a row, and leetspeak digits are read as letters only *between* letters ("j3w", "k1ke", "j00s") so
   that numbers keep their meaning: "45s", "the 1930s", "covid19", "3rd" and "4th" are left alone.
6. Letters repeated three or more times are squeezed to two ("jeeeews" -> "jeews"); a run of one to forty
   words said three or more times in a row ("ok ok ok ok", "hello world. hello world. ...", a sentence pasted
   forty times) is kept once: what a text says once does not gain weight, or lose its innocence, by being
   pasted six thousand times. Whitespace becomes one space.

Spelling variants of coded terms ("khazars", "goy", "shekelz") are not rewritten here: the featurizer marks
every spelling the lexicon (``data/lexicon.json``) lists, which needs no extra pass over the text.

The regular expressions below define the rules (:func:`regex_normalize_many` is the reference). Most
comments are plain ASCII that no URL, mention, echo or ``$`` rule touches, and those are folded by the
compiled kernel (``moderation/_kernel.pyx``), one pass per text in C, to the same strings (tests/test_kernel.py);
so are most non-ASCII ones, character by character from a table of the characters that allows
(:func:`_kernel_folds`). The rest are normalized as one joined string so every regular expression runs once per batch in C, not once
per comment in Python.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from moderation import _kernel

_SEPARATOR = "\x00"  # never survives into a comment (control characters are removed first)

_INVISIBLE = dict.fromkeys(
    [0x00AD, 0x034F, 0x061C, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x180E, 0x3164, 0xFEFF, 0xFFA0]
    + list(range(0x200B, 0x2010))
    + list(range(0x202A, 0x202F))
    + list(range(0x2060, 0x2070))
    + list(range(0xFE00, 0xFE10))
    # Lone surrogates (JSON can carry "\ud800") cannot be encoded at all: drop them.
    + list(range(0xD800, 0xE000)),
    None,
)
# Control characters become spaces (a tab or newline separates words); NUL is kept: it is the batch separator,
# and every text has its own NULs replaced before joining.
_CONTROLS = {c: " " for c in list(range(0x01, 0x20)) + [0x7F] + list(range(0x80, 0xA0))}

_CONFUSABLES = {
    # Cyrillic
    "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p", "с": "c",
    "т": "t", "у": "y", "х": "x", "ѕ": "s", "і": "i", "ї": "i", "ј": "j", "ԁ": "d", "ԛ": "q", "ԝ": "w",
    "һ": "h", "ӏ": "l", "ɡ": "g", "ь": "b", "п": "n", "г": "r", "л": "n", "ѡ": "w", "ү": "y",
    # Greek
    "α": "a", "β": "b", "ε": "e", "η": "n", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p", "τ": "t",
    "υ": "u", "χ": "x", "ω": "w", "ς": "s", "ϳ": "j",
    # Latin look-alikes and typographic variants
    "ı": "i", "ȷ": "j", "ʝ": "j", "ꞇ": "t", "ø": "o", "ß": "ss", "æ": "ae", "œ": "oe", "ð": "d", "þ": "th",
    "\u2018": "'", "\u2019": "'", "\u201b": "'", "\u2032": "'", "`": "'", "´": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "«": '"', "»": '"',
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-", "\u2212": "-",
    "\u00a0": " ", "\u2028": " ", "\u2029": " ", "\u3000": " ",
}  # fmt: skip
_TRANSLATION = str.maketrans({**_CONTROLS, **_INVISIBLE, **_CONFUSABLES})

_COMBINING = re.compile(r"[\u0300-\u036f\u0483-\u0489\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]+")
_ASCII_CONTROLS = re.compile(r"[\x01-\x1f\x7f]+")
# URLs, @mentions, HateXplain's <user> placeholder and the echo. Each begins with a literal, so each runs only
# when its literal is in the batch at all ("@" in text is a memchr; a regex pass is not).
_URL = re.compile(r"(?:https?://|www\.)[^\s\x00]+")
_MENTION = re.compile(r"@[a-z0-9_]{2,30}|<user>")
_ECHO = re.compile(r"\(\(\(([^()\x00]{0,60}?)\)\)\)+|\(\(\(|\)\)\)")
# Three or more single letters joined by one separator each ("j e w s", "z.o.g", "j-e-w"), starting after a
# space or an opening mark. Beginning with that rarer character keeps the pass fast.
_SPACED = re.compile(r"(?P<lead>[\s\x00(\"'])(?P<letters>[a-z](?:[ .*_-][a-z]){2,})(?![\w*-])")
# Digits read as letters only between letters ("j3w", "k1ke", "j00s"), never in numbers ("45s", "1930s").
_LEET = re.compile(r"[a-z][013457$]+(?=[a-z])")
# A letter three or more times in a row, squeezed to two ("jeeeews" -> "jeews").
_REPEATS = re.compile(r"([a-z])\1\1+")
_DOLLAR = re.compile(r"\$(?=[a-z]{2})")
_SPACED_JOINERS = re.compile(r"[ .*_-]")
_LEET_TABLE = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "$": "s"})
_SPACES = re.compile(r"  +")
# One to forty words (a phrase or a whole sentence) with what follows each (never the batch separator), then the
# same run twice or more.
_PHRASE_REPEATS = re.compile(r"\b((?:\w+[^\w\x00]+){1,40}?)\1{2,}")

ECHO_TOKEN = "xxecho"
URL_TOKEN = "xxurl"
USER_TOKEN = "xxuser"


def normalize(text: str) -> str:
    """One comment in the canonical form the model reads."""
    return normalize_many([text])[0]


def normalize_many(texts: Sequence[str]) -> list[str]:
    """A batch of comments in canonical form.

    Most comments are ASCII that no rare rule (URLs, mentions, the echo, ``$``) touches, or become so once
    Unicode is folded (curly quotes, accents): the compiled kernel (:func:`moderation._kernel.fold_ascii`)
    folds those, one pass per text in C, the non-ASCII ones from its table (:func:`_kernel_folds`); those
    with another character are folded from Unicode here first, and given to it again. The rest go through the regular expressions of
    :func:`regex_normalize_many`, which define what every rule means; tests/test_kernel.py checks that the
    kernel agrees with them on thousands of texts built to provoke every rule.
    """
    if not texts:
        return []
    normalized, rest, squeeze_rows = _kernel.fold_ascii(texts, _KERNEL_FOLDS)
    if rest:
        prepared = [_prepare(texts[row]) for row in rest]
        again, still, squeeze_again = _kernel.fold_ascii(prepared)
        for row, text in zip(rest, again, strict=True):
            normalized[row] = text
        squeeze_rows += [rest[i] for i in squeeze_again]
        if still:
            # Folding these apart from the others changes nothing: no rule reaches across the batch separator.
            for i, text in zip(still, _fold_joined([prepared[i] for i in still]), strict=True):
                normalized[rest[i]] = text
    for row in squeeze_rows:
        normalized[row] = _squeeze_phrases(normalized[row])
    return normalized


def regex_normalize_many(texts: Sequence[str]) -> list[str]:
    """The reference normalization: every rule a regular expression, one pass of each over the joined batch.

    The compiled kernel is a faster form of this for the texts it can take, and must give the same strings.
    """
    if not texts:
        return []
    return _fold_joined([_prepare(text) for text in texts])


def _prepare(text: str) -> str:
    # Only non-ASCII comments pay for Unicode folding; it is per comment because a joined batch with one
    # emoji in it would make every comment take the slow path.
    return text if text.isascii() and _SEPARATOR not in text else _fold_unicode(text)


def _fold_joined(prepared: Sequence[str]) -> list[str]:
    """Comments through :func:`_prepare`, folded by one pass of each rule over the joined batch."""
    return [_squeeze_phrases(part.strip()) for part in _fold(_SEPARATOR.join(prepared)).split(_SEPARATOR)]


def _squeeze_phrases(text: str) -> str:
    """Runs of a repeated phrase kept once, for texts that repeat themselves (a cheap word count says which:
    the phrase pattern is too slow to run over every comment)."""
    words = text.split()
    if len(set(words)) * 2 > len(words):
        return text
    spaced = text + " "
    spaced = spaced[: repeat_period(spaced)]
    # The trailing space lets the last copy match too ("ok ok ok" ends without one).
    return _PHRASE_REPEATS.sub(lambda m: m.group(1), spaced).rstrip()


def repeat_period(text: str) -> int:
    """The length of the shortest piece ``text`` is copies of (``len(text)`` when it is not a repetition): a
    whole comment pasted again and again, however long, found by one C-level search."""
    return (text + text).find(text, 1)


_PLACEHOLDER = re.compile(rf"{ECHO_TOKEN}(?: (\w+))?|{URL_TOKEN}|{USER_TOKEN}")


def readable(fragment: str) -> str:
    """A fragment of normalized text with its placeholder tokens shown as what they stand for, so a reason
    reads in the user's terms: "xxecho them" -> "(((them)))", "xxecho" -> "(((", "xxurl" -> "<link>", "xxuser" -> "@user"."""
    if "xx" not in fragment:
        return fragment
    return _PLACEHOLDER.sub(_unplaceholder, fragment)


def _unplaceholder(match: re.Match[str]) -> str:
    token = match.group(0)
    if token.startswith(ECHO_TOKEN):
        return f"((({match.group(1)})))" if match.group(1) else "((("
    return "<link>" if token == URL_TOKEN else "@user"


def _fold(text: str) -> str:
    """The ASCII-level rules; Unicode text must have been through :func:`_fold_unicode` first."""
    text = _ASCII_CONTROLS.sub(" ", " " + text.lower())  # the space lets the first word match _SPACED
    for rule in _RULES:
        if rule.applies_to(text):
            text = rule.pattern.sub(rule.replace, text)
    return text


def _fold_unicode(text: str) -> str:
    # lower() before the table: it can surface confusables ("Е" -> "е"). NUL, our batch separator, goes too.
    # ``text.translate(_TRANSLATION).replace(_SEPARATOR, " ")``, done by a pattern that finds the few characters
    # that change: str.translate looks every character up in a dict, which cost more than all the rest here.
    text = _FOLDABLE.sub(_folded, unicodedata.normalize("NFKD", text).lower())
    return _COMBINING.sub("", text)


def _character_class(codes: list[int]) -> str:
    """A pattern matching any one of ``codes``, consecutive code points as ranges."""
    ranges: list[list[int]] = []
    for code in sorted(codes):
        if ranges and code == ranges[-1][1] + 1:
            ranges[-1][1] = code
        else:
            ranges.append([code, code])
    return (
        "[" + "".join(re.escape(chr(a)) + ("-" + re.escape(chr(b)) if b > a else "") for a, b in ranges) + "]"
    )


_FOLDS = {chr(code): value or "" for code, value in _TRANSLATION.items()} | {_SEPARATOR: " "}
_FOLDABLE = re.compile(_character_class([ord(c) for c in _FOLDS]))


def _folded(match: re.Match[str]) -> str:
    return _FOLDS[match.group()]


_KEPT = b"\xff"  # the kernel's mark for a character kept as it is
_WORD_OR_SPACE = re.compile(r"[\w\s]")
# ASCII, then the blocks where comments' non-ASCII characters mostly come from: Latin, Greek and Cyrillic
# letters, combining marks, punctuation and symbols, variation selectors, full-width forms, emoji.
_KERNEL_BLOCKS = (
    (0, 0x530), (0x1E00, 0x1F00), (0x2000, 0x2800), (0xFE00, 0xFE10), (0xFEFF, 0xFF00), (0xFF00, 0xFFF0),
    (0x1F000, 0x1FB00),
)  # fmt: skip


def _kernel_folds() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The characters the kernel may fold itself in a non-ASCII text (:class:`moderation._kernel.FoldTable`): ``(codes, starts, pieces)``, ``pieces[starts[i]:starts[i + 1]]`` being what ``codes[i]`` folds to.

    The 128 ASCII characters come first (each folds to one: lower case, a space for a control character and
    NUL, "'" for "`"). Any other is in it when its :func:`_fold_unicode` is ASCII (at most 4 characters), or is itself and
    is no letter, digit, space or mark (an emoji, a currency sign: kept, the rules pass it by as they pass
    ASCII punctuation). A text of such characters folds as its characters fold one by one: NFKD decomposes
    each on its own and only reorders runs of combining marks, which are all dropped here (a character
    bringing a mark that would not be is left out), and lower() looks at its neighbours only for a capital
    sigma, whose fold is not ASCII.
    """
    codes: list[int] = []
    pieces: list[bytes] = []
    for first, end in _KERNEL_BLOCKS:
        for code in range(first, end):
            character = chr(code)
            decomposed = unicodedata.normalize("NFKD", character)
            unchanged = (
                decomposed == character == character.lower()
                and character not in _FOLDS
                and not _COMBINING.match(character)
            )
            folded = character if unchanged else _fold_unicode(character)
            if folded.isascii():
                marks_kept = any(unicodedata.combining(c) and _fold_unicode(c) for c in decomposed)
                if len(folded) > (1 if code < 128 else 4) or marks_kept:
                    continue
                piece = folded.encode("ascii")
            elif unchanged and not unicodedata.combining(character) and not _WORD_OR_SPACE.match(character):
                piece = _KEPT
            else:
                continue
            codes.append(code)
            pieces.append(piece)
    starts = np.zeros(len(pieces) + 1, dtype=np.uint32)
    np.cumsum([len(piece) for piece in pieces], out=starts[1:])
    return (
        np.array(codes, dtype=np.uint32),
        starts,
        np.frombuffer(b"".join(pieces), dtype=np.uint8),
    )


_KERNEL_FOLDS = _kernel.FoldTable(*_kernel_folds())


def _preceded_by_word(match: re.Match[str]) -> bool:
    before = match.string[match.start() - 1 : match.start()]
    return before.isalnum() or before in ("_", "@")


def _mention(match: re.Match[str]) -> str:
    return match.group(0) if _preceded_by_word(match) else f" {USER_TOKEN} "


def _echo(match: re.Match[str]) -> str:
    inner = (match.group(1) or "").strip()
    return f" {ECHO_TOKEN} {inner} " if inner else f" {ECHO_TOKEN} "


def _spaced(match: re.Match[str]) -> str:
    return match.group("lead") + _SPACED_JOINERS.sub("", match.group("letters"))


def _leet(match: re.Match[str]) -> str:
    found = match.group(0)
    return found[0] + found[1:].translate(_LEET_TABLE)


@dataclass(frozen=True)
class _Rule:
    """One ASCII-level rule: ``pattern.sub(replace, text)``, run only when one of ``needs`` is in the text
    (each is a literal every match contains: a memchr is cheaper than a pass of the pattern)."""

    pattern: re.Pattern[str]
    replace: Callable[[re.Match[str]], str]
    needs: tuple[str, ...] = ()
    copied_group: int | None = None
    """The group the replacement copies (the echo's name), so offsets can map it exactly."""

    def applies_to(self, text: str) -> bool:
        return not self.needs or any(literal in text for literal in self.needs)


#: The ASCII-level rules in the order they run, for every path that normalizes (the joined batch, the
#: offset-tracking one); the compiled kernel implements the rules without a trigger, and is tested against these.
_RULES = (
    _Rule(_URL, lambda m: f" {URL_TOKEN} ", ("http", "www.")),
    _Rule(_MENTION, _mention, ("@", "<user>")),
    _Rule(_ECHO, _echo, ("(((", ")))"), copied_group=1),
    _Rule(_DOLLAR, lambda m: m.group(0) if _preceded_by_word(m) else "s", ("$",)),
    _Rule(_SPACED, _spaced),
    _Rule(_LEET, _leet),
    _Rule(_REPEATS, lambda m: m.group(0)[:2]),
    _Rule(_SPACES, lambda m: " "),
)


# -- Offsets back into the raw text -------------------------------------------------------------------------
#
# Explanations name stretches of the normalized text; a report highlights them in the comment as written. The
# tracked path below applies the rules above, in the same order and with the same patterns and replacement
# functions, one text at a time, and carries for every character of the text so far the span of the raw text
# that produced it. Only texts being explained pay for it; a property test holds it to `normalize` exactly.


@dataclass(frozen=True)
class NormalizedText:
    """A text in canonical form and where it came from: ``text[i]`` was produced by ``raw[starts[i]:ends[i]]``.

    Both offset sequences are non-decreasing, so a stretch of the text came from one stretch of the raw text.
    They are ranges when the text is the raw text lower-cased and stripped (no garbage for the collector to
    walk: most texts explained are like that), tuples otherwise.
    """

    text: str
    starts: Sequence[int]
    ends: Sequence[int]

    def raw_span(self, begin: int, end: int) -> tuple[int, int]:
        """The span of the raw text that produced ``text[begin:end]`` (a non-empty stretch)."""
        if not 0 <= begin < end <= len(self.text):
            raise ValueError(
                f"{begin}:{end} is not a non-empty stretch of a text of {len(self.text)} characters"
            )
        return self.starts[begin], self.ends[end - 1]


def normalize_with_offsets(text: str, normalized: str | None = None) -> NormalizedText:
    """:func:`normalize` of one text, with the span of ``text`` that each character of the result came from.

    A character a rule rewrites maps to everything the rewritten stretch came from (``xxurl`` to the whole
    URL); characters a rule only drops ("jeeeews", a combining accent, a zero-width space, the ``)))`` that
    closes an echo) widen the span of the character kept before them. A caller that has ``normalize(text)``
    already may pass it as ``normalized``: most texts are only lower-cased and stripped, and need no tracking.
    """
    if normalized is not None and text.isascii():
        lowered = text.lower()
        if lowered.strip() == normalized:
            lead = len(lowered) - len(lowered.lstrip())
            return NormalizedText(
                normalized, range(lead, lead + len(normalized)), range(lead + 1, lead + len(normalized) + 1)
            )
    tracked = _Tracked(text, list(range(len(text))), list(range(1, len(text) + 1)))
    # The steps of normalize_many, in its order: _fold_unicode (for the texts it folds), _fold, then
    # _squeeze_phrases of the stripped text.
    if not text.isascii() or _SEPARATOR in text:
        folded = unicodedata.normalize("NFKD", text).lower().translate(_TRANSLATION)
        # Character by character, the fold of the whole text, but where NFKD puts combining marks that several
        # characters brought in order, and at a Greek final sigma: then it takes its steps one by one.
        quick = tracked.sub(_NON_ASCII, _fold_character)
        quick = quick.same_length(quick.text.lower().translate(_TRANSLATION))
        if quick.text == folded:
            tracked = quick
        else:
            decomposed = [unicodedata.normalize("NFKD", c) for c in text]
            tracked = tracked.expand((decomposed, unicodedata.normalize("NFKD", text)))
            tracked = tracked.lower()
            tracked = tracked.expand(([c.translate(_TRANSLATION) for c in tracked.text], None))
        tracked = tracked.same_length(tracked.text.replace(_SEPARATOR, _SPACE))
        tracked = tracked.sub(_COMBINING, lambda m: "")
    tracked = _Tracked(" ", [0], [0]).concat(tracked.lower())
    tracked = tracked.sub(_ASCII_CONTROLS, lambda m: _SPACE)
    for rule in _RULES:
        if rule.applies_to(tracked.text):
            tracked = tracked.sub(rule.pattern, rule.replace, rule.copied_group)
    text = tracked.text
    lead = len(text) - len(text.lstrip())
    tracked = tracked.slice(lead, lead + len(text.strip()))
    words = tracked.text.split()
    if len(set(words)) * 2 <= len(words):
        end = tracked.ends[-1] if tracked.text else 0
        spaced = tracked.concat(_Tracked(_SPACE, [end], [end]))
        spaced = spaced.slice(0, repeat_period(spaced.text))
        tracked = spaced.sub(_PHRASE_REPEATS, lambda m: m.group(1))
        tracked = tracked.slice(0, len(tracked.text.rstrip()))
    return NormalizedText(tracked.text, tuple(tracked.starts), tuple(tracked.ends))


_SPACE = " "
_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def _fold_character(match: re.Match[str]) -> str:
    return unicodedata.normalize("NFKD", match.group(0)).lower().translate(_TRANSLATION)


class _Tracked:
    """A text on its way to canonical form and, per character, the raw span it came from. Never changed once
    made (a plain class, not a frozen dataclass: a text being explained makes a dozen, and a frozen
    dataclass's ``__init__`` costs three times as much)."""

    __slots__ = ("text", "starts", "ends")

    def __init__(self, text: str, starts: list[int], ends: list[int]) -> None:
        self.text = text
        self.starts = starts
        self.ends = ends

    def slice(self, begin: int, end: int) -> _Tracked:
        return _Tracked(self.text[begin:end], self.starts[begin:end], self.ends[begin:end])

    def concat(self, other: _Tracked) -> _Tracked:
        return _Tracked(self.text + other.text, self.starts + other.starts, self.ends + other.ends)

    def same_length(self, converted: str) -> _Tracked:
        """A conversion character for character: each keeps its span."""
        return _Tracked(converted, self.starts, self.ends)

    def lower(self) -> _Tracked:
        lowered = self.text.lower()
        if len(lowered) == len(self.text):
            # Case mapping is per character but for Greek final sigma, which keeps the length: one to one.
            return self.same_length(lowered)
        return self.expand(([c.lower() for c in self.text], lowered))

    def expand(self, converted: tuple[list[str], str | None]) -> _Tracked:
        """Each character replaced by its piece (``pieces[i]`` for ``text[i]``), taking its span; a character
        replaced by nothing widens the span of the one before. ``whole``, when given, is the conversion of the
        whole text, which may differ from the pieces joined: NFKD puts a run of combining marks that several
        characters brought in canonical order. Such a run maps as a whole to what brought it."""
        pieces, whole = converted
        joined = "".join(pieces)
        if joined == self.text:
            return self
        starts: list[int] = []
        ends: list[int] = []
        for piece, start, end in zip(pieces, self.starts, self.ends, strict=True):
            if piece:
                starts += [start] * len(piece)
                ends += [end] * len(piece)
            elif ends:
                ends[-1] = max(ends[-1], end)
        expanded = _Tracked(joined, starts, ends)
        if whole is None or whole == joined:
            return expanded
        if len(whole) != len(joined):  # not a reordering: align it as a rule's replacement
            new_starts: list[int] = []
            new_ends: list[int] = []
            expanded._rewrite(0, len(joined), whole, new_starts, new_ends)
            return _Tracked(whole, new_starts, new_ends)
        index = 0
        while index < len(whole):
            if whole[index] == joined[index]:
                index += 1
                continue
            begin = end = index
            while begin > 0 and unicodedata.combining(whole[begin - 1]):
                begin -= 1
            while end < len(whole) and unicodedata.combining(whole[end]):
                end += 1
            end = max(end, index + 1)
            low, high = min(starts[begin:end]), max(ends[begin:end])
            starts[begin:end] = [low] * (end - begin)
            ends[begin:end] = [high] * (end - begin)
            index = end
        return _Tracked(whole, starts, ends)

    def sub(self, pattern: re.Pattern[str], replace, copied_group: int | None = None) -> _Tracked:
        """``pattern.sub(replace, text)``, each replaced match mapped as :meth:`_rewrite` says. A replacement
        that copies ``copied_group`` (stripped; its last occurrence in the replacement) maps it to the copied
        characters, and what stands before and after it to the rest of the match before and after it."""
        text, starts, ends = self.text, self.starts, self.ends
        pieces: list[str] = []
        new_starts: list[int] = []
        new_ends: list[int] = []
        last = 0
        for match in pattern.finditer(text):
            replacement = replace(match)
            if replacement == match.group(0):
                continue
            begin, end = match.span()
            pieces += (text[last:begin], replacement)
            new_starts += starts[last:begin]
            new_ends += ends[last:begin]
            copied = match.group(copied_group).strip() if copied_group and match.group(copied_group) else ""
            if copied:
                # Where the copy stands in the match (the group, less its spaces) and in the replacement.
                inner = match.start(copied_group) + match.group(copied_group).find(copied)
                at = replacement.rfind(copied)
                self._rewrite(begin, inner, replacement[:at], new_starts, new_ends)
                new_starts += starts[inner : inner + len(copied)]
                new_ends += ends[inner : inner + len(copied)]
                tail = replacement[at + len(copied) :]
                if tail.isspace():
                    # Only a space follows the copy: what closes the match (")))") belongs to the copy's end.
                    self._rewrite(inner + len(copied), end, "", new_starts, new_ends)
                    new_starts += [ends[end - 1]] * len(tail)
                    new_ends += [ends[end - 1]] * len(tail)
                else:
                    self._rewrite(inner + len(copied), end, tail, new_starts, new_ends)
            else:
                self._rewrite(begin, end, replacement, new_starts, new_ends)
            last = end
        if not pieces:
            return self
        pieces.append(text[last:])
        new_starts += starts[last:]
        new_ends += ends[last:]
        return _Tracked("".join(pieces), new_starts, new_ends)

    def _rewrite(
        self, begin: int, end: int, replacement: str, new_starts: list[int], new_ends: list[int]
    ) -> None:
        """Append the spans of ``replacement`` for ``text[begin:end]``. The characters it shares with the
        original at either end keep their spans; the rest of it maps to all the rest of the original; when the
        rest of it is empty, the rest of the original widens the span of the character before."""
        found, starts, ends = self.text[begin:end], self.starts, self.ends
        shared = min(len(found), len(replacement))
        prefix = 0
        while prefix < shared and found[prefix] == replacement[prefix]:
            prefix += 1
        suffix = 0
        while suffix < shared - prefix and found[-1 - suffix] == replacement[-1 - suffix]:
            suffix += 1
        new_starts += starts[begin : begin + prefix]
        new_ends += ends[begin : begin + prefix]
        rest_begin, rest_end = begin + prefix, end - suffix
        inserted = len(replacement) - prefix - suffix
        if inserted and rest_end > rest_begin:
            new_starts += [starts[rest_begin]] * inserted
            new_ends += [max(ends[rest_begin:rest_end])] * inserted
        elif inserted:  # nothing of the original is left to map to: a point between its neighbours
            point = ends[rest_begin - 1] if rest_begin > 0 else starts[rest_begin]
            new_starts += [point] * inserted
            new_ends += [point] * inserted
        elif rest_end > rest_begin and new_ends:
            new_ends[-1] = max(new_ends[-1], max(ends[rest_begin:rest_end]))
        new_starts += starts[rest_end:end]
        new_ends += ends[rest_end:end]
