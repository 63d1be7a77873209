"""HTML pages -> Article: title and byline from the markup, body from the article container, comments
from the comment markup sites actually use.

Parsing is lxml's HTML parser, which repairs malformed markup instead of failing. Reader comments come
from three kinds of markup, in any mix:

- WordPress: ``li.comment`` (or ``article``/``div.comment``), author in ``.comment-author .fn``, date in
  ``.comment-metadata``/``time``, text in ``.comment-content``; replies sit in ``ol.children``;
- schema.org microdata: ``itemtype`` ``…/Comment`` or ``…/UserComments``, with ``itemprop`` ``author``/
  ``creator`` (``name``), ``text``/``commentText``, ``dateCreated``/``datePublished``/``commentTime``;
- Disqus-style posts: ``li.post`` with ``.author``, ``.time-ago`` and ``.post-message``; replies in
  ``ul.children``.

Comments may also come from schema.org JSON-LD (``<script type="application/ld+json">``): ``Comment``
objects under ``comment`` properties of any object (an article, an ``@graph`` entry, another comment, whose
replies they are). They are used only when the markup has no comments; a malformed block is skipped.

A comment element nested in another is a reply to it, except when the outer one has no text of its own
(``li.comment`` wrapping an ``article`` with Comment microdata is one comment, not two). Comment ``span``
is None: offsets in markup are not offsets in the text a reader saw.

The body is the paragraphs (``p``, subheads, list items, quotes) of the article container
(``[itemprop=articleBody]``, ``article``, ``main``, …), skipping scripts, styles, navigation, headers,
footers, asides, forms, ads, share bars, related links and the comment section. Boilerplate blocks and
the text of skipped chrome inside the container go to ``dropped``. When the markup has no body at all
(pages rendered by script), the ``articleBody`` of a JSON-LD article is the body.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable, Iterator

import lxml.etree
import lxml.html

from moderation.parsing.boilerplate import is_boilerplate
from moderation.parsing.words import word_set
from moderation.types import Article, Comment

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
_PARAGRAPH_TAGS = ("p", "h2", "h3", "h4", "h5", "h6", "pre", "blockquote", "li", "figcaption", "dd")

# class/id words of page chrome (compared per word of a class or id, split on "-" and "_").
_CHROME_WORDS = word_set(
    """
    ad ads adv advert advertisement advertising adslot dfp banner share sharing sharebar social
    related recommended recommendations newsletter subscribe subscription promo promoted sponsor
    sponsored cookie cookies consent popup modal breadcrumb breadcrumbs menu navbar nav navigation
    sidebar widget comments comment respond disqus footer masthead toolbar paywall outbrain taboola
    byline dateline meta tags author
    """
)
_COMMENT_AREA = (
    "//*[@id='comments' or @id='disqus_thread' or @id='respond' or "
    + " or ".join(
        f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"
        for name in ("comments-area", "comment-list", "commentlist", "comments", "comment-respond", "disqus")
    )
    + "]"
)


def _has_class(name: str) -> str:
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"


_COMMENT_ELEMENTS = (
    f"//li[{_has_class('comment')}] | //article[{_has_class('comment')}] | //div[{_has_class('comment')}]"
    " | //*[contains(@itemtype, 'schema.org/Comment') or contains(@itemtype, 'schema.org/UserComments')]"
    f" | //li[{_has_class('post')}][.//*[{_has_class('post-message')}]]"
)
_TEXT_PARTS = (
    f".//*[{_has_class('comment-content')}]",
    ".//*[@itemprop='text' or @itemprop='commentText' or @itemprop='reviewBody']",
    f".//*[{_has_class('post-message')}]",
    f".//*[{_has_class('comment-text')} or {_has_class('comment-body-text')}]",
)
_AUTHOR_PARTS = (
    f".//*[{_has_class('comment-author')}]//*[{_has_class('fn')}]",
    f".//*[{_has_class('fn')}]",
    ".//*[@itemprop='author' or @itemprop='creator']//*[@itemprop='name']",
    ".//*[@itemprop='author' or @itemprop='creator']",
    f".//*[{_has_class('author')} or {_has_class('comment-author')} or {_has_class('username')}]",
    ".//cite",
)
_POSTED_PARTS = (
    ".//*[@itemprop='dateCreated' or @itemprop='datePublished' or @itemprop='commentTime']",
    f".//*[{_has_class('comment-metadata')} or {_has_class('commentmetadata')}"
    f" or {_has_class('comment-date')}]",
    f".//*[{_has_class('time-ago')} or @data-role='relative-time']",
    ".//time",
)
# Parts of a comment element that are not its text: who, when, and the buttons.
_COMMENT_CHROME = (
    f"{_has_class('comment-meta')} or {_has_class('comment-metadata')} or {_has_class('commentmetadata')}"
    f" or {_has_class('comment-author')} or {_has_class('reply')} or {_has_class('post-meta')}"
    f" or {_has_class('post-byline')} or {_has_class('post-menu')} or {_has_class('comment-footer')}"
    f" or {_has_class('children')} or {_has_class('vcard')}"
)
_SPACES = re.compile(r"\s+")
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)


def parse_html(markup: str, *, source: str | None = None) -> Article:
    """Split an HTML page into title, byline, body, reader comments and dropped boilerplate."""
    root = html_document(markup)
    if root is None:
        return Article(source=source)
    comment_elements = _comment_elements(root)
    comments = _comments(comment_elements)
    linked_data = _linked_data(root)
    if not comments:
        # JSON-LD repeats what the page shows when the page shows it; the markup's comments are
        # the ones readers saw (and carry the site's own threading), so JSON-LD only fills a gap.
        comments = _linked_data_comments(linked_data)
    excluded = set(comment_elements)
    excluded.update(element for element in root.xpath(_COMMENT_AREA))
    container = _article_container(root, excluded)
    body, dropped = _body(container, excluded)
    if not body:
        body = _linked_data_body(linked_data)
    title = _title(root, container, excluded)
    if body and title and body[0] == title:
        body = body[1:]
    byline, published = _byline(root, container, excluded)
    return Article(
        title=title,
        byline=byline,
        published=published,
        body=tuple(body),
        comments=tuple(comments),
        dropped=tuple(dropped),
        source=source,
    )


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
    data = markup.encode("utf-8", "replace")
    if not data.strip():
        return None, False
    parser = lxml.html.HTMLParser(encoding="utf-8", huge_tree=True)
    try:
        root = lxml.html.document_fromstring(data, parser=parser)
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
    dropped: set[int] = set()
    out: list[str] = []
    position = 0
    for token, element, depth in _elements(markup):
        out.append(markup[position : token.start()])
        position = token.end()
        if element is not None and token.group(2) == "" and low < depth <= high:
            dropped.add(element)
        if element is None or element not in dropped:
            out.append(token.group(0))
    out.append(markup[position:])
    return "".join(out)


# --- text of an element ----------------------------------------------------------------------------------


def _classes(element: lxml.html.HtmlElement) -> Iterator[str]:
    for attribute in ("class", "id"):
        for token in (element.get(attribute) or "").lower().split():
            yield from filter(None, re.split(r"[-_]", token))


def _is_chrome(element: lxml.html.HtmlElement, *, by_class: bool = True) -> bool:
    """An element that is page chrome by its tag, role, visibility or (``by_class``) class/id words."""
    tag = element.tag if isinstance(element.tag, str) else ""
    if tag in _SKIPPED_TAGS:
        return True
    if element.get("hidden") is not None or element.get("aria-hidden") == "true":
        return True
    if element.get("role") in ("navigation", "banner", "contentinfo", "complementary", "search", "dialog"):
        return True
    return by_class and any(word in _CHROME_WORDS for word in _classes(element))


_LINE_BREAK = object()
_PARAGRAPH_BREAK = object()


def _paragraphs_of(
    element: lxml.html.HtmlElement, skip: set[lxml.html.HtmlElement], *, skip_chrome: bool = True
) -> list[str]:
    """The visible text of ``element`` as paragraphs (one per block element; ``<br>`` becomes a newline).

    Elements in ``skip`` are left out, and so, with ``skip_chrome``, are scripts, styles, forms,
    navigation, headers, footers and hidden elements. Whitespace in the markup collapses as a browser's.
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
        if (
            not isinstance(node.tag, str)
            or node in skip
            or (node is not element and skip_chrome and _is_chrome(node, by_class=False))
        ):
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
    words: list[str] = []
    for piece in (*pieces, _PARAGRAPH_BREAK):
        if isinstance(piece, str):
            words.append(piece)
            continue
        line = _SPACES.sub(" ", "".join(words)).strip()
        words = []
        if line:
            lines.append(line)
        if piece is _PARAGRAPH_BREAK and lines:
            paragraphs.append("\n".join(lines))
            lines = []
    return paragraphs


