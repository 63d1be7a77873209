"""Site boilerplate: which lines of a scraped page are chrome rather than article or reader comment.

Owns the patterns only (ads, share and like bars, navigation rows, comment forms and their labels,
follow/newsletter prompts, publisher mission statements, photo credits, comment-widget buttons) and the
comment-section headers ("12 Comments", "3 thoughts on “Title”"). Deciding where a line sits in the page
is the job of :mod:`moderation.parsing.text` and :mod:`moderation.parsing.html`.

Every pattern matches a whole line (or HTML block) after whitespace is collapsed, so a sentence that merely
mentions "advertisement" in the middle of a paragraph is never dropped.
"""

from __future__ import annotations

import re

from moderation.parsing.words import word_set

# Whole-line phrases, compared after lower-casing, collapsing whitespace and folding curly quotes.
_PHRASES = frozenset(
    {
        # ads
        "ad",
        "ads",
        "advertisement",
        "advertisements",
        "advertising",
        "sponsored",
        "sponsored content",
        "paid content",
        "promoted",
        "promoted content",
        "story continues below",
        "story continues below this ad",
        "story continues below advertisement",
        "article continues below",
        "article continues below advertisement",
        "article continues below this ad",
        "continue reading below",
        "continue reading the main story",
        "scroll to continue with content",
        "skip advertisement",
        "remove ads",
        # navigation and teasers
        "trending",
        "trending now",
        "trending stories",
        "quick links",
        "read more",
        "read next",
        "also read",
        "read also",
        "see also",
        "related",
        "related articles",
        "related stories",
        "related posts",
        "related news",
        "recommended",
        "recommended stories",
        "recommended for you",
        "most popular",
        "most read",
        "most viewed",
        "popular now",
        "you may also like",
        "you might also like",
        "don't miss",
        "more stories",
        "top stories",
        "latest news",
        "latest stories",
        "skip to content",
        "skip to main content",
        "menu",
        "search",
        "close",
        "back to top",
        "go to top",
        "previous article",
        "next article",
        "previous post",
        "next post",
        "tags",
        "topics",
        "filed under",
        # share / like bars
        "share",
        "share this",
        "share this:",
        "share this article",
        "share this story",
        "share this post",
        "share on facebook",
        "share on twitter",
        "share on x",
        "tweet",
        "email",
        "print",
        "copy link",
        "link copied",
        "like",
        "like this:",
        "facebook",
        "twitter",
        "x",
        "linkedin",
        "whatsapp",
        "telegram",
        "reddit",
        "pinterest",
        "pocket",
        "tumblr",
        "threads",
        "bluesky",
        "mastodon",
        "flipboard",
        "messenger",
        "like loading...",
        "loading...",
        "be the first to like this.",
        # comment forms and their labels
        "leave a reply",
        "leave a reply cancel reply",
        "leave a comment",
        "leave a comment cancel reply",
        "post a comment",
        "add a comment",
        "write a comment",
        "cancel reply",
        "post comment",
        "submit comment",
        "submit",
        "comment",
        "comment *",
        "comment:",
        "name",
        "name *",
        "name:",
        "email *",
        "email:",
        "e-mail *",
        "website",
        "website:",
        "url",
        "your email address will not be published.",
        "your email address will not be published. required fields are marked *",
        "your email address will not be published. required fields are marked",
        "required fields are marked *",
        "save my name, email, and website in this browser for the next time i comment.",
        "notify me of follow-up comments by email.",
        "notify me of new posts by email.",
        "notify me of new comments via email.",
        "you must be logged in to post a comment.",
        "log in to leave a comment",
        "log in to comment",
        "sign in to comment",
        "please let us know if you're having issues with commenting.",
        "comments are closed.",
        "comments are closed",
        "commenting is closed.",
        "commenting has been disabled for this article.",
        "your comment is awaiting moderation.",
        "this comment is awaiting moderation.",
        "view comments",
        "show comments",
        "hide comments",
        "load comments",
        "load more comments",
        "show more comments",
        "show more replies",
        "show replies",
        "hide replies",
        "view replies",
        "view more replies",
        "see more",
        "read more replies",
        "community guidelines",
        # comment widgets (WordPress, Disqus and friends)
        "reply",
        "log in to reply",
        "reply to this comment",
        "report",
        "report comment",
        "flag",
        "edit",
        "delete",
        "permalink",
        "upvote",
        "downvote",
        "login",
        "log in",
        "sign in",
        "sign up",
        "register",
        "subscribe",
        "newest",
        "oldest",
        "best",
        "sort by best",
        "sort by newest",
        "sort by oldest",
        "sort by top",
        "newest oldest most voted",
        "best newest oldest",
        "newest oldest",
        "most voted",
        "inline feedbacks",
        "view all comments",
        "join the discussion…",
        "join the discussion...",
        "join the discussion",
        "join the conversation",
        "start the discussion…",
        "be the first to comment.",
        "what do you think?",
        "disqus' privacy policy",
        "privacy policy",
        "privacy",
        "do not sell my data",
        "add disqus to your site",
        "powered by disqus",
        "recommend",
        "favorite this discussion",
        "this comment was deleted.",
        "this comment has been removed.",
        "comment deleted",
        # credits
        "with inputs from agencies",
        "with inputs from agencies.",
        "all rights reserved.",
        "all rights reserved",
    }
)

