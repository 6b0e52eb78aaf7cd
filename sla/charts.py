"""Charts drawn on the server as inline SVG: no script, no inline style, so the CSP (script-src
'self', style-src 'self') holds and nothing comes from a CDN. Each chart is an image with a text
alternative (its title and a summary); the page shows the same figures in a table next to it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import count

from markupsafe import Markup, escape

PRIMARY = "#3366CC"
SECONDARY = "#004884"
WARNING = "#A15C00"
GRID = "#D9DEE3"
_ids = count(1)


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None
    text: str
    highlight: bool = False


def bar_chart(title: str, bars: Sequence[Bar], *, maximum: float | None = None, unit: str = "") -> Markup:
    """A horizontal bar chart as accessible SVG (``role="img"``, ``<title>`` and ``<desc>``)."""
    chart_id = f"grafica-{next(_ids)}"
    label_width, bar_width, value_width, row_height = 230, 300, 90, 24
    height = max(len(bars), 1) * row_height + 10
    top = maximum if maximum is not None else max([b.value or 0 for b in bars] + [1])
    summary = "; ".join(f"{b.label}: {b.text}" for b in bars) or "Sin datos"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="ans-chart" role="img" width="100%" '
        f'viewBox="0 0 {label_width + bar_width + value_width} {height}" preserveAspectRatio="xMinYMin meet" '
        f'aria-labelledby="{chart_id}-t {chart_id}-d">',
        f'<title id="{chart_id}-t">{escape(title)}</title>',
        f'<desc id="{chart_id}-d">{escape(summary)}</desc>',
        f'<line x1="{label_width}" y1="0" x2="{label_width}" y2="{height - 5}" stroke="{GRID}"/>',
    ]
    for index, bar in enumerate(bars):
        y = 5 + index * row_height
        width = 0 if not bar.value or top <= 0 else round(bar_width * min(bar.value / top, 1), 1)
        label = bar.label if len(bar.label) <= 34 else bar.label[:33] + "…"
        parts += [
            f'<text x="{label_width - 6}" y="{y + 15}" text-anchor="end" font-size="12" fill="#333333">{escape(label)}</text>',
            f'<rect x="{label_width}" y="{y + 3}" width="{width}" height="16" fill="{WARNING if bar.highlight else PRIMARY}">'
            f"<title>{escape(bar.label)}: {escape(bar.text)}</title></rect>",
            f'<text x="{label_width + width + 6}" y="{y + 15}" font-size="12" fill="{SECONDARY}">{escape(bar.text)}{escape(unit)}</text>',
        ]
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704  (every interpolated text is escaped above)