def _text(element: lxml.html.HtmlElement, skip: set[lxml.html.HtmlElement] | None = None) -> str:
    """The element's visible text on one line."""
    return " ".join(_paragraphs_of(element, skip or set())).replace("\n", " ")


# --- comments --------------------------------------------------------------------------------------------


def _comment_elements(root: lxml.html.HtmlElement) -> list[lxml.html.HtmlElement]:
    found = root.xpath(_COMMENT_ELEMENTS)  # document order, without duplicates
    return [element for element in found if "pingback" not in (element.get("class") or "")]


def _comments(elements: list[lxml.html.HtmlElement]) -> list[Comment]:
    # Sets of elements, never of id()s: lxml makes element proxies on demand and an id can be reused.
    candidates = set(elements)

    def owner(node: lxml.html.HtmlElement) -> lxml.html.HtmlElement | None:
        """The comment element a node belongs to: the nearest candidate at or above it."""
        for ancestor in (node, *node.iterancestors()):
            if ancestor in candidates:
                return ancestor
        return None

    parts: dict[lxml.html.HtmlElement, tuple[str | None, str | None, str]] = {}
    for element in elements:
        own = lambda found, element=element: [node for node in found if owner(node) is element]  # noqa: E731
        text = _comment_text(element, own, candidates)
        author = _first_text(own(element.xpath(xpath)) for xpath in _AUTHOR_PARTS)
        posted = _posted(own, element)
        parts[element] = (author, posted, text)

    # A candidate without text of its own wraps the real one (li.comment around article[itemtype=Comment]).
    real: dict[lxml.html.HtmlElement, int] = {}  # candidate -> index of the comment it is (or wraps)
    comments: list[Comment] = []
    for element in elements:
        author, posted, text = parts[element]
        if not text:
            continue
        parent = None
        for ancestor in element.iterancestors():
            if ancestor in candidates:
                parent = real.get(ancestor)
                if parent is None:
                    wrapper_author, wrapper_posted, _ = parts[ancestor]
                    author = author or wrapper_author
                    posted = posted or wrapper_posted
                    continue
                break
        index = len(comments)
        real[element] = index
        for ancestor in element.iterancestors():
            if ancestor in candidates and not parts[ancestor][2] and ancestor not in real:
                real[ancestor] = index
            elif ancestor in candidates:
                break
        comments.append(Comment(index=index, text=text, author=author, posted=posted, parent=parent))
    return comments