_PLATFORM = (
    r"(?:facebook|twitter|x|instagram|threads|telegram|linkedin|youtube|tiktok|google news|bluesky|"
    r"truth social|gab|mastodon|whatsapp)"
)
# Tokens of a vote/share row ("12 • Reply • Share ›", "▲ 3 ▼"), separated by spaces or bullets so that the
# row pattern cannot backtrack through the ways of splitting a long number.
_ROW_TOKEN = (
    r"(?:reply|share|like|likes|upvote|downvote|report|flag|edit|permalink|quote|vote|votes|points?|"
    r"[›»▲▼↑↓⚑−+–-]|\d[\d,.]*k?|\(\d+\))"
)
_ROW_SEPARATOR = r"(?:\s*[•·|]\s*|\s)"

# Whole-line regular expressions (on the folded line).
_PATTERNS = re.compile(
    "|".join(
        f"(?:{pattern})"
        for pattern in (
            # "Follow Frances Martel on Facebook and Twitter.", "Follow us on X", "Like us on Facebook"
            rf"(?:follow|like)\s+[^.!?]{{1,60}}?\s+on\s+{_PLATFORM}(?:\s*(?:,|and|or|&)\s*{_PLATFORM})*\s*[.!]?",
            r"follow\s+@\w{1,30}\.?",
            r"(?:sign up|subscribe|register)\b.{0,80}\bnewsletters?\b.{0,80}",
            r".{0,60}\bnewsletters?\b.{0,40}\b(?:sign up|subscribe)\b.{0,40}",
            r"(?:get|receive)\s+(?:the|our)\s+.{0,60}\b(?:in|to)\s+your\s+inbox.{0,40}",
            r"(?:download|get)\s+(?:the|our)\s+.{0,30}\bapp\b.{0,60}",
            r"join\s+(?:us\s+on|our)\s+.{0,30}\b(?:telegram|whatsapp|channel|community)\b.{0,60}",
            # publisher mission statements and licence lines
            r"[\w .,&'-]{2,60}'s mission is to\b.*",
            r".{0,80}\bcontent used with the permission of\b.*",
            r"(?:©|\(c\))\s*.{1,150}|copyright\s*(?:©|\(c\))?\s*\d{4}.{0,150}",
            r"this (?:article|story|piece) (?:was|is|first) (?:originally |first )?"
            r"(?:published|appeared)\b.{0,200}",
            r"republished with permission\b.{0,150}",
            r"the views (?:and opinions )?expressed (?:in this|here|by).{0,250}",
            # comment-section counters and vote/share rows: "12 • Reply • Share ›", "▲ 3 ▼", "Like (2)"
            rf"[•·|]?\s*{_ROW_TOKEN}(?:{_ROW_SEPARATOR}{_ROW_TOKEN}){{0,11}}\s*[•·|]?",
            r"(?:\d+|one|no)\s+(?:thoughts?|responses?|comments?|replies|reactions?)\s+(?:on|to)\s+.{1,200}",
            r"(?:\d[\d,.]*k?|no|one)\s+(?:comments?|responses?|replies)",
            r"comments?\s*(?:\(\d+\))?:?",
            r"(?:reader|readers'|user|latest|top|show|view|all|see)\s+comments?(?:\s*\(\d+\))?",
            r"(?:subscribe|login|log in)\s*(?:[|•·]\s*(?:subscribe|login|log in|register|sign up)\s*)+",
        )
    )
)

# Navigation rows ("Home Video Shorts Live TV"): short lines whose words are nearly all section names.
# Patterns a reader's comment could also match ("click here to see the proof"); applied outside comments only.
_PAGE_ONLY_PATTERNS = re.compile(r"click here to .{0,80}")

