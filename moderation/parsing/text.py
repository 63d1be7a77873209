"""Plain-text scrapes -> Article: which line is title, byline, body, reader comment or boilerplate.

The parser accounts for lines: every non-blank line gets exactly one role (``title``, ``byline``, ``body``,
``comment`` or ``dropped``), and the Article is built from those roles (:func:`layout_text` exposes them).
Offsets are kept, so each comment knows its ``span`` in the text it was parsed from.

The page is read top-down:

1. Boilerplate lines are dropped first (:mod:`moderation.parsing.boilerplate`), and so is a photo caption
   repeated on the next line (scrapers often catch the ``alt`` text and the caption).
2. Header: the first remaining line is the title when it is short and not a sentence; up to three lines
   after it are the byline/date ("By Taejun Kang", "FP Staff June 18, 2024, 07:57:20 IST", "June 18, 2024").
3. Where the comments begin, by the strongest signal present:

   - Disqus dumps: a comment starts at "Name • 2 hours ago" (optionally "Name → Other • …", a reply).
   - WordPress dumps: a comment starts at "Name says:" followed by a date line, or at a name line
     directly followed by a date line ("June 18, 2024 at 9:14 am").
   - Chat-style exports: a comment on each line, "Name: text", in a run at the end of the page of at least
     three such lines by two authors or more, one of them a handle ("user1", "jon_88"), or under a comment
     heading, or three authors or more with one coming back. An interview's "Smith: …" / "Jones: …" answers,
     a line-up's "Arsenal: …" / "Referee: …" and a review's "Pros:" / "Cons:" stay in the body.
   - A comment-section heading ("12 Comments", "3 thoughts on “Title”", "Reader comments") after the body:
     what follows is comments in the blank-line layout below.
   - Otherwise the blank-line layout the seeds use, found from the structure alone: an *author line*
     (one short line that looks like a name: one to four capitalised words or name particles, no
     sentence punctuation or quotes) followed by exactly one blank line and then a paragraph that does
     not itself look like an author line. The first author line opens the comment section when it comes
     after a double blank line (the gap these scrapes put between article and comments), or when the
     section it would open has a recurring author, or at least three author lines making a quarter of
     its paragraphs. Single-paragraph blocks just before it, each opened by a double blank line, are
     anonymous first comments. Subheads ("Citizens prepare", "‘Solid friendship’", "Putin stressed:")
     are not names, and a lone name-like subhead between single blank lines is not enough, so articles
     without a comment section keep all their paragraphs.

4. Comments in the blank-line layout: an author line, one blank line, then the text, which runs on over
   paragraphs separated by single blank lines; a double blank line or the next author line ends it, so
   anonymous comments follow one another separated by double blank lines.

A reply's ``parent`` is known from Disqus's "Name → Other", from deeper indentation than the comment
before, or from a leading "@Name" that matches an earlier author.

Known limits: a comment section with neither a heading nor a single author line is indistinguishable
from trailing paragraphs and stays in the body; a name-like subhead after a double blank line, with
text below it, opens a comment section; everything after the start of the comment section that is not
boilerplate belongs to some comment (a site footer the patterns miss joins the last comment).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from enum import Enum
from functools import partial
from types import MappingProxyType

from moderation.parsing.boilerplate import is_boilerplate, is_comment_header
from moderation.parsing.names import ends_like_a_name, looks_like_login, looks_like_name, looks_like_timestamp
from moderation.types import Article, Comment

ROLES = ("title", "byline", "body", "comment", "dropped")


class Layout(str, Enum):
    """How a page's comment section is laid out, which decides how its comments are read."""

    DISQUS = "disqus"
    """A comment starts at "Name • 2 hours ago" (or "Name → Other • …", a reply)."""
    WORDPRESS = "wordpress"
    """A comment starts at "Name says:" or at a name over a date line."""
    INLINE = "inline"
    """A comment on each line, "Name: text", at the end of the page."""
    HEADING = "heading"
    """A comment heading ("12 Comments") opens the section; comments in the blank-line layout follow."""
    BLANK_LINES = "blank-lines"
    """The seeds' layout: author line, one blank line, text; found from the structure alone."""
    NONE = "none"
    """No comment section."""


