"""Summarising scored articles: totals, one row per article, the flagged comments."""

from moderation.reporting import FailedInput, ReportBuilder, build_report
from moderation.thresholds import Thresholds


def test_totals_and_rows_count_comments_and_flags_per_label(articles):
    report = build_report(articles, [FailedInput("bad.bin", "bad.bin looks binary")])
    assert report.labels == ("hateful", "antisemitic", "offensive")
    assert report.total_comments == 4
    assert report.total_flagged == {"hateful": 1, "antisemitic": 1, "offensive": 1}
    assert report.total_flagged_any == 2
    assert [(row.number, row.comments, row.flagged_any) for row in report.rows] == [
        (1, 2, 1),
        (2, 2, 1),
        (3, 0, 0),
    ]
    assert report.rows[1].flagged == {"hateful": 1, "antisemitic": 1, "offensive": 0}
    assert report.failures == (FailedInput("bad.bin", "bad.bin looks binary"),)


def test_thresholds_come_from_the_scores_unless_given(articles):
    assert build_report(articles).thresholds == {"hateful": 0.6, "antisemitic": 0.55, "offensive": 0.7}
    given = ReportBuilder(thresholds=Thresholds({"hateful": 0.9, "antisemitic": 0.55, "offensive": 0.7}))
    for scored in articles:
        given.add(scored)
    assert given.build().thresholds["hateful"] == 0.9
    assert build_report([]).thresholds == {"hateful": 0.5, "antisemitic": 0.5, "offensive": 0.5}


def test_flagged_comments_keep_their_article_and_page_order(articles):
    flagged = build_report(articles).flagged_comments
    assert [(item.article.title, item.moderated.comment.index) for item in flagged] == [
        ("Council approves new bike lanes", 1),
        ("Synagogue hosts open day", 0),
    ]
    # Only n-grams that pushed a flagged label up drive the highlight, strongest label's order kept.
    assert flagged[0].driving_ngrams == ("idiot",)
    assert flagged[1].driving_ngrams == ("jews control", "wake up", " joo", "the banks")


def test_an_article_is_named_by_title_then_source_then_number(articles):
    report = build_report(articles)
    assert report.rows[0].name == "Council approves new bike lanes"
    untitled = build_report([articles[2].__class__(articles[2].article.__class__(source="x.txt"), ())])
    assert untitled.rows[0].name == "x.txt"
