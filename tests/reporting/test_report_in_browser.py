"""The HTML report in a real headless Chromium: it loads without console errors and shows flagged comments.

Skipped when no Chromium is installed, except in CI (``CI=true``), where a missing browser is a failure.
Console messages are read from Chromium's own log (``--enable-logging=stderr``): script errors, and any
Content-Security-Policy violation (a blocked script or network fetch) land there.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import lxml.html
import pytest

from moderation.reporting import write_report

pytestmark = pytest.mark.browser

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--enable-logging=stderr",
    "--v=0",
)


@pytest.fixture(scope="module")
def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    if os.environ.get("CI") == "true":
        pytest.fail("chromium is not installed, and CI must run the browser test (apt-get install chromium)")
    pytest.skip("chromium is not installed (apt-get install chromium)")


def open_page(chromium: str, page: Path, profile: Path) -> tuple[lxml.html.HtmlElement, list[str]]:
    """The DOM after scripts ran, and every console message the page produced."""
    result = subprocess.run(
        [chromium, *FLAGS, f"--user-data-dir={profile}", "--dump-dom", page.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    console = [line for line in result.stderr.splitlines() if ":CONSOLE" in line]
    return lxml.html.fromstring(result.stdout), console


def test_console_errors_are_caught(chromium, tmp_path):
    page = tmp_path / "broken.html"
    page.write_text("<!DOCTYPE html><html><body><p>x</p><script>notDefined();</script></body></html>")
    _, console = open_page(chromium, page, tmp_path / "profile")
    assert any("notDefined" in line for line in console)


def test_the_report_loads_cleanly_and_shows_every_flagged_comment(chromium, articles, tmp_path):
    page = tmp_path / "report.html"
    write_report(articles, page)

    dom, console = open_page(chromium, page, tmp_path / "profile")

    assert console == []
    assert dom.get("data-script") == "ready"  # the report's own script ran: its CSP hash matched
    cards = dom.find_class("flagged-comment")
    assert [card.get("hidden") for card in cards] == [None, None]
    shown = [" ".join(card.find_class("text")[0].text_content().split()) for card in cards]
    assert shown == ["You absolute IDIOT, read the plan.", "The J3ws control the banks, wake up!"]
    assert [mark.text_content() for mark in cards[1].iter("mark")] == ["J3ws control", "the banks", "wake up"]
    # Hostile text stayed text: the author's <script> is shown, not run.
    assert "<script>alert('author')</script>" in cards[1].text_content()
    assert len(dom.xpath("//script")) == 1
    assert len(dom.xpath("//svg")) == 4