@dataclass(frozen=True)
class Line:
    """One non-blank line of the input."""

    number: int
    """Index in ``text.split("\\n")``."""
    start: int
    """Offset of its first non-space character."""
    end: int
    """Offset just past its last non-space character."""
    text: str
    """The line without surrounding whitespace."""
    indent: int
    gap: int
    """Blank lines between it and the previous non-blank line (or the start)."""
    dropped: bool = False
    """Boilerplate: decided for the whole page first, then again, with fewer patterns, in the comment section."""


@dataclass(frozen=True)
class TextLayout:
    """The parsed article and the role each non-blank line played in it."""

    article: Article
    roles: Mapping[int, str]
    """Line number (as in :class:`Line`) -> one of :data:`ROLES`, for every non-blank line."""
    layout: Layout
    """How the comment section was recognised."""


def parse_text(text: str, *, source: str | None = None) -> Article:
    """Split a plain-text scrape into title, byline, body, reader comments and dropped boilerplate."""
    return layout_text(text, source=source).article


def layout_text(text: str, *, source: str | None = None) -> TextLayout:
    """:func:`parse_text`, also returning every line's role (for tests and debugging)."""
    lines = _mark_boilerplate(split_lines(text))
    roles: dict[int, str] = {}

    content = _content(lines)
    # A page that is nothing but "Name: text" lines has no title: its first line is a comment.
    header = _Header() if _opens_with_a_commenter(lines) else _read_header(content)
    for line, role in header.roles:
        roles[line.number] = role
    after_header = content[len(header.roles) :]
    # Every line from the first one after the header on, dropped ones included: they separate paragraphs.
    page = [line for line in lines if line.number >= after_header[0].number] if after_header else []

    section = _find_comment_section(page)
    body_lines = [line for line in after_header if section is None or line.number < section.first]
    for line in body_lines:
        roles[line.number] = "body"
    comments: list[_Draft] = []
    orphans: list[Line] = []
    if section is not None:
        comment_lines = [
            _reconsider_in_comments(line, section.first) for line in page if line.number >= section.first
        ]
        # The page as it finally stands, its comment section reconsidered.
        lines = [*(line for line in lines if line.number < section.first), *comment_lines]
        comments, orphans = _read_comments(section.layout, comment_lines)
    for comment in comments:
        for line in comment.lines:
            roles[line.number] = "comment"
    for line in lines:
        if line.dropped:
            roles[line.number] = "dropped"
    for line in orphans:
        roles[line.number] = "dropped"

    article = Article(
        title=header.title,
        byline=header.byline,
        published=header.published,
        body=tuple(_paragraphs(body_lines)),
        comments=_link_comments(comments),
        dropped=tuple(line.text for line in lines if roles[line.number] == "dropped"),
        source=source,
    )
    layout = section.layout if section else Layout.NONE
    return TextLayout(article=article, roles=MappingProxyType(roles), layout=layout)


def split_lines(text: str) -> list[Line]:
    """The non-blank lines of ``text`` with their offsets and the blank lines before each."""
    lines: list[Line] = []
    offset = 0
    gap = 0
    for number, raw in enumerate(text.split("\n")):
        stripped = raw.strip()
        if stripped:
            indent = len(raw) - len(raw.lstrip())
            start = offset + indent
            lines.append(Line(number, start, start + len(stripped), stripped, indent, gap))
            gap = 0
        elif number:
            gap += 1
        offset += len(raw) + 1
    return lines


def _content(lines: Iterable[Line]) -> list[Line]:
    """The lines that are not dropped."""
    return [line for line in lines if not line.dropped]


# --- boilerplate -----------------------------------------------------------------------------------------


