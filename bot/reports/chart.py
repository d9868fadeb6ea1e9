"""Horizontal bar charts as PNG pictures to read on a phone: names on the left, large type,
one row per name growing the picture downwards. Plain labels and numbers in, bytes out.

matplotlib (Agg canvas, no pyplot and its global state) is imported with this module: import
it where a chart is drawn, not at start-up.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Callable, Sequence
from typing import Any

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

WIDTH_PX, DPI = 1080, 100
HEADER_IN, ROW_IN, MIN_HEIGHT_IN = 2.4, 0.75, 6.0
NAME_WIDTH = 18  # characters per line of a name on the left
FONT, TITLE_FONT, VALUE_FONT = 20, 26, 16
COLORS = ("#4C8BF5", "#2E9E5B", "#F2A93B", "#8E6CCF")
TARGET_LINE: dict[str, Any] = {"color": "#D64545", "linestyle": "--", "linewidth": 3}
Series = tuple[str, Sequence[float]]  # a legend label and one value per name


def chart_png(
    title: str,
    names: Sequence[str],
    series: Sequence[Series],
    *,
    target: float | None = None,
    target_label: str = "",
    axis_label: str = "",
    value_text: Callable[[float], str] = "{:g}%".format,
    limit: float = 100,
) -> bytes:
    """Bars of each series for each name (the first name at the top), values from 0 to
    `limit`, each written at the end of its bar, and the target as a vertical line."""
    height = max(MIN_HEIGHT_IN, HEADER_IN + ROW_IN * len(names))
    figure = Figure(figsize=(WIDTH_PX / DPI, height), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    thickness = 0.8 / max(1, len(series))
    handles: list[Any] = []
    for index, (label, values) in enumerate(series):
        rows = [row - 0.4 + thickness * (index + 0.5) for row in range(len(names))]
        bars = axes.barh(rows, values, height=thickness, label=label, color=_color(index))
        axes.bar_label(bars, [value_text(v) for v in values], padding=4, fontsize=VALUE_FONT)
        handles.append(bars)
    if target is not None:
        handles.append(axes.axvline(target, label=target_label, **TARGET_LINE))
    _dress(axes, names, limit, axis_label)
    figure.legend(  # the title heads the legend: one block above the bars, no overlap
        handles=handles,
        loc="outside upper center",
        ncols=len(handles),
        fontsize=FONT,
        columnspacing=1.2,
        frameon=False,
        title=title,
        title_fontproperties={"size": TITLE_FONT, "weight": "bold"},
    )
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()


def _dress(axes: Axes, names: Sequence[str], limit: float, axis_label: str) -> None:
    """Names on the left, wrapped; the value axis with room for the labels past a full bar."""
    axes.set_yticks(range(len(names)), [textwrap.fill(n, NAME_WIDTH) for n in names])
    axes.set_ylim(len(names) - 0.5, -0.5)  # the first name at the top
    axes.set_xlim(0, limit * 1.15)
    axes.set_xticks([limit * step / 5 for step in range(6)])
    axes.tick_params(labelsize=FONT)
    axes.set_xlabel(axis_label, fontsize=FONT)
    axes.grid(axis="x", alpha=0.3)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)


def _color(index: int) -> str:
    return COLORS[index % len(COLORS)]
