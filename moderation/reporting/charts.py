"""Inline SVG charts for the HTML report, drawn in Python so the report needs no script or network.

Every piece of text that reaches the SVG (titles, labels) is escaped: it may come from a hostile page.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from markupsafe import Markup, escape

_PALETTE = ("#b03a2e", "#6c3483", "#b9770e", "#1f618d", "#117a65", "#5d6d7e")
LABEL_COLOURS = {"hateful": "#b03a2e", "antisemitic": "#6c3483", "offensive": "#b9770e"}


def label_colour(label: str, labels: Sequence[str]) -> str:
    if label in LABEL_COLOURS:
        return LABEL_COLOURS[label]
    return _PALETTE[labels.index(label) % len(_PALETTE)] if label in labels else _PALETTE[-1]


def _number(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def histogram(
    label: str, counts: Sequence[int], threshold: float, colour: str, only_on: str | None = None
) -> Markup:
    """Distribution of one label's probabilities, given as comment counts in equal bins over 0..1; bars at or
    past the threshold drawn solid. ``only_on`` names the label a flag of this one also needs (antisemitic:
    hateful), said beside the threshold, since not every solid bar is then flagged.

    Heights use a log scale, because almost every comment scores near zero and the flagged tail would
    otherwise be invisible; each bar's exact count is in its tooltip.
    """
    bins = len(counts)
    width, height, left, bottom, top = 340, 170, 34, 26, 22
    plot_w, plot_h = width - left - 8, height - bottom - top
    peak = math.log1p(max(counts)) if any(counts) else 1.0
    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'xmlns="http://www.w3.org/2000/svg" aria-label="{escape(label)} score distribution">',
        f'<text x="{left}" y="14" class="chart-title">{escape(label)}: {sum(counts)} comments</text>',
    ]
    bar_w = plot_w / bins
    for index, count in enumerate(counts):
        low, high = index / bins, (index + 1) / bins
        bar_h = plot_h * math.log1p(count) / peak if count else 0
        x, y = left + index * bar_w, top + plot_h - bar_h
        opacity = "1" if low + 1e-9 >= threshold else "0.35"
        parts.append(
            f'<rect x="{_number(x + 0.5)}" y="{_number(y)}" width="{_number(bar_w - 1)}" '
            f'height="{_number(bar_h)}" fill="{colour}" fill-opacity="{opacity}">'
            f"<title>{low:.2f}-{high:.2f}: {count} comments</title></rect>"
        )
    axis_y = top + plot_h
    parts.append(f'<line x1="{left}" y1="{axis_y}" x2="{left + plot_w}" y2="{axis_y}" class="axis"/>')
    for tick in (0, 0.25, 0.5, 0.75, 1.0):
        x = left + tick * plot_w
        parts.append(
            f'<text x="{_number(x)}" y="{axis_y + 14}" class="tick" text-anchor="middle">{tick:g}</text>'
        )
    parts.append(f'<text x="{left - 4}" y="{top + 4}" class="tick" text-anchor="end">{max(counts)}</text>')
    parts.append(f'<text x="{left - 4}" y="{axis_y}" class="tick" text-anchor="end">0</text>')
    threshold_x = left + threshold * plot_w
    parts.append(
        f'<line x1="{_number(threshold_x)}" y1="{top - 4}" x2="{_number(threshold_x)}" y2="{axis_y}" '
        f'class="threshold"><title>threshold {threshold:.2f}</title></line>'
    )
    anchor = "end" if threshold > 0.7 else "start"
    offset = -3 if anchor == "end" else 3
    parts.append(
        f'<text x="{_number(threshold_x + offset)}" y="{top + 6}" class="tick" text-anchor="{anchor}">'
        f"flag at {threshold:.2f}{f' if {escape(only_on)}' if only_on else ''}</text>"
    )
    parts.append("</svg>")
    return Markup("".join(parts))


def flags_per_article(
    rows: Sequence[tuple[str, Mapping[str, int]]], labels: Sequence[str], *, limit: int = 25
) -> Markup:
    """Horizontal stacked bars: flags per label for the ``limit`` articles with most flags.

    ``rows`` pairs an article's display name with its flag count per label. A comment flagged with two
    labels counts once in each, so a bar can be longer than the article's number of flagged comments.
    """
    ranked = sorted(
        ((name, counts) for name, counts in rows if sum(counts.get(label, 0) for label in labels)),
        key=lambda row: -sum(row[1].get(label, 0) for label in labels),
    )[:limit]
    width, row_h, name_w, top = 720, 20, 250, 30
    height = top + row_h * max(1, len(ranked)) + 10
    plot_w = width - name_w - 50
    peak = max((sum(counts.get(label, 0) for label in labels) for _, counts in ranked), default=1)
    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        'xmlns="http://www.w3.org/2000/svg" aria-label="flags per article">'
    ]
    legend_x = name_w
    for label in labels:
        colour = label_colour(label, labels)
        parts.append(f'<rect x="{legend_x}" y="6" width="12" height="12" fill="{colour}"/>')
        parts.append(f'<text x="{legend_x + 16}" y="16" class="tick">{escape(label)}</text>')
        legend_x += 24 + 8 * len(label)
    if not ranked:
        parts.append(
            f'<text x="{name_w}" y="{top + 14}" class="tick">No article has a flagged comment.</text>'
        )
    for row, (name, counts) in enumerate(ranked):
        y = top + row * row_h
        shown = name if len(name) <= 38 else name[:37] + "\u2026"
        parts.append(
            f'<text x="{name_w - 6}" y="{y + 14}" class="tick" text-anchor="end">{escape(shown)}'
            f"<title>{escape(name)}</title></text>"
        )
        x = float(name_w)
        for label in labels:
            count = counts.get(label, 0)
            if not count:
                continue
            bar_w = plot_w * count / peak
            parts.append(
                f'<rect x="{_number(x)}" y="{y + 3}" width="{_number(bar_w)}" height="{row_h - 6}" '
                f'fill="{label_colour(label, labels)}"><title>{escape(label)}: {count}</title></rect>'
            )
            x += bar_w
        total = sum(counts.get(label, 0) for label in labels)
        parts.append(f'<text x="{_number(x + 4)}" y="{y + 14}" class="tick">{total}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