def _mark_boilerplate(lines: Sequence[Line]) -> list[Line]:
    dropped = [is_boilerplate(line.text) for line in lines]
    # A caption scraped twice (image alt text, then the caption): the same line on two adjacent lines.
    for index in range(1, len(lines)):
        line, previous = lines[index], lines[index - 1]
        if line.gap == 0 and line.text == previous.text and len(line.text) >= 20:
            dropped[index] = dropped[index - 1] = True
    return [
        replace(line, dropped=True) if is_dropped else line
        for line, is_dropped in zip(lines, dropped, strict=True)
    ]


def _reconsider_in_comments(line: Line, first: int) -> Line:
    """A dropped line after the first comment line stays dropped only if a reader could not have written it."""
    if line.dropped and line.number > first and not is_boilerplate(line.text, in_comments=True):
        return replace(line, dropped=False)
    return line


# --- header: title, byline, date -------------------------------------------------------------------------

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?"
    r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DATE = re.compile(
    rf"\b(?:{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}|\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH},?\s+\d{{4}}"
    r"|\d{4}-\d{2}-\d{2}|\d{1,2}[/.]\d{1,2}[/.]\d{2,4})\b",
    re.IGNORECASE,
)
_BY = re.compile(r"by\s+(?P<name>[^|•·,;]{2,80}?)(?:\s*(?:[|•·,;]|\s[-–—]\s)\s*(?P<rest>.*))?", re.IGNORECASE)
_LEAD_IN = re.compile(r"^\s*(?:(?:posted|published|updated|first published)\b\s*)?(?:on\b)?\s*:?", re.I)
_BY_AFTER = re.compile(r"\s+by\s+(?P<name>[^|•·]{2,80})$", re.IGNORECASE)


@dataclass(frozen=True)
class _Header:
    roles: tuple[tuple[Line, str], ...] = ()
    title: str | None = None
    byline: str | None = None
    published: str | None = None


def _read_header(content: Sequence[Line]) -> _Header:
    if len(content) < 2:
        return _Header()
    roles: list[tuple[Line, str]] = []
    title = None
    first_text = content[0].text
    if len(first_text) <= 250 and first_text[-1] not in ".,;:" and not _starts_comment(content, 0):
        title = first_text
        roles.append((content[0], "title"))
    byline = published = None
    for line in content[len(roles) : len(roles) + 3]:
        line_byline = _read_byline(line.text)
        if line_byline is None:
            break
        name, date = line_byline
        if (byline and name) or (published and date):
            break
        byline = byline or name
        published = published or date
        roles.append((line, "byline"))
    return _Header(tuple(roles), title, byline, published)


def _read_byline(text: str) -> tuple[str | None, str | None] | None:
    """(byline, published) when the line is a byline and/or a date line, else None."""
    if len(text) > 120:
        return None
    by_name = _BY.fullmatch(text)
    if by_name and looks_like_name(by_name["name"].strip(), max_words=8):
        after_name = (by_name["rest"] or "").strip()
        return by_name["name"].strip(), after_name if after_name and _DATE.search(after_name) else None
    # "FP Staff June 18, 2024, 07:57:20 IST", "Posted on March 3, 2024 by Lena Ortiz", "Lena Ortiz, May 2"
    date = _DATE.search(text)
    if date is None:
        return (None, text) if looks_like_timestamp(text) else None
    before = _LEAD_IN.sub("", text[: date.start()]).strip(" |•·,-–—:")
    after = text[date.start() :]
    name = None
    by_after = _BY_AFTER.search(after)
    if by_after and looks_like_name(by_after["name"].strip(), max_words=8):
        name, after = by_after["name"].strip(), after[: by_after.start()]
    after = after.strip(" |•·,-–—")
    if before:
        if name is not None or not looks_like_name(before, max_words=6):
            return None
        name = before
    # The rest must be the date and time, or this is a sentence that happens to start with a date.
    return (name, after) if looks_like_timestamp(after) else None


