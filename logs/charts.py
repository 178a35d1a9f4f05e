"""Line charts drawn on the server as inline SVG: no scripts, nothing fetched by the browser."""

from __future__ import annotations

import math
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


def _ticks(top: float, count: int = 4) -> list[float]:
    """Gridline values from 0 to a round number at or above the highest value."""
    if top <= 0:
        return [0.0, 1.0]
    raw = top / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(factor * magnitude for factor in (1, 2, 2.5, 5, 10) if factor * magnitude >= raw)
    return [step * index for index in range(count + 1) if step * (index - 1) < top]


def _text(x: float, y: float, text: str, anchor: str = "start") -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="11" fill="currentColor">'
            f"{escape(text)}</text>")


def _grid(ticks: list[float], start: datetime, step: timedelta, count: int, plot_w: float, plot_h: float) -> list[str]:
    """Horizontal gridlines with their values, and four vertical ones with their times."""
    top = ticks[-1]
    parts = []
    for value in ticks:
        y = TOP + plot_h - plot_h * value / top
        parts.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" stroke="currentColor" '
                     f'stroke-opacity="{0.5 if value == 0 else 0.15}"/>')
        parts.append(_text(LEFT - 4, y + 4, _number(value), "end"))
    for quarter in range(5):
        x = LEFT + plot_w * quarter / 4
        moment = start + step * (max(count - 1, 1) * quarter / 4)
        parts.append(f'<line x1="{x:.1f}" y1="{TOP}" x2="{x:.1f}" y2="{TOP + plot_h}" stroke="currentColor" '
                     f'stroke-opacity="{0.5 if quarter == 0 else 0.15}"/>')
        anchor = "start" if quarter == 0 else "end" if quarter == 4 else "middle"
        parts.append(_text(x, TOP + plot_h + 14, _time_label(moment, step), anchor))
    return parts


def _points(label: str, unit: str, colour: str, values: Sequence[float | None], start: datetime, step: timedelta,
            top: float, plot_w: float, plot_h: float) -> list[str]:
    """A dot per known value that says its time and value when pointed at (an SVG title)."""
    count = max(len(values) - 1, 1)
    dots = []
    for index, value in enumerate(values):
        if value is None:
            continue
        x = LEFT + plot_w * index / count
        y = TOP + plot_h - plot_h * value / top
        said = f"{label}, {_time_label(start + step * index, step)}: {_number(value)} {unit}".rstrip()
        dots.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}" fill-opacity="0.6">'
                    f"<title>{escape(said)}</title></circle>")
    return dots


def line_chart(title: str, start: datetime, step: timedelta, series: Sequence[tuple[str, Sequence[float | None]]],
               unit: str = "") -> SafeString:
    """An SVG chart of one or more series sharing the time axis (start, start+step, ...), with
    gridlines, the unit of its values, and each value shown when pointed at."""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    known = [value for _, values in series for value in values if value is not None]
    ticks = _ticks(max(known, default=0))
    top = ticks[-1]
    count = max((len(values) for _, values in series), default=0)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{escape(title)}"><title>{escape(title)}</title>',
        *_grid(ticks, start, step, count, plot_w, plot_h),
    ]
    if unit:
        parts.append(_text(LEFT + 4, TOP + 10, unit))
    for number, (label, values) in enumerate(series):
        colour = COLOURS[number % len(COLOURS)]
        for points in _polylines(values, top, plot_w, plot_h):
            parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="1.5" points="{points}"/>')
        parts.extend(_points(label, unit, colour, values, start, step, top, plot_w, plot_h))
        x = LEFT + number * 150
        parts.append(f'<rect x="{x}" y="{HEIGHT - 14}" width="10" height="10" fill="{colour}"/>'
                     + _text(x + 14, HEIGHT - 5, label))
    parts.append("</svg>")
    return mark_safe("".join(parts))
