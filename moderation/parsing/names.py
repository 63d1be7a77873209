"""What one short line of a scrape is on its own: a commenter's name or handle, or only a date and time.

:mod:`moderation.parsing.text` decides from these, and from where a line stands, which lines are titles,
bylines and comment headers.
"""

from __future__ import annotations

import re

from moderation.parsing.boilerplate import fold
from moderation.parsing.words import word_set

_TIME_WORDS = word_set(
    """
    at on am pm a.m p.m ago just now yesterday today edited posted updated published second seconds
    minute minutes min mins hour hours hr hrs day days week weeks month months year years an a h m d
    w y mo yr yrs jan january feb february mar march apr april may jun june jul july aug august sep
    sept september oct october nov november dec december mon monday tue tues tuesday wed wednesday
    thu thur thurs thursday fri friday sat saturday sun sunday st nd rd th utc gmt ist est edt cst
    cdt mst mdt pst pdt cet cest bst kst jst msk aest sgt hkt
    """
)
_TOKENS = re.compile(r"[^\W\d_]+|\d+|\S", re.UNICODE)


def looks_like_timestamp(text: str) -> bool:
    """A line that is only a date and/or time ("June 18, 2024 at 9:14 am", "2 hours ago", "18/06/2024")."""
    if len(text) > 60:
        return False
    tokens = _TOKENS.findall(fold(text))
    if not tokens:
        return False
    has_time = any(token.isdigit() for token in tokens) or any(
        token in ("ago", "yesterday", "today", "now") for token in tokens
    )
    return has_time and all(
        token.isdigit() or token in _TIME_WORDS or token in ",:/.-@|•·()+" for token in tokens
    )


_PARTICLES = word_set(
    """
    the of de da di del della van von der den la le al el bin ibn y du dos das st. and & mc
    """
)
# One-word paragraphs readers write that would otherwise pass for a name.
_NOT_NAMES = word_set(
    """
    yes no yeah yep nope agreed agree exactly indeed thanks thank wow true false correct right wrong
    amen lol lmao rofl haha bravo nonsense rubbish absolutely sure ok okay well great good nice
    bingo what why how who where when hmm hmmm update note source sources photo video watch listen
    related comments comment reply share conclusion introduction background analysis summary
    """
)
_QUOTES = "\"'“”‘’«»„‚`´"
_NOT_IN_NAMES = frozenset('"“”«»()[]{}<>|/\\=+*#@$%^~`;:!?…•·')


# A name may end in a period only after an initial or a suffix: "Smith, J.", "J.R.", "Ed Jones Jr.".
_FINAL_INITIAL = re.compile(r"(?:^|[\s.])(?:[^\W\d_a-z]|Jr|Sr)\.$")
# Handles joined by punctuation: "anne-marie", "mike.jones", "o'neil", "j.r.smith".
_JOINED_HANDLE = re.compile(r"[^\W\d_]+(?:[-._'’][^\W_]+)+")
# "don't", "it's", "we'll": contractions, not handles.
_CONTRACTION = re.compile(r"[^\W\d_]+['’](?:t|s|re|ve|ll|d|m)", re.IGNORECASE)


def ends_like_a_name(text: str) -> bool:
    return text[-1] != "," and (text[-1] != "." or _FINAL_INITIAL.search(text) is not None)


def looks_like_name(text: str, *, max_words: int = 4) -> bool:
    """Whether a short line reads as a commenter's name or handle ("Vlad the Great", "Mr Fixer", "jon_88",
    "J. R. Smith", "O'Neil", "anne-marie")."""
    if not 1 <= len(text) <= 40 or text[0] in _QUOTES or text[-1] in _QUOTES or not ends_like_a_name(text):
        return False
    if any(char in _NOT_IN_NAMES for char in text):
        return False
    words = text.split()
    if not 1 <= len(words) <= max_words:
        return False
    if len(words) == 1:
        word = words[0]
        if word.lower() in _NOT_NAMES or _CONTRACTION.fullmatch(word):
            return False
        if _is_handle(word):
            return True
    elif all(word.isupper() and len(word) > 1 for word in words):
        return False  # SHOUTED HEADINGS
    named = False
    for word in words:
        if word.lower() in _PARTICLES:
            continue
        first = word[0]
        if not first.isalpha() or first.islower():
            return False
        named = True
    return named and not looks_like_timestamp(text)


def _is_handle(word: str) -> bool:
    return (
        word[0].isalpha()
        and any(char.isalpha() for char in word)
        and (
            any(char.isdigit() or char == "_" for char in word)
            or (word[0].islower() and word.lower() != word)
            or (_JOINED_HANDLE.fullmatch(word) is not None and _CONTRACTION.fullmatch(word) is None)
        )
    )


def looks_like_login(text: str) -> bool:
    """One lowercase word such as "jdoe": a name only where a date line vouches for it."""
    return 2 <= len(text) <= 30 and text.isalpha() and text.lower() not in _NOT_NAMES