# --- where the comments begin ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Section:
    first: int
    """Line number of its first line."""
    layout: Layout


_SAYS = re.compile(r"(?P<author>\S.{0,60}?)\s+says:\s*(?P<posted>.*)", re.IGNORECASE)
_DISQUS = re.compile(
    r"(?P<author>[^•·]{1,60}?)(?:\s*(?:→|➜|›|>|\breplied to\b|\bin reply to\b)\s*(?P<to>[^•·]{1,60}?))?"
    r"\s*[•·]\s*(?P<posted>[^•·]{1,60})",
    re.IGNORECASE,
)


def _starts_comment(lines: Sequence[Line], index: int) -> bool:
    return _disqus_start(lines[index]) is not None or _says(lines[index].text) is not None


def _disqus_start(line: Line) -> re.Match[str] | None:
    match = _DISQUS.fullmatch(line.text)
    if match and looks_like_timestamp(match["posted"]) and _author_ok(match["author"]):
        return match
    return None


def _says(text: str) -> re.Match[str] | None:
    """A WordPress "Name says:" line (optionally with the date after it)."""
    says = _SAYS.fullmatch(text)
    if says is None or not _author_ok(says["author"]):
        return None
    posted = says["posted"].strip()
    return says if not posted or looks_like_timestamp(posted) else None


def _wordpress_start(
    lines: Sequence[Line], index: int, *, says_lines: int = 0
) -> tuple[str, str | None] | None:
    """(author, posted) when a WordPress-style comment header starts at ``lines[index]``.

    "Name says:" needs a date (on the line or the next) or a second such line on the page, since an
    article may well introduce a quote with "Putin says:".
    """
    line = lines[index]
    following = lines[index + 1] if index + 1 < len(lines) else None
    dated_next = following is not None and following.gap <= 1 and looks_like_timestamp(following.text)
    says = _says(line.text)
    if says:
        posted = says["posted"].strip() or None
        if posted or dated_next or says_lines >= 2:
            return says["author"].strip(), posted
        return None
    if dated_next and (looks_like_name(line.text, max_words=5) or looks_like_login(line.text)):
        return line.text, None
    return None


def _author_ok(author: str) -> bool:
    author = author.strip()
    return (
        bool(author)
        and len(author.split()) <= 6
        and not author.isdigit()
        and author[-1] not in "!?"
        and ends_like_a_name(author)
    )


def _find_comment_section(page: Sequence[Line]) -> _Section | None:
    """Where the comments of ``page`` (the lines after the header) begin, and the layout that shows it."""
    content = _content(page)
    if not content:
        return None
    for line in content:
        if _disqus_start(line):
            return _Section(line.number, Layout.DISQUS)
    says_lines = sum(1 for line in content if _says(line.text))
    for index, line in enumerate(content):
        comment_header = _wordpress_start(content, index, says_lines=says_lines)
        # A name over a date at the very top is a byline, not a comment.
        if comment_header and (index or _says(line.text)):
            return _Section(line.number, Layout.WORDPRESS)
    inline = _inline_run(page)
    if inline is not None:
        return _Section(_content(page)[inline[0]].number, Layout.INLINE)
    headings = _comment_headings(page)
    if headings:
        return _Section(_comments_after_headings(headings, page), Layout.HEADING)
    blocks = _blocks(page)
    start = _blank_line_section_start(blocks)
    if start is None:
        return None
    return _Section(blocks[start].lines[0].number, Layout.BLANK_LINES)


def _comment_headings(page: Sequence[Line]) -> list[int]:
    """Line number of the first content line after each comment heading inside ``page``'s content."""
    numbers = [line.number for line in _content(page)]
    first_number, last_number = numbers[0], numbers[-1]
    starts: list[int] = []
    for line in page:
        # A comment counter under the byline comes before the body; a heading with nothing after it
        # (a form's "Comments" label) opens nothing.
        if first_number < line.number < last_number and line.dropped and is_comment_header(line.text):
            start = numbers[bisect.bisect_right(numbers, line.number)]
            if not starts or starts[-1] != start:
                starts.append(start)
    return starts


