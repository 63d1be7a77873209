"""Markup -> lxml document (repaired, however deeply nested) and the visible text of an element."""

from __future__ import annotations

import lxml.html
import pytest

from moderation.parsing import parse
from moderation.parsing.markup import html_document, is_chrome_element, paragraphs_of, text_of


def test_html_document_is_none_without_a_document():
    for markup in ("", "   \n", "\x00"):
        assert html_document(markup) is None
    root = html_document("<?xml version='1.0'?><p>x</p>")
    assert root is not None and root.tag == "html"


def test_paragraphs_of_gives_one_paragraph_per_block_and_a_newline_per_br():
    root = lxml.html.fragment_fromstring(
        "<div><p>One  <b>two</b>\n three</p><p>four<br>five</p>text after"
        "<script>hidden()</script><nav>menu</nav><span hidden>gone</span><p class='skip'>skipped</p></div>"
    )
    skipped = set(root.find_class("skip"))
    assert paragraphs_of(root, skipped) == ["One two three", "four\nfive", "text after"]
    assert text_of(root, skipped) == "One two three four five text after"


def test_chrome_elements_by_tag_role_and_visibility():
    def element(markup):
        return lxml.html.fragment_fromstring(markup)

    assert is_chrome_element(element("<form></form>"))
    assert is_chrome_element(element("<div role='navigation'></div>"))
    assert is_chrome_element(element("<div aria-hidden='true'></div>"))
    # Class words are the page parser's business, not the markup's.
    assert not is_chrome_element(element("<div class='share-bar'></div>"))
    assert not is_chrome_element(element("<p>text</p>"))


def test_xhtml_with_an_encoding_declaration_parses():
    article = parse("<?xml version='1.0' encoding='utf-8'?><html><body><p>XHTML é</p></body></html>")
    assert article.body == ("XHTML é",)


_COMMENT_LIST = (
    '<ol class="commentlist"><li class="comment"><div class="comment-author">Bob</div>'
    '<div class="comment-content"><p>the joo banksters run everything</p></div></li></ol>'
)


@pytest.mark.parametrize(
    ("opening", "closing"),
    [("<div>", "</div>"), ('<div class="wrap"><span>', "</span></div>"), ("<div><p>", "</div>")],
)
def test_comments_under_ten_thousand_nested_elements_are_found(opening, closing):
    # libxml2 gives up past 2,048 levels and silently loses the rest of the page.
    page = (
        "<html><body><article><h1>Deep Page</h1><p>The article's first paragraph, long enough.</p></article>"
        + opening * 10_000
        + _COMMENT_LIST
        + closing * 10_000
        + "<p>The page goes on after the comments.</p></body></html>"
    )
    article = parse(page)
    assert [(c.author, c.text) for c in article.comments] == [("Bob", "the joo banksters run everything")]
    assert "The article's first paragraph, long enough." in article.body