_NAVIGATION_WORDS = word_set(
    """
    home news video videos shorts live tv radio world politics business opinion opinions
    entertainment tech technology health science sport sports lifestyle life markets money economy
    menu search subscribe login sign in up register podcast podcasts photos photo gallery galleries
    latest trending weather travel culture style food about contact us privacy policy terms
    newsletter newsletters games puzzles crossword explainers explained india uk us u.s. europe asia
    africa americas middle east australia china local national international education auto autos
    cars movies music books arts fashion climate environment investigations features analysis more
    web stories e-paper epaper cricket football astrology religion jobs careers real estate shop
    deals coupons horoscope recipes fact check facebook twitter x linkedin whatsapp telegram reddit
    pinterest email print share copy link
    """
)

_CURLY = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "\u00a0": " "})
_SPACES = re.compile(r"\s+")

# A photo credit ending a caption: "(VLADIMIR SMIRNOV/POOL/AFP via Getty Images)", "(AP Photo/Ahn Y.)",
# "Source REUTERS/FILE", "Photo: Reuters". A credit needs an agency or photo word and a slash or colon, so a
# sentence ending "(Reuters)" or "...the source, Reuters" stays.
_AGENCY = r"(?:reuters|afp|ap|epa|getty images|getty|pool|kcna|sputnik|tass|xinhua|shutterstock|istock|file)"
_PHOTO_CREDIT = re.compile(
    rf"(?:\([^()]{{0,120}}\bvia getty images\)"
    rf"|\((?:[^()]{{0,60}}\b{_AGENCY}\b)?\s*(?:photo|image|picture|credit)?\s*[/:][^()]{{1,80}}\)"
    rf"|\b(?:source|photo|image|picture|credit|courtesy|file photo)\s*[:/]?\s*"
    rf"(?:[\w.\- ]{{0,40}}\b)?{_AGENCY}"
    rf"(?:\s*/\s*[\w.\- ]{{1,40}})+"
    rf"|\b(?:source|photo|image|picture|credit|courtesy)\s*:\s*[\w.\-/ ]{{1,60}})\.?\s*$",
    re.IGNORECASE,
)


def fold(line: str) -> str:
    """The line as the patterns see it: lower case, straight quotes, single spaces, no outer space."""
    return _SPACES.sub(" ", line.translate(_CURLY)).strip().lower()


def is_boilerplate(line: str, *, in_comments: bool = False) -> bool:
    """Whether a whole line (or HTML block text) is site chrome rather than article or comment.

    ``in_comments`` leaves out the patterns a reader's own words could match (a comment ending
    "Source: Reuters" is still a comment, and must still be moderated).
    """
    folded = fold(line)
    if not folded:
        return False
    if folded in _PHRASES or folded.rstrip(":.!") in _PHRASES:
        return True
    if len(folded) > 400:
        return False
    if _PATTERNS.fullmatch(folded):
        return True
    if in_comments:
        return False
    return (
        _PAGE_ONLY_PATTERNS.fullmatch(folded) is not None or is_navigation_row(line) or is_photo_caption(line)
    )


def is_navigation_row(line: str) -> bool:
    """A row of section names, as menus and footers scrape to ("Home Video Shorts Live TV")."""
    words = line.replace("|", " ").replace("•", " ").split()
    # Menus are Title Case or capitals; a lower-case word means a sentence.
    if not 3 <= len(words) <= 16 or any(not (word[0].isupper() or word[0].isdigit()) for word in words):
        return False
    known = sum(1 for word in words if word.lower().strip(".,") in _NAVIGATION_WORDS)
    return known >= 0.75 * len(words)


def is_photo_caption(line: str) -> bool:
    """A caption identified by the photo credit at its end."""
    return len(line) <= 600 and _PHOTO_CREDIT.search(line) is not None


_COMMENT_HEADER = re.compile(
    r"(?:\d[\d,.]*k?|one|no)\s+(?:thoughts?|responses?|comments?|replies|reactions?)(?:\s+(?:on|to)\s+.{1,200})?"
    r"|comments\s*(?:\(\d+\))?:?"
    r"|(?:reader|readers'|user|latest|top|all|show|view|see)\s+comments?(?:\s*\(\d+\))?"
    r"|join the (?:discussion|conversation)(?:…|\.\.\.)?"
)


def is_comment_header(line: str) -> bool:
    """A heading that opens a comment section ("12 Comments", "3 thoughts on “Title”", "Reader comments")."""
    folded = fold(line)
    return len(folded) <= 250 and _COMMENT_HEADER.fullmatch(folded) is not None