def _comments_after_headings(headings: Sequence[int], page: Sequence[Line]) -> int:
    """Where the comment section starts, given the comment headings: the last one, unless comments begin earlier.

    The last heading is the safe choice (a counter near the top is a heading too), but a heading must not
    swallow the comments before it: an earlier heading opens the section when what follows it reads as
    comments (it starts with an author line, or has two), and so does a blank-line comment section with
    two or more authors before the last heading (a second page of comments appended with its own heading).
    ``headings`` and the result are line numbers, as :func:`_comment_headings` gives them.
    """
    blocks = _blocks(page)
    is_author = _author_mask(blocks)
    # A heading is a dropped line, so a block starts right after each: the segments are runs of blocks.
    block_at = {block.lines[0].number: index for index, block in enumerate(blocks)}
    firsts = [block_at.get(heading) for heading in headings]
    for heading, first, following in zip(headings, firsts, firsts[1:], strict=False):
        if first is not None and following is not None and first < following:
            segment = is_author[first:following]
            if segment[0] or sum(segment) >= 2:
                return heading
    before = _blocks([line for line in page if line.number < headings[-1]])
    start = _blank_line_section_start(before)
    if start is not None and sum(_author_mask(before)[start:]) >= 2:
        return before[start].lines[0].number
    return headings[-1]


# "user1: text", "Mr Fixer: text": an author (a name or handle of at most three words) and the comment.
_INLINE = re.compile(r"(?P<author>[^:\s][^:]{0,39}?)\s*:\s+(?P<text>\S.*)")
# Labels an article puts before a colon, never a commenter's name.
_NOT_INLINE_AUTHORS = frozenset({
    "q", "a", "note", "notes", "update", "updated", "editor", "editors", "editor's", "correction", "photo",
    "photos", "source", "sources", "read", "watch", "listen", "related", "warning", "caption", "credit", "image",
    "video", "transcript", "disclaimer", "tag", "tags", "filed", "edit", "ps", "nb", "spoiler", "tldr", "pros",
    "cons", "verdict", "referee", "attendance", "subs", "booked", "goals", "scorers", "serves", "prep", "cook",
    "ingredients", "method", "email", "twitter", "facebook", "instagram", "phone", "web", "website", "price",
    "pictured", "date", "venue", "time", "location", "address",
})  # fmt: skip


def _inline_author(line: Line) -> re.Match[str] | None:
    match = _INLINE.fullmatch(line.text)
    if match is None:
        return None
    author = match["author"].strip()
    if author.casefold().replace("’", "'") in _NOT_INLINE_AUTHORS:
        return None
    # A lowercase login ("bob") counts here: the colon after it at the start of the line vouches for it.
    if not (looks_like_name(author, max_words=3) or looks_like_login(author)):
        return None
    return match


def _inline_run(page: Sequence[Line]) -> tuple[int, list[str]] | None:
    """The trailing run of "Name: text" comments in ``page``'s content: its first line's index there, and the
    authors in order; None when there is none.

    The run goes to the end of the page. Its "Name: text" lines may stand one blank line apart; a line that is
    no "Name: text" line continues the comment above it (no blank line between). It counts when it has three
    "Name: text" lines by two authors or more, and one author is a handle ("user1"), or a comment heading opens
    the run, or three authors or more take part and one of them comes back. A football line-up ("Arsenal: …",
    "Chelsea: …", "Referee: …"), a review's "Pros:" / "Cons:" / "Verdict:" and an interview's two speakers
    answering in turn are none of these, and stay in the body.
    """
    content = _content(page)
    matches = [_inline_author(line) for line in content]
    start = None
    for index in range(len(content) - 1, -1, -1):
        line = content[index]
        if not (matches[index] and line.gap <= 1 or line.gap == 0):
            if matches[index]:
                start = index  # a double blank line before it: the run opens here
            break
        if matches[index]:
            start = index
    if start is None:
        return None
    run = content[start:]
    authors = [match["author"].strip().casefold() for match in matches[start:] if match]
    distinct = set(authors)
    if len(authors) < 3 or len(distinct) < 2:
        return None
    heading = any(
        line.dropped and is_comment_header(line.text)
        for line in page
        if line.number < run[0].number and (start == 0 or line.number > content[start - 1].number)
    )
    handle = any(_is_handle_like(author) for author in distinct)
    comes_back = len(distinct) >= 3 and len(distinct) < len(authors)
    return (start, authors) if handle or heading or comes_back else None


