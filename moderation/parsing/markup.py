"""Markup -> an lxml document, and the text a reader sees in an element.

Shared by the page parser (:mod:`moderation.parsing.html`), the JSON-LD reader
(:mod:`moderation.parsing.jsonld`), whose text values may be HTML, and the service's comment text
(:mod:`moderation.service.text`), so there is one HTML parser and one idea of visible text.

lxml's parser repairs malformed markup instead of failing. libxml2 stops at 2,048 levels of nesting and
loses the rest of the page, so a page nested deeper is parsed again with its middle levels unwrapped.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import lxml.etree
import lxml.html

from moderation.parsing.words import word_set

_SKIPPED_TAGS = word_set(
    """
    script style noscript template svg iframe object embed canvas form button input select textarea
    nav footer aside header menu dialog
    """
)
_BLOCK_TAGS = word_set(
    """
    p div section article main li ol ul dl dt dd blockquote pre h1 h2 h3 h4 h5 h6 table tr td th
    figure figcaption hr address details summary
    """
)
_SPACES = re.compile(r"\s+")
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)


def html_document(markup: str) -> lxml.html.HtmlElement | None:
    """``markup`` parsed as lxml repairs it (None when it holds no document), however deeply it nests."""
    markup = _XML_DECLARATION.sub("", markup, count=1).replace("\x00", "")
    root, too_deep = _parse_markup(markup)
    if too_deep:
        # libxml2 stops at 2,048 levels and loses the rest of the page: flatten the excess, parse again.
        root, _ = _parse_markup(_flatten(markup))
    return root


def _parse_markup(markup: str) -> tuple[lxml.html.HtmlElement | None, bool]:
    """The document's root (None when there is none) and whether libxml2 gave up on its depth."""
    encoded = markup.encode("utf-8", "replace")
    if not encoded.strip():
        return None, False
    parser = lxml.html.HTMLParser(encoding="utf-8", huge_tree=True)
    try:
        root = lxml.html.document_fromstring(encoded, parser=parser)
    except (lxml.etree.ParserError, ValueError):
        return None, False
    too_deep = any("Excessive depth" in entry.message for entry in parser.error_log)
    return (root if isinstance(root, lxml.html.HtmlElement) else None), too_deep


_KEPT_LEVELS = 500
"""Levels kept at the top and at the bottom of a page nested too deeply; the levels between are flattened."""
_VOID = word_set("area base br col embed hr img input link meta param source track wbr")
_MARKUP_TOKEN = re.compile(
    r"<!--.*?-->|<(script|style)\b[^>]*>.*?</\1\s*>|<(/?)([a-zA-Z][^\s/>]*)([^>]*)>",
    re.IGNORECASE | re.DOTALL,
)


def _elements(markup: str) -> Iterator[tuple[re.Match[str], int | None, int]]:
    """Every tag of ``markup``: (token, element number or None for what is no element, its depth).

    A closing tag closes the nearest open element of its name and the unclosed ones inside it (as ``<p>``
    and ``<li>`` often are); one that closes nothing nearby is reported with element None.
    """
    stack: list[tuple[str, int]] = []
    count = 0
    for token in _MARKUP_TOKEN.finditer(markup):
        closing, tag, rest = token.group(2), (token.group(3) or "").lower(), token.group(4) or ""
        if not tag or (not closing and (tag in _VOID or rest.rstrip().endswith("/"))):
            yield token, None, len(stack)
        elif not closing:
            stack.append((tag, count))
            yield token, count, len(stack)
            count += 1
        else:
            for index in range(len(stack) - 1, max(-1, len(stack) - 100), -1):
                if stack[index][0] == tag:
                    yield token, stack[index][1], index + 1
                    del stack[index:]
                    break
            else:
                yield token, None, len(stack)


def _flatten(markup: str) -> str:
    """``markup`` with the elements nested between the top and the bottom ``_KEPT_LEVELS`` levels unwrapped.

    Their text stays where it was; the page's frame and the innermost structure (where a comment list
    buried under thousands of wrappers sits) keep their tags.
    """
    deepest = max((depth for _, _, depth in _elements(markup)), default=0)
    low, high = _KEPT_LEVELS, deepest - _KEPT_LEVELS
    unwrapped: set[int] = set()
    kept: list[str] = []
    position = 0
    for token, element, depth in _elements(markup):
        kept.append(markup[position : token.start()])
        position = token.end()
        if element is not None and token.group(2) == "" and low < depth <= high:
            unwrapped.add(element)
        if element is None or element not in unwrapped:
            kept.append(token.group(0))
    kept.append(markup[position:])
    return "".join(kept)


# --- visible text of an element ---------------------------------------------------------------------------


def is_chrome_element(element: lxml.html.HtmlElement) -> bool:
    """An element that is never content by its tag (scripts, forms, navigation, ...), role or visibility."""
    tag = element.tag if isinstance(element.tag, str) else ""
    if tag in _SKIPPED_TAGS:
        return True
    if element.get("hidden") is not None or element.get("aria-hidden") == "true":
        return True
    return element.get("role") in ("navigation", "banner", "contentinfo", "complementary", "search", "dialog")


_LINE_BREAK = object()
_PARAGRAPH_BREAK = object()


def paragraphs_of(element: lxml.html.HtmlElement, skip: set[lxml.html.HtmlElement]) -> list[str]:
    """The visible text of ``element`` as paragraphs (one per block element; ``<br>`` becomes a newline).

    Elements in ``skip`` are left out, and so are scripts, styles, forms, navigation, headers, footers
    and hidden elements. Whitespace in the markup collapses as a browser's.
    """
    pieces: list[object] = []
    # An explicit stack, not recursion: malformed pages can nest thousands of elements deep.
    stack: list[tuple[lxml.html.HtmlElement, bool]] = [(element, False)]
    while stack:
        node, closing = stack.pop()
        if closing:
            pieces.append(_PARAGRAPH_BREAK if node.tag in _BLOCK_TAGS else "")
            if node is not element and node.tail:
                pieces.append(node.tail)
            continue
        if not isinstance(node.tag, str) or node in skip or (node is not element and is_chrome_element(node)):
            if node is not element and node.tail:
                pieces.append(node.tail)
            continue
        if node.tag == "br":
            pieces.append(_LINE_BREAK)
        elif node.tag in _BLOCK_TAGS:
            pieces.append(_PARAGRAPH_BREAK)
        if node.text:
            pieces.append(node.text)
        stack.append((node, True))
        stack.extend((child, False) for child in reversed(node))

    paragraphs: list[str] = []
    lines: list[str] = []
    line_pieces: list[str] = []
    for piece in (*pieces, _PARAGRAPH_BREAK):
        if isinstance(piece, str):
            line_pieces.append(piece)
            continue
        line = _SPACES.sub(" ", "".join(line_pieces)).strip()
        line_pieces = []
        if line:
            lines.append(line)
        if piece is _PARAGRAPH_BREAK and lines:
            paragraphs.append("\n".join(lines))
            lines = []
    return paragraphs


def text_of(element: lxml.html.HtmlElement, skip: set[lxml.html.HtmlElement] | None = None) -> str:
    """The element's visible text on one line."""
    return " ".join(paragraphs_of(element, skip or set())).replace("\n", " ")