def _comment_text(element, own, candidates: set[lxml.html.HtmlElement]) -> str:
    for xpath in _TEXT_PARTS:
        nodes = own(element.xpath(xpath))
        if nodes:
            outermost = [node for node in nodes if not any(other in node.iterancestors() for other in nodes)]
            paragraphs = [text for node in outermost for text in _paragraphs_of(node, candidates - {node})]
            return "\n\n".join(line for line in paragraphs if not is_boilerplate(line, in_comments=True))
    # No marked-up text part: the element's own paragraphs, less its meta and buttons and the replies.
    skip = set(candidates) - {element}
    skip.update(node for node in element.xpath(f".//*[{_COMMENT_CHROME}]"))
    lines = _paragraphs_of(element, skip)
    return "\n\n".join(line for line in lines if not is_boilerplate(line, in_comments=True))


def _first_text(groups: Iterable[list[lxml.html.HtmlElement]]) -> str | None:
    for nodes in groups:
        for node in nodes:
            text = _text(node) or node.get("content") or ""
            text = re.sub(r"\s*says:?\s*$", "", text, flags=re.IGNORECASE).strip()
            if text:
                return text[:200]
    return None


def _posted(own, element: lxml.html.HtmlElement) -> str | None:
    for xpath in _POSTED_PARTS:
        for node in own(element.xpath(xpath)):
            text = _text(node) or node.get("datetime") or node.get("content") or node.get("title") or ""
            if text.strip():
                return text.strip()[:200]
    return None


# --- JSON-LD ---------------------------------------------------------------------------------------------