def _is_handle_like(author: str) -> bool:
    return any(char.isdigit() or char == "_" for char in author)


def _opens_with_a_commenter(lines: Sequence[Line]) -> bool:
    """Whether the page's first line is already a comment of its trailing "Name: text" run: the run starts there
    and that line's author is a handle or comments again. "Brexit: what next" over a run keeps its title."""
    run = _inline_run(lines)
    if run is None or run[0] != 0:
        return False
    first, authors = run[1][0], run[1]
    return _is_handle_like(first) or authors.count(first) > 1


@dataclass(frozen=True)
class _Block:
    """Consecutive content lines with no blank or dropped line between them."""

    lines: tuple[Line, ...]
    gap: int
    """Blank lines before it (at least 1 when a dropped line separates it from the block before)."""

    @property
    def single_line(self) -> str | None:
        return self.lines[0].text if len(self.lines) == 1 else None


def _blocks(lines: Sequence[Line]) -> list[_Block]:
    """The blocks of the content lines of ``lines`` (a run of consecutive lines, dropped ones included)."""
    blocks: list[_Block] = []
    current: list[Line] = []
    gap = 0
    separation = 0  # blank lines since the last content line, at least 1 when a dropped line came between
    for line in lines:
        separation = max(separation, line.gap)
        if line.dropped:
            separation = max(separation, 1)
            continue
        if not current:
            separation = line.gap  # dropped lines before the first content line separate it from nothing
        if current and separation == 0:
            current.append(line)
        else:
            if current:
                blocks.append(_Block(tuple(current), gap))
            current, gap = [line], separation
        separation = 0
    if current:
        blocks.append(_Block(tuple(current), gap))
    return blocks


def _author_mask(blocks: Sequence[_Block]) -> list[bool]:
    """Which blocks are author lines: a name, one blank line, then text that is not itself an author line."""
    is_author = [False] * len(blocks)
    for index in range(len(blocks) - 2, -1, -1):
        name = blocks[index].single_line
        is_author[index] = (
            name is not None
            and blocks[index + 1].gap == 1
            and not is_author[index + 1]
            and looks_like_name(name)
        )
    return is_author


def _blank_line_section_start(blocks: Sequence[_Block]) -> int | None:
    is_author = _author_mask(blocks)
    # From each block to the end: how many author lines, and whether an author name recurs.
    authors_after = [0] * (len(blocks) + 1)
    recurs_after = [False] * (len(blocks) + 1)
    seen: set[str] = set()
    for index in range(len(blocks) - 1, -1, -1):
        authors_after[index] = authors_after[index + 1] + is_author[index]
        recurs_after[index] = recurs_after[index + 1]
        if is_author[index]:
            name = blocks[index].lines[0].text.casefold()
            recurs_after[index] = recurs_after[index] or name in seen
            seen.add(name)
    for candidate in range(1, len(blocks)):
        if not is_author[candidate]:
            continue
        start = candidate
        # An anonymous first comment: one paragraph opened by a double blank line, with body before it.
        # Each such block must leave body before it and must not be the text of an earlier author line.
        while start >= 2 and blocks[start - 1].gap >= 2 and not is_author[start - 2]:
            start -= 1
        author_lines = authors_after[start]
        if (
            blocks[start].gap >= 2
            or recurs_after[start]
            or (author_lines >= 3 and author_lines >= 0.25 * (len(blocks) - start))
        ):
            return start
    return None


