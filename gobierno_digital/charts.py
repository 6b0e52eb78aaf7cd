"""Charts of the plan drawn on the server as inline SVG, the approach of ``sla/charts.py``: no script,
no inline style (the CSP holds), a ``role="img"`` with a title and a text summary; every page also
shows the same figures in a table."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import count

from markupsafe import Markup, escape

from sla.charts import GRID, PRIMARY, SECONDARY

#: one colour per series, distinguishable and at least 3:1 against white (WCAG 1.4.11)
SERIES_COLOURS = ("#004884", "#3366CC", "#A15C00", "#2E7D32", "#6A1B9A")
TEXT = "#333333"
_ids = count(1)


def _number(value: float) -> str:
    return f"{value:.1f}".replace(".", ",")


def _header(title: str, summary: str, width: int, height: int, css: str) -> tuple[str, list[str]]:
    chart_id = f"grafica-gd-{next(_ids)}"
    return chart_id, [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="{css}" role="img" width="100%" '
        f'viewBox="0 0 {width} {height}" preserveAspectRatio="xMinYMin meet" '
        f'aria-labelledby="{chart_id}-t {chart_id}-d">',
        f'<title id="{chart_id}-t">{escape(title)}</title>',
        f'<desc id="{chart_id}-d">{escape(summary or "Sin datos")}</desc>',
    ]


def _legend(parts: list[str], names: Sequence[str], x: int, y: int) -> None:
    for index, name in enumerate(names):
        colour = SERIES_COLOURS[index % len(SERIES_COLOURS)]
        left = x + index * 120
        parts += [
            f'<rect x="{left}" y="{y}" width="12" height="12" fill="{colour}"/>',
            f'<text x="{left + 16}" y="{y + 10}" font-size="12" fill="{TEXT}">{escape(name)}</text>',
        ]


def grouped_bars(title: str, groups: Sequence[tuple[str, Sequence[float | None]]], series: Sequence[str]) -> Markup:
    """Horizontal bars in percent (0–100): one group per label, one bar per series (e.g. per vigencia)."""
    label_width, bar_width, value_width, bar_height = 250, 320, 60, 12
    group_height = max(len(series), 1) * (bar_height + 2) + 10
    height = 30 + max(len(groups), 1) * group_height
    summary = "; ".join(
        f"{label}: "
        + ", ".join(
            f"{name} {_number(v) + ' %' if v is not None else 'sin dato'}" for name, v in zip(series, values, strict=True)
        )
        for label, values in groups
    )
    _, parts = _header(title, summary, label_width + bar_width + value_width, height, "gd-chart")
    _legend(parts, series, label_width, 4)
    parts.append(f'<line x1="{label_width}" y1="22" x2="{label_width}" y2="{height}" stroke="{GRID}"/>')
    for g_index, (label, values) in enumerate(groups):
        top = 26 + g_index * group_height
        short = label if len(label) <= 38 else label[:37] + "…"
        parts.append(
            f'<text x="{label_width - 6}" y="{top + group_height / 2}" text-anchor="end" font-size="12" fill="{TEXT}">{escape(short)}</text>'
        )
        for s_index, value in enumerate(values):
            y = top + s_index * (bar_height + 2)
            width = 0 if value is None else round(bar_width * min(max(value, 0), 100) / 100, 1)
            colour = SERIES_COLOURS[s_index % len(SERIES_COLOURS)]
            text = "—" if value is None else f"{_number(value)} %"
            parts += [
                f'<rect x="{label_width}" y="{y}" width="{width}" height="{bar_height}" fill="{colour}">'
                f"<title>{escape(label)} · {escape(series[s_index])}: {text}</title></rect>",
                f'<text x="{label_width + width + 4}" y="{y + 10}" font-size="10" fill="{SECONDARY}">{text}</text>',
            ]
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704  (every interpolated text is escaped above)


@dataclass(frozen=True)
class CurvePoint:
    label: str
    planned: float
    executed: float | None


def curve_chart(title: str, points: Sequence[CurvePoint]) -> Markup:
    """Planned % vs executed % over time: two lines on a 0–100 % axis, one tick per date."""
    width, height, left, right, top, bottom = 640, 260, 44, 16, 28, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    summary = "; ".join(
        f"{p.label}: programado {_number(p.planned)} %, ejecutado "
        + (f"{_number(p.executed)} %" if p.executed is not None else "sin dato")
        for p in points
    )
    _, parts = _header(title, summary, width, height, "gd-chart")
    _legend(parts, ("Programado", "Ejecutado"), left, 6)
    for tick in range(0, 101, 25):
        y = top + plot_h - plot_h * tick / 100
        parts += [
            f'<line x1="{left}" y1="{y}" x2="{left + plot_w}" y2="{y}" stroke="{GRID}"/>',
            f'<text x="{left - 4}" y="{y + 4}" text-anchor="end" font-size="10" fill="{TEXT}">{tick} %</text>',
        ]
    if points:
        step = plot_w / max(len(points) - 1, 1)

        def xy(index: int, value: float) -> str:
            return f"{left + index * step:.1f},{top + plot_h - plot_h * min(max(value, 0), 100) / 100:.1f}"

        planned = " ".join(xy(i, p.planned) for i, p in enumerate(points))
        executed = " ".join(xy(i, p.executed) for i, p in enumerate(points) if p.executed is not None)
        parts.append(
            f'<polyline points="{planned}" fill="none" stroke="{SERIES_COLOURS[0]}" stroke-width="2" stroke-dasharray="6 3"/>'
        )
        if executed:
            parts.append(f'<polyline points="{executed}" fill="none" stroke="{SERIES_COLOURS[2]}" stroke-width="2.5"/>')
        every = max(1, len(points) // 8)
        for index, point in enumerate(points):
            if index % every == 0 or index == len(points) - 1:
                x = left + index * step
                parts.append(
                    f'<text x="{x:.1f}" y="{top + plot_h + 16}" text-anchor="middle" font-size="10" fill="{TEXT}">{escape(point.label)}</text>'
                )
    parts.append(f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="{PRIMARY}"/>')
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704  (every interpolated text is escaped above)