# Structured data nests objects in lists in objects; real pages need a few levels per reply. The cap bounds
# recursion on hostile input (about 50 levels of replies: each is an object in a list).
_MAX_LINKED_DATA_DEPTH = 100
_SCRIPT_WRAPPERS = re.compile(
    r"^\s*(?://|/\*)?\s*(?:<!--|<!\[CDATA\[)\s*(?:\*/)?|(?://|/\*)?\s*(?:-->|\]\]>)\s*(?:\*/)?\s*$"
)
_ARTICLE_TYPES = word_set("Article NewsArticle BlogPosting DiscussionForumPosting ReportageNewsArticle WebPage")
_COMMENT_TYPES = frozenset({"Comment"})
_MARKUP = re.compile(r"<[a-zA-Z/!]")


def _linked_data(root: lxml.html.HtmlElement) -> list[object]:
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


def _string(value: object) -> str | None:
    """A JSON-LD text value: a string, a ``{"@value": ...}`` object, or the first of a list of them."""
    if isinstance(value, dict):
        value = value.get("@value")
    if isinstance(value, list):
        return next(filter(None, map(_string, value)), None)
    if not isinstance(value, str) or not value.strip():
        return None
    # JSON may escape half a surrogate pair ("\\ud800"): no encoding can write it, so it becomes U+FFFD.
    return _LONE_SURROGATE.sub("\ufffd", value)


_LONE_SURROGATE = re.compile(r"[\ud800-\udfff]")


def _field(node: dict, *names: str) -> str | None:
    """The first of ``names`` that ``node`` has as text (keys may be full schema.org IRIs)."""
    values = {_local_name(key): value for key, value in node.items()}
    return next(filter(None, (_string(values.get(name)) for name in names)), None)


def _plain_paragraphs(text: str) -> list[str]:
    """Paragraphs of a JSON-LD text value, which sites fill with plain text or with HTML."""
    if _MARKUP.search(text):
        try:
            fragment = lxml.html.fragment_fromstring(text.replace("\x00", ""), create_parent="div")
        except (lxml.etree.LxmlError, ValueError):
            return []
        return _paragraphs_of(fragment, set())
    paragraphs = []
    for block in re.split(r"\n\s*\n", html.unescape(text)):
        lines = (_SPACES.sub(" ", line).strip() for line in block.splitlines())
        paragraph = "\n".join(line for line in lines if line)
        if paragraph:
            paragraphs.append(paragraph)
    return paragraphs


def _linked_data_comments(blocks: list[object]) -> list[Comment]:
    comments: list[Comment] = []

    def add(node: dict, parent: int | None) -> int | None:
        text = _field(node, "text", "articleBody", "description") or ""
        paragraphs = _plain_paragraphs(text)
        text = "\n\n".join(line for line in paragraphs if not is_boilerplate(line, in_comments=True))
        if not text:
            return None
        people = [value for key, value in node.items() if _local_name(key) in ("author", "creator")]
        author = next(filter(None, map(_author_name, people)), None)
        posted = _field(node, "dateCreated", "datePublished")
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
        if depth > _MAX_LINKED_DATA_DEPTH:
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
                    index = add(item, parent)
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
        return _string(person) or _field(person, "name")
    return _string(person)


def _linked_data_body(blocks: list[object]) -> list[str]:
    """The paragraphs of the first JSON-LD article with an ``articleBody``, boilerplate removed."""
    stack = list(reversed(blocks))  # an explicit stack: decoded JSON is a tree, so this ends
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(reversed(node))
        elif isinstance(node, dict):
            body = _field(node, "articleBody") if _has_type(node, _ARTICLE_TYPES) else None
            if body:
                return [line for line in _plain_paragraphs(body) if not is_boilerplate(line)]
            stack.extend(
                reversed(
                    [value for key, value in node.items() if _local_name(key) in ("@graph", "mainEntity")]
                )
            )
    return []


# --- article ---------------------------------------------------------------------------------------------


def _inside(element: lxml.html.HtmlElement, excluded: set[lxml.html.HtmlElement]) -> bool:
    return any(node in excluded for node in (element, *element.iterancestors()))


def _article_container(
    root: lxml.html.HtmlElement, excluded: set[lxml.html.HtmlElement]
) -> lxml.html.HtmlElement:
    for xpath in (
        "//*[@itemprop='articleBody']",
        "//article",
        "//main",
        "//*[@role='main']",
        f"//*[{_has_class('entry-content')} or {_has_class('article-body')} or {_has_class('story-body')}]",
    ):
        found = [node for node in root.xpath(xpath) if not _inside(node, excluded)]
        if found:
            # The one with the most paragraph text: a page may also have teaser <article>s.
            return max(found, key=lambda node: sum(len(_text(p)) for p in node.iter("p")))
    body = root.find("body")
    return body if body is not None else root


