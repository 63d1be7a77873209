"""HTML pages -> Article: title and byline from the markup, body from the article container, comments
from the comment markup sites actually use.

The document and the visible text of its elements come from :mod:`moderation.parsing.markup` (lxml,
which repairs malformed markup instead of failing). Reader comments come from three kinds of markup, in
any mix:

- WordPress: ``li.comment`` (or ``article``/``div.comment``), author in ``.comment-author .fn``, date in
  ``.comment-metadata``/``time``, text in ``.comment-content``; replies sit in ``ol.children``;
- schema.org microdata: ``itemtype`` ``…/Comment`` or ``…/UserComments``, with ``itemprop`` ``author``/
  ``creator`` (``name``), ``text``/``commentText``, ``dateCreated``/``datePublished``/``commentTime``;
- Disqus-style posts: ``li.post`` with ``.author``, ``.time-ago`` and ``.post-message``; replies in
  ``ul.children``.

Comments may also come from schema.org JSON-LD (:mod:`moderation.parsing.jsonld`); they are used only
when the markup has no comments.

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

import re
from collections.abc import Iterable, Iterator, Sequence

import lxml.html

from moderation.parsing import jsonld
from moderation.parsing.boilerplate import is_boilerplate
from moderation.parsing.markup import html_document, is_chrome_element, paragraphs_of, text_of
from moderation.parsing.words import word_set
from moderation.types import Article, Comment

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


def _has_class(name: str) -> str:
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"


_COMMENT_AREA = (
    "//*[@id='comments' or @id='disqus_thread' or @id='respond' or "
    + " or ".join(
        _has_class(name)
        for name in ("comments-area", "comment-list", "commentlist", "comments", "comment-respond", "disqus")
    )
    + "]"
)
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


def parse_html(markup: str, *, source: str | None = None) -> Article:
    """Split an HTML page into title, byline, body, reader comments and dropped boilerplate."""
    root = html_document(markup)
    if root is None:
        return Article(source=source)
    comment_elements = _comment_elements(root)
    comments = _comments(comment_elements)
    json_ld = jsonld.read_blocks(root)
    if not comments:
        # JSON-LD repeats what the page shows when the page shows it; the markup's comments are
        # the ones readers saw (and carry the site's own threading), so JSON-LD only fills a gap.
        comments = jsonld.read_comments(json_ld)
    excluded = set(comment_elements)
    excluded.update(element for element in root.xpath(_COMMENT_AREA))
    container = _article_container(root, excluded)
    body, dropped = _body(container, excluded)
    if not body:
        body = jsonld.read_article_body(json_ld)
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


# --- comments --------------------------------------------------------------------------------------------


def _comment_elements(root: lxml.html.HtmlElement) -> list[lxml.html.HtmlElement]:
    matches = root.xpath(_COMMENT_ELEMENTS)  # document order, without duplicates
    return [element for element in matches if "pingback" not in (element.get("class") or "")]


def _comments(elements: list[lxml.html.HtmlElement]) -> list[Comment]:
    # Sets of elements, never of id()s: lxml makes element proxies on demand and an id can be reused.
    candidates = set(elements)
    # candidate -> (author, posted, text), each read from the candidate's own nodes
    own_parts: dict[lxml.html.HtmlElement, tuple[str | None, str | None, str]] = {}
    for element in elements:
        author = _first_text(_own(element.xpath(xpath), element, candidates) for xpath in _AUTHOR_PARTS)
        posted = _posted(element, candidates)
        text = _comment_text(element, candidates, author, posted)
        own_parts[element] = (author, posted, text)

    # A candidate without text of its own wraps the comment proper (li.comment around
    # article[itemtype=Comment]).
    comment_index: dict[lxml.html.HtmlElement, int] = {}  # candidate -> index of the comment it is (or wraps)
    comments: list[Comment] = []
    for element in elements:
        author, posted, text = own_parts[element]
        if not text:
            continue
        parent = None
        for ancestor in element.iterancestors():
            if ancestor in candidates:
                parent = comment_index.get(ancestor)
                if parent is None:
                    wrapper_author, wrapper_posted, _ = own_parts[ancestor]
                    author = author or wrapper_author
                    posted = posted or wrapper_posted
                    continue
                break
        index = len(comments)
        comment_index[element] = index
        for ancestor in element.iterancestors():
            if ancestor in candidates and not own_parts[ancestor][2] and ancestor not in comment_index:
                comment_index[ancestor] = index
            elif ancestor in candidates:
                break
        comments.append(Comment(index=index, text=text, author=author, posted=posted, parent=parent))
    return comments


def _own(
    nodes: Iterable[lxml.html.HtmlElement],
    element: lxml.html.HtmlElement,
    candidates: set[lxml.html.HtmlElement],
) -> list[lxml.html.HtmlElement]:
    """The ``nodes`` that belong to comment ``element`` itself, not to a comment nested in it."""
    return [node for node in nodes if _owner(node, candidates) is element]


def _owner(
    node: lxml.html.HtmlElement, candidates: set[lxml.html.HtmlElement]
) -> lxml.html.HtmlElement | None:
    """The comment element a node belongs to: the nearest candidate at or above it."""
    for ancestor in (node, *node.iterancestors()):
        if ancestor in candidates:
            return ancestor
    return None


def _comment_text(
    element: lxml.html.HtmlElement,
    candidates: set[lxml.html.HtmlElement],
    author: str | None = None,
    posted: str | None = None,
) -> str:
    for xpath in _TEXT_PARTS:
        nodes = _own(element.xpath(xpath), element, candidates)
        if nodes:
            outermost = [node for node in nodes if not any(other in node.iterancestors() for other in nodes)]
            paragraphs = [text for node in outermost for text in paragraphs_of(node, candidates - {node})]
            return "\n\n".join(line for line in paragraphs if not is_boilerplate(line, in_comments=True))
    # No marked-up text part: the element's own paragraphs, less its meta and buttons and the replies, and less
    # a paragraph that is only the name and time read as its author and date ("Bob", "Bob · 2 hours ago": not
    # what Bob wrote). A name or time inside a sentence stays, and so does a comment that would be left empty.
    skip = set(candidates) - {element}
    skip.update(node for node in element.xpath(f".//*[{_COMMENT_CHROME}]"))
    lines = [line for line in paragraphs_of(element, skip) if not is_boilerplate(line, in_comments=True)]
    meta = [part for part in (author, posted) if part]
    said = [line for line in lines if not meta or not _only_meta(line, meta)]
    return "\n\n".join(said or lines)


def _only_meta(line: str, meta: Sequence[str]) -> bool:
    """Whether ``line`` holds nothing but the given names and times, and punctuation between them."""
    for part in sorted(meta, key=len, reverse=True):
        line = line.replace(part, " ")
    return not any(char.isalnum() for char in line)


def _first_text(groups: Iterable[list[lxml.html.HtmlElement]]) -> str | None:
    for nodes in groups:
        for node in nodes:
            text = text_of(node) or node.get("content") or ""
            text = re.sub(r"\s*says:?\s*$", "", text, flags=re.IGNORECASE).strip()
            if text:
                return text[:200]
    return None


def _posted(element: lxml.html.HtmlElement, candidates: set[lxml.html.HtmlElement]) -> str | None:
    for xpath in _POSTED_PARTS:
        for node in _own(element.xpath(xpath), element, candidates):
            text = text_of(node) or node.get("datetime") or node.get("content") or node.get("title") or ""
            if text.strip():
                return text.strip()[:200]
    return None


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
        containers = [node for node in root.xpath(xpath) if not _inside(node, excluded)]
        if containers:
            # The one with the most paragraph text: a page may also have teaser <article>s.
            return max(containers, key=lambda node: sum(len(text_of(p)) for p in node.iter("p")))
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
                text = text_of(chrome, excluded)
                if text and len(text) <= 300:
                    dropped.append(text)
            continue
        text = "\n".join(paragraphs_of(node, excluded))
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
        for line in paragraphs_of(container, excluded):
            (dropped if is_boilerplate(line) else body).append(line)
    return body, dropped


def _has_chrome_class(element: lxml.html.HtmlElement) -> bool:
    """A class or id word of page chrome ("share-bar", "ad_slot", "sidebar")."""
    return any(word in _CHROME_WORDS for word in _class_words(element))


def _class_words(element: lxml.html.HtmlElement) -> Iterator[str]:
    for attribute in ("class", "id"):
        for token in (element.get(attribute) or "").lower().split():
            yield from filter(None, re.split(r"[-_]", token))


def _chrome_ancestor(
    node: lxml.html.HtmlElement,
    container: lxml.html.HtmlElement,
    text_sizes: dict[lxml.html.HtmlElement, int],
) -> lxml.html.HtmlElement | None:
    """The outermost chrome element between ``node`` and ``container``, if any.

    A class word alone ("has-sidebar", "post-meta") does not make chrome of an element holding most of
    the container's text: that is a page wrapper, not a widget.
    """

    def size(element) -> int:
        if element not in text_sizes:
            text_sizes[element] = len(text_of(element))
        return text_sizes[element]

    outermost = None
    for ancestor in (node, *node.iterancestors()):
        if ancestor is container:
            break
        if is_chrome_element(ancestor) or (
            _has_chrome_class(ancestor) and size(ancestor) < 0.5 * max(size(container), 1)
        ):
            outermost = ancestor
    return outermost


def _meta_content(root: lxml.html.HtmlElement, *names: str) -> str | None:
    for name in names:
        for node in root.xpath(f"//meta[@property='{name}' or @name='{name}' or @itemprop='{name}']"):
            content = (node.get("content") or "").strip()
            if content:
                return content
    return None


def _title(
    root: lxml.html.HtmlElement, container: lxml.html.HtmlElement, excluded: set[lxml.html.HtmlElement]
) -> str | None:
    for scope in (container, root):
        for node in scope.iter("h1"):
            if not _inside(node, excluded):
                text = text_of(node)
                if text:
                    return text
    meta_title = _meta_content(root, "og:title", "twitter:title")
    if meta_title:
        return meta_title
    node = root.find(".//title")
    return (text_of(node) or None) if node is not None else None


def _byline(
    root: lxml.html.HtmlElement, container: lxml.html.HtmlElement, excluded: set[lxml.html.HtmlElement]
) -> tuple[str | None, str | None]:
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
                    text = re.sub(
                        r"^by\s+", "", text_of(node) or node.get("content") or "", flags=re.I
                    ).strip()
                    if text:
                        byline = text[:200]
                        break
            if byline:
                break
        if byline:
            break
    byline = byline or _meta_content(root, "author", "article:author")
    published = _meta_content(root, "article:published_time", "datePublished", "pubdate", "date")
    if published is None:
        for node in root.xpath("//time"):
            if not _inside(node, excluded):
                published = (node.get("datetime") or text_of(node) or "").strip() or None
                if published:
                    break
    return byline, published
