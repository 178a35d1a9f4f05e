"""Line charts drawn on the server as inline SVG: no scripts, nothing fetched by the browser."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from django.utils import dateformat, timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT = 640, 200
LEFT, RIGHT, TOP, BOTTOM = 48, 8, 10, 40
COLOURS = ("#1f6fd1", "#d1491f", "#2e9d4a", "#8a3fc1")


def _number(value: float) -> str:
    return f"{value:,.0f}" if value >= 10 or value == int(value) else f"{value:.1f}"


def _time_label(moment: datetime, step: timedelta) -> str:
    """In the administrator's time zone, the weekday in its language."""
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return dateformat.format(moment, "H:i" if step < timedelta(hours=1) else "D H:i")


def _polylines(values: Sequence[float | None], top: float, plot_w: float, plot_h: float) -> list[str]:
    """One polyline per run of known values (a gap where no sample was taken)."""
    runs: list[list[str]] = [[]]
    count = max(len(values) - 1, 1)
    for index, value in enumerate(values):
        if value is None:
            if runs[-1]:
                runs.append([])
            continue
        x = LEFT + plot_w * index / count
        y = TOP + plot_h - (plot_h * value / top if top else 0)
        runs[-1].append(f"{x:.1f},{y:.1f}")
    return [" ".join(points) for points in runs if points]


def line_chart(title: str, start: datetime, step: timedelta, series: Sequence[tuple[str, Sequence[float | None]]]
               ) -> SafeString:
    """An SVG chart of one or more series sharing the time axis (start, start+step, ...)."""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    known = [value for _, values in series for value in values if value is not None]
    top = max(known, default=0)
    count = max((len(values) for _, values in series), default=0)
    end = start + step * max(count, 1)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{escape(title)}"><title>{escape(title)}</title>',
        f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{WIDTH - RIGHT}" y2="{TOP + plot_h}" stroke="currentColor" '
        f'stroke-opacity="0.5"/>',
        f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{TOP + plot_h}" stroke="currentColor" stroke-opacity="0.5"/>',
        f'<text x="{LEFT - 4}" y="{TOP + 4}" text-anchor="end" font-size="11" fill="currentColor">'
        f"{_number(top)}</text>",
        f'<text x="{LEFT - 4}" y="{TOP + plot_h}" text-anchor="end" font-size="11" fill="currentColor">0</text>',
        f'<text x="{LEFT}" y="{TOP + plot_h + 14}" font-size="11" fill="currentColor">'
        f"{_time_label(start, step)}</text>",
        f'<text x="{WIDTH - RIGHT}" y="{TOP + plot_h + 14}" text-anchor="end" font-size="11" fill="currentColor">'
        f"{_time_label(end, step)}</text>",
    ]
    for number, (label, values) in enumerate(series):
        colour = COLOURS[number % len(COLOURS)]
        for points in _polylines(values, top, plot_w, plot_h):
            parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="1.5" points="{points}"/>')
        x = LEFT + number * 150
        parts.append(f'<rect x="{x}" y="{HEIGHT - 14}" width="10" height="10" fill="{colour}"/>'
                     f'<text x="{x + 14}" y="{HEIGHT - 5}" font-size="11" fill="currentColor">{escape(label)}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))