def _body(
    container: lxml.html.HtmlElement, excluded: set[lxml.html.HtmlElement]
) -> tuple[list[str], list[str]]:
    body: list[str] = []
    dropped: list[str] = []
    blocks = [
        node
        for node in container.iter(*_PARAGRAPH_TAGS)
        # the innermost blocks only: a quote or list item made of <p>s is read through its <p>s
        if not any(child.tag in _PARAGRAPH_TAGS for child in node.iterdescendants())
    ]
    text_sizes: dict[lxml.html.HtmlElement, int] = {}
    chrome_seen: set[lxml.html.HtmlElement] = set()
    for node in blocks:
        if _inside(node, excluded):
            continue
        chrome = _chrome_ancestor(node, container, text_sizes)
        if chrome is not None:
            if chrome not in chrome_seen:
                chrome_seen.add(chrome)
                text = _text(chrome, excluded)
                if text and len(text) <= 300:
                    dropped.append(text)
            continue
        text = "\n".join(_paragraphs_of(node, excluded))
        if not text:
            continue
        if body and text == body[-1] and len(text) >= 20:
            # A caption scraped twice (image alt text, then the caption): both copies go.
            dropped.extend((body.pop(), text))
        elif node.tag == "figcaption" or is_boilerplate(text):
            dropped.append(text)
        else:
            body.append(text)
    if not blocks:
        for line in _paragraphs_of(container, excluded):
            (dropped if is_boilerplate(line) else body).append(line)
    return body, dropped


def _chrome_ancestor(
    node, container, text_sizes: dict[lxml.html.HtmlElement, int]
) -> lxml.html.HtmlElement | None:
    """The outermost chrome element between ``node`` and ``container``, if any.

    A class word alone ("has-sidebar", "post-meta") does not make chrome of an element holding most of
    the container's text: that is a page wrapper, not a widget.
    """

    def size(element) -> int:
        if element not in text_sizes:
            text_sizes[element] = len(_text(element))
        return text_sizes[element]

    found = None
    for ancestor in (node, *node.iterancestors()):
        if ancestor is container:
            break
        if _is_chrome(ancestor, by_class=False) or (
            _is_chrome(ancestor) and size(ancestor) < 0.5 * max(size(container), 1)
        ):
            found = ancestor
    return found


def _meta(root: lxml.html.HtmlElement, *names: str) -> str | None:
    for name in names:
        for node in root.xpath(f"//meta[@property='{name}' or @name='{name}' or @itemprop='{name}']"):
            content = (node.get("content") or "").strip()
            if content:
                return content
    return None


def _title(root, container, excluded: set[lxml.html.HtmlElement]) -> str | None:
    for scope in (container, root):
        for node in scope.iter("h1"):
            if not _inside(node, excluded):
                text = _text(node)
                if text:
                    return text
    meta = _meta(root, "og:title", "twitter:title")
    if meta:
        return meta
    node = root.find(".//title")
    return (_text(node) or None) if node is not None else None


def _byline(root, container, excluded: set[lxml.html.HtmlElement]) -> tuple[str | None, str | None]:
    byline = None
    for xpath in (
        ".//*[@itemprop='author']//*[@itemprop='name']",
        ".//*[@itemprop='author']",
        ".//*[@rel='author']",
        f".//*[{_has_class('byline')} or {_has_class('author-name')}]",
    ):
        for scope in (container, root):
            for node in scope.xpath(xpath):
                if not _inside(node, excluded):
                    text = re.sub(r"^by\s+", "", _text(node) or node.get("content") or "", flags=re.I).strip()
                    if text:
                        byline = text[:200]
                        break
            if byline:
                break
        if byline:
            break
    byline = byline or _meta(root, "author", "article:author")
    published = _meta(root, "article:published_time", "datePublished", "pubdate", "date")
    if published is None:
        for node in root.xpath("//time"):
            if not _inside(node, excluded):
                published = (node.get("datetime") or _text(node) or "").strip() or None
                if published:
                    break
    return byline, published