# --- comments --------------------------------------------------------------------------------------------


@dataclass
class _Draft:
    author: str | None = None
    posted: str | None = None
    reply_to: str | None = None
    header: list[Line] | None = None
    text: list[Line] | None = None
    indent: int = 0

    @property
    def lines(self) -> list[Line]:
        return [*(self.header or ()), *(self.text or ())]


def _read_comments(layout: Layout, section: Sequence[Line]) -> tuple[list[_Draft], list[Line]]:
    """The section's comments, and the lines that belong to none (the header of a comment without text).

    ``section`` is every line from the first comment line on, dropped ones included; ``layout`` chooses
    the reader.
    """
    drafts = _READERS[layout](section)
    kept = [draft for draft in drafts if draft.text]
    orphans = [line for draft in drafts if not draft.text for line in draft.lines]
    return kept, orphans


def _read_disqus(section: Sequence[Line]) -> list[_Draft]:
    return _read_headed(_content(section), _disqus_header)


def _read_wordpress(section: Sequence[Line]) -> list[_Draft]:
    content = _content(section)
    says_lines = sum(1 for line in content if _says(line.text))
    return _read_headed(content, partial(_wordpress_header, says_lines=says_lines))


def _read_blank_lines(section: Sequence[Line]) -> list[_Draft]:
    blocks = _blocks(section)
    is_author = _author_mask(blocks)
    drafts: list[_Draft] = []
    index = 0
    while index < len(blocks):
        block = blocks[index]
        if is_author[index]:
            draft = _Draft(
                author=block.lines[0].text, header=[block.lines[0]], text=[], indent=block.lines[0].indent
            )
            index += 1
        elif (
            len(block.lines) > 1
            and looks_like_name(block.lines[0].text)
            and not looks_like_name(block.lines[1].text)
        ):
            # "Name" directly above the text, no blank line between.
            draft = _Draft(author=block.lines[0].text, header=[block.lines[0]], text=list(block.lines[1:]))
            draft.indent = block.lines[0].indent
            index += 1
            drafts.append(draft)
            index = _continue_text(blocks, is_author, index, draft)
            continue
        else:
            draft = _Draft(text=[], indent=block.lines[0].indent)
        drafts.append(draft)
        if index < len(blocks):
            draft.text.extend(blocks[index].lines)
            index = _continue_text(blocks, is_author, index + 1, draft)
    return drafts


def _read_inline(section: Sequence[Line]) -> list[_Draft]:
    drafts: list[_Draft] = []
    for line in _content(section):
        match = _inline_author(line)
        if match is None and drafts:
            drafts[-1].text.append(line)
            continue
        if match is None:
            drafts.append(_Draft(text=[line], indent=line.indent))
            continue
        # The comment is the text after "Name:", its span that part of the line.
        text = replace(line, start=line.start + match.start("text"), text=match["text"])
        drafts.append(_Draft(author=match["author"].strip(), text=[text], indent=line.indent))
    return drafts


# One reader per layout that has a comment section (Layout.NONE has none to read).
_READERS: Mapping[Layout, Callable[[Sequence[Line]], list[_Draft]]] = MappingProxyType(
    {
        Layout.DISQUS: _read_disqus,
        Layout.WORDPRESS: _read_wordpress,
        Layout.INLINE: _read_inline,
        Layout.HEADING: _read_blank_lines,
        Layout.BLANK_LINES: _read_blank_lines,
    }
)


def _disqus_header(lines: Sequence[Line], index: int) -> tuple[_Draft, int] | None:
    match = _disqus_start(lines[index])
    if match is None:
        return None
    draft = _Draft(
        author=match["author"].strip(),
        posted=match["posted"].strip(),
        reply_to=(match["to"] or "").strip() or None,
        header=[lines[index]],
        indent=lines[index].indent,
    )
    return draft, 1


