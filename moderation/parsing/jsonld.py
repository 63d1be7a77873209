"""schema.org JSON-LD (``<script type="application/ld+json">``) -> reader comments and an article body.

Comments are ``Comment`` objects under ``comment`` properties of any object (an article, an ``@graph``
entry, another comment, whose replies they are); :mod:`moderation.parsing.html` uses them only when the
markup has none, and the ``articleBody`` of a JSON-LD article only when the markup has no body (pages
rendered by script). A malformed block is skipped; text values may be plain text or HTML; keys and types
may be full schema.org IRIs.
"""

from __future__ import annotations

import html
import json
import re

import lxml.etree
import lxml.html

from moderation.parsing.boilerplate import is_boilerplate
from moderation.parsing.markup import paragraphs_of
from moderation.parsing.words import word_set
from moderation.types import Comment

_SPACES = re.compile(r"\s+")
# Structured data nests objects in lists in objects; real pages need a few levels per reply. The cap bounds
# recursion on hostile input (about 50 levels of replies: each is an object in a list).
_MAX_DEPTH = 100
_SCRIPT_WRAPPERS = re.compile(
    r"^\s*(?://|/\*)?\s*(?:<!--|<!\[CDATA\[)\s*(?:\*/)?|(?://|/\*)?\s*(?:-->|\]\]>)\s*(?:\*/)?\s*$"
)
_ARTICLE_TYPES = word_set(
    "Article NewsArticle BlogPosting DiscussionForumPosting ReportageNewsArticle WebPage"
)
_COMMENT_TYPES = frozenset({"Comment"})
_MARKUP = re.compile(r"<[a-zA-Z/!]")


def read_blocks(root: lxml.html.HtmlElement) -> list[object]:
    """The decoded JSON-LD blocks of a page, in document order; malformed ones are left out."""
    blocks: list[object] = []
    for script in root.iter("script"):
        if (script.get("type") or "").split(";")[0].strip().lower() != "application/ld+json":
            continue
        # CMSs wrap scripts in <!-- --> or CDATA for old browsers; JSON allows neither.
        source = _SCRIPT_WRAPPERS.sub("", script.text or "")
        try:
            blocks.append(json.loads(source))
        except (ValueError, RecursionError):  # RecursionError: nesting deeper than the decoder allows
            continue
    return blocks


def _local_name(name: object) -> str:
    """``Comment`` of ``Comment``, ``schema:Comment`` and ``https://schema.org/Comment``."""
    return re.split(r"[/:#]", name)[-1] if isinstance(name, str) else ""


def _has_type(node: dict, names: frozenset[str]) -> bool:
    types = node.get("@type")
    return any(_local_name(name) in names for name in (types if isinstance(types, list) else [types]))


def _text_value(value: object) -> str | None:
    """A JSON-LD text value: a string, a ``{"@value": ...}`` object, or the first of a list of them."""
    if isinstance(value, dict):
        value = value.get("@value")
    if isinstance(value, list):
        return next(filter(None, map(_text_value, value)), None)
    if not isinstance(value, str) or not value.strip():
        return None
    # JSON may escape half a surrogate pair ("\\ud800"): no encoding can write it, so it becomes U+FFFD.
    return _LONE_SURROGATE.sub("\ufffd", value)


_LONE_SURROGATE = re.compile(r"[\ud800-\udfff]")


def _text_property(node: dict, *names: str) -> str | None:
    """The first of ``names`` that ``node`` has as text (keys may be full schema.org IRIs)."""
    values = {_local_name(key): value for key, value in node.items()}
    return next(filter(None, (_text_value(values.get(name)) for name in names)), None)


def _plain_paragraphs(text: str) -> list[str]:
    """Paragraphs of a JSON-LD text value, which sites fill with plain text or with HTML."""
    if _MARKUP.search(text):
        try:
            fragment = lxml.html.fragment_fromstring(text.replace("\x00", ""), create_parent="div")
        except (lxml.etree.LxmlError, ValueError):
            return []
        return paragraphs_of(fragment, set())
    paragraphs = []
    for block in re.split(r"\n\s*\n", html.unescape(text)):
        lines = (_SPACES.sub(" ", line).strip() for line in block.splitlines())
        paragraph = "\n".join(line for line in lines if line)
        if paragraph:
            paragraphs.append(paragraph)
    return paragraphs


def read_comments(blocks: list[object]) -> list[Comment]:
    """The ``Comment`` objects under ``comment`` properties anywhere in ``blocks``, replies after their parent."""
    comments: list[Comment] = []

    def add_comment(node: dict, parent: int | None) -> int | None:
        text = _text_property(node, "text", "articleBody", "description") or ""
        paragraphs = _plain_paragraphs(text)
        text = "\n\n".join(line for line in paragraphs if not is_boilerplate(line, in_comments=True))
        if not text:
            return None
        people = [value for key, value in node.items() if _local_name(key) in ("author", "creator")]
        author = next(filter(None, map(_author_name, people)), None)
        posted = _text_property(node, "dateCreated", "datePublished")
        comments.append(
            Comment(
                index=len(comments),
                text=text,
                author=_SPACES.sub(" ", author).strip()[:200] if author else None,
                posted=posted.strip()[:200] if posted else None,
                parent=parent,
            )
        )
        return len(comments) - 1

    def walk(node: object, parent: int | None, depth: int) -> None:
        if depth > _MAX_DEPTH:
            return
        if isinstance(node, list):
            for item in node:
                walk(item, parent, depth + 1)
            return
        if not isinstance(node, dict):
            return
        for key, value in node.items():
            if _local_name(key) != "comment":
                walk(value, parent, depth + 1)
                continue
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, dict) and _has_type(item, _COMMENT_TYPES):
                    # Depth first, so a reply follows its parent; a comment without text passes its
                    # replies on to its own parent.
                    index = add_comment(item, parent)
                    walk(item, parent if index is None else index, depth + 2)
                else:
                    walk(item, parent, depth + 2)

    for block in blocks:
        walk(block, None, 0)
    return comments


def _author_name(person: object) -> str | None:
    """The name of an ``author``: a string, a Person or Organization object, or the first of a list."""
    if isinstance(person, list):
        return next(filter(None, map(_author_name, person)), None)
    if isinstance(person, dict):
        return _text_value(person) or _text_property(person, "name")
    return _text_value(person)


def read_article_body(blocks: list[object]) -> list[str]:
    """The paragraphs of the first JSON-LD article with an ``articleBody``, boilerplate removed."""
    stack = list(reversed(blocks))  # an explicit stack: decoded JSON is a tree, so this ends
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(reversed(node))
        elif isinstance(node, dict):
            body = _text_property(node, "articleBody") if _has_type(node, _ARTICLE_TYPES) else None
            if body:
                return [line for line in _plain_paragraphs(body) if not is_boilerplate(line)]
            stack.extend(
                reversed(
                    [value for key, value in node.items() if _local_name(key) in ("@graph", "mainEntity")]
                )
            )
    return []
