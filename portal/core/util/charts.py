"""Small server-side SVG charts: no JavaScript, readable when printed.

Each chart is an ``<svg role="img">`` with an ``aria-label`` summary; the pages
that show one also show the same figures in a table, so nothing depends on
seeing the picture.
"""

from __future__ import annotations

from flask_babel import format_decimal
from markupsafe import Markup, escape

INK, MUTED, FILL, GRID = "#0b5394", "#5f6b7a", "#cfe0f1", "#e6ebf0"


def trend(points, *, label: str, lo: float = 0.0, hi: float = 100.0) -> Markup:
    """A line of ``(tick, value | None, ci | None)`` points on a fixed 0–100
    axis; missing values break the line, a CI draws a shaded bar."""
    width, height, left, bottom, top = 360, 150, 28, 22, 8
    n = max(len(points), 1)
    step = (width - left - 6) / n

    def y(v):
        return top + (height - top - bottom) * (1 - (v - lo) / (hi - lo))

    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(label)}" xmlns="http://www.w3.org/2000/svg">'
    ]
    for v in (25, 50, 75, 100):
        parts.append(
            f'<line x1="{left}" x2="{width - 4}" y1="{y(v):.1f}" y2="{y(v):.1f}" '
            f'stroke="{GRID}"/><text x="{left - 4}" y="{y(v) + 3:.1f}" font-size="9" '
            f'text-anchor="end" fill="{MUTED}">{v}</text>'
        )
    line: list[str] = []
    segments: list[list[str]] = []
    for i, (tick, value, ci) in enumerate(points):
        x = left + step * (i + 0.5)
        parts.append(
            f'<text x="{x:.1f}" y="{height - 6}" font-size="9" text-anchor="middle" '
            f'fill="{MUTED}">{escape(tick)}</text>'
        )
        if value is None:
            if line:
                segments.append(line)
            line = []
            continue
        if ci is not None:
            parts.append(
                f'<rect x="{x - 4:.1f}" y="{y(ci[1]):.1f}" width="8" '
                f'height="{max(y(ci[0]) - y(ci[1]), 1):.1f}" fill="{FILL}"/>'
            )
        parts.append(f'<circle cx="{x:.1f}" cy="{y(value):.1f}" r="3" fill="{INK}"/>')
        line.append(f"{x:.1f},{y(value):.1f}")
    if line:
        segments.append(line)
    for seg in segments:
        if len(seg) > 1:
            parts.append(f'<polyline points="{" ".join(seg)}" fill="none" stroke="{INK}" stroke-width="2"/>')
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every interpolated text is escaped  # nosec B704


def bars(items, *, label: str, maximum: float | None = None) -> Markup:
    """Horizontal bars for ``(name, value)`` pairs, each name above its bar
    (so long unit names fit a phone's width)."""
    items = list(items)
    biggest = maximum if maximum is not None else max((v for _n, v in items), default=0) or 1
    row, width, value_w = 36, 360, 48
    height = row * max(len(items), 1)
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(label)}" xmlns="http://www.w3.org/2000/svg">'
    ]
    for i, (name, value) in enumerate(items):
        y = i * row
        full = width - value_w
        w = full * (value / biggest if biggest else 0)
        parts.append(
            f'<text x="0" y="{y + 12}" font-size="12" fill="#1d2733">{escape(str(name))[:60]}</text>'
            f'<rect x="0" y="{y + 16}" width="{full}" height="14" fill="{GRID}"/>'
            f'<rect x="0" y="{y + 16}" width="{max(w, 0):.1f}" height="14" fill="{INK}"/>'
            f'<text x="{full + 6}" y="{y + 28}" font-size="12" fill="#1d2733">'
            f"{escape(_short(value))}</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every interpolated text is escaped  # nosec B704


def _short(value) -> str:
    return format_decimal(value, format="#,##0" if isinstance(value, int) else "#,##0.0")