def _wordpress_header(lines: Sequence[Line], index: int, *, says_lines: int) -> tuple[_Draft, int] | None:
    author_and_posted = _wordpress_start(lines, index, says_lines=says_lines)
    if author_and_posted is None:
        return None
    author, posted = author_and_posted
    header = [lines[index]]
    if posted is None and index + 1 < len(lines) and looks_like_timestamp(lines[index + 1].text):
        posted = lines[index + 1].text
        header.append(lines[index + 1])
    draft = _Draft(author=author.strip(), posted=posted, header=header, indent=lines[index].indent)
    return draft, len(header)


def _read_headed(
    content: Sequence[Line], read_header: Callable[[Sequence[Line], int], tuple[_Draft, int] | None]
) -> list[_Draft]:
    """Comments that each start at a header line (``read_header`` gives its draft and how many lines it took)."""
    drafts: list[_Draft] = []
    index = 0
    while index < len(content):
        header = read_header(content, index)
        if header is not None:
            draft, header_lines = header
            draft.text = []
            drafts.append(draft)
            index += header_lines
            continue
        if not drafts:
            drafts.append(_Draft(text=[], indent=content[index].indent))
        drafts[-1].text.append(content[index])
        index += 1
    return drafts


def _continue_text(blocks: Sequence[_Block], is_author: Sequence[bool], index: int, draft: _Draft) -> int:
    """Add the paragraphs that continue a comment (single blank line, not an author line); next index."""
    while index < len(blocks) and blocks[index].gap == 1 and not is_author[index]:
        draft.text.extend(blocks[index].lines)
        index += 1
    return index


def _link_comments(drafts: Sequence[_Draft]) -> tuple[Comment, ...]:
    comments: list[Comment] = []
    by_author: dict[str, int] = {}
    open_threads: list[tuple[int, int]] = []  # (indent, index) of comments a deeper one could reply to
    indents = {draft.indent for draft in drafts}
    for index, draft in enumerate(drafts):
        text = _join(draft.text)
        parent = None
        if draft.reply_to:
            parent = by_author.get(draft.reply_to.casefold())
        if parent is None and len(indents) > 1:
            while open_threads and open_threads[-1][0] >= draft.indent:
                open_threads.pop()
            if open_threads:
                parent = open_threads[-1][1]
        if parent is None and text.startswith("@"):
            # "@Tom Reed take the ferry": the longest run of leading words that names an earlier author
            words = text[1:].split(maxsplit=5)
            for count in range(min(len(words), 5), 0, -1):
                parent = by_author.get(" ".join(words[:count]).casefold().rstrip(",:"))
                if parent is not None:
                    break
        open_threads.append((draft.indent, index))
        if draft.author:
            by_author[draft.author.casefold()] = index
        first, last = draft.text[0], draft.text[-1]
        comments.append(
            Comment(
                index=index,
                text=text,
                author=draft.author,
                posted=draft.posted,
                parent=parent,
                span=(first.start, last.end),
            )
        )
    return tuple(comments)


def _join(lines: Sequence[Line]) -> str:
    """Lines joined as they stood: one newline within a paragraph, a blank line between paragraphs."""
    parts: list[str] = []
    for position, line in enumerate(lines):
        if position:
            parts.append("\n\n" if line.gap or line.number - lines[position - 1].number > 1 else "\n")
        parts.append(line.text)
    return "".join(parts)


def _paragraphs(body: Sequence[Line]) -> list[str]:
    paragraphs: list[list[Line]] = []
    for line in body:
        if paragraphs and line.gap == 0 and line.number - paragraphs[-1][-1].number == 1:
            paragraphs[-1].append(line)
        else:
            paragraphs.append([line])
    return ["\n".join(line.text for line in paragraph) for paragraph in paragraphs]
