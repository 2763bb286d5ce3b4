"""PNG charts of live statistics, readable on a phone: answers per day, drop-off per question.

Implements ``surveys.ports.ChartRenderer`` with matplotlib's Agg canvas on a ``Figure`` of its
own (never pyplot, whose global state is not safe between concurrent updates). matplotlib is
imported on first use: importing it costs about a second, and most updates draw nothing.

Readability: 1000×600 pixels (taller for long surveys), large type, the Okabe–Ito palette
(distinguishable with every common colour-vision deficiency) on white, figures printed on the
bars. Deterministic: the same input gives the same bytes (no software version or date in the
PNG metadata, bundled DejaVu fonts, no randomness), so tests and caches can compare them.
Every text arrives translated in the chart record; nothing here knows a language.
"""

from __future__ import annotations

import io
import threading
from typing import TYPE_CHECKING, Any, Literal

from surveys.stats import DailyChart, DropOffChart

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

WIDTH_INCHES, HEIGHT_INCHES, DPI = 10.0, 6.0, 100
BLUE, ORANGE, VERMILLION, GREEN = "#0072B2", "#E69F00", "#D55E00", "#009E73"
SERIES_COLOURS = (BLUE, ORANGE, GREEN)
TEXT_COLOUR = "#1A1A1A"
GRID_COLOUR = "#D0D0D0"
MAX_LABEL = 30  # characters of a question shown on the drop-off chart
_STYLE: Any = {
    "font.family": "DejaVu Sans",
    "font.size": 16,
    "axes.titlesize": 20,
    "axes.labelsize": 16,
    "xtick.labelsize": 14,
    "ytick.labelsize": 14,
    "legend.fontsize": 14,
    "text.color": TEXT_COLOUR,
    "axes.labelcolor": TEXT_COLOUR,
    "xtick.color": TEXT_COLOUR,
    "ytick.color": TEXT_COLOUR,
    "svg.hashsalt": "ascolto",
}


# rc_context changes matplotlib's process-wide settings for the duration of a drawing, so two
# drawings (the bot renders in worker threads) take turns.
_DRAWING = threading.Lock()


def _figure(height: float = HEIGHT_INCHES) -> Figure:
    from matplotlib.figure import Figure

    # Constrained layout keeps long labels and the legend inside the picture.
    return Figure(figsize=(WIDTH_INCHES, height), dpi=DPI, facecolor="white", layout="constrained")


def _png(figure: Figure) -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(figure)
    buffer = io.BytesIO()
    # metadata={"Software": None}: no matplotlib version in the file, so bytes are stable.
    figure.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return buffer.getvalue()


def _empty(axes: Axes, text: str) -> None:
    axes.set_axis_off()
    axes.text(0.5, 0.5, text, ha="center", va="center", fontsize=18, transform=axes.transAxes)


def _tidy(axes: Axes, grid_axis: Literal["x", "y"]) -> None:
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    axes.grid(axis=grid_axis, color=GRID_COLOUR, linewidth=1)
    axes.set_axisbelow(True)


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_LABEL else text[: MAX_LABEL - 1].rstrip() + "…"


class MatplotlibCharts:
    """``ChartRenderer`` with matplotlib; a process-wide instance is fine (no state)."""

    def daily(self, chart: DailyChart) -> bytes:
        from matplotlib import rc_context

        with _DRAWING, rc_context(_STYLE):
            figure = _figure()
            axes = figure.add_subplot()
            axes.set_title(chart.title, loc="left", pad=14)
            if not chart.days or not chart.series:
                _empty(axes, chart.empty_text)
                return _png(figure)
            _daily_bars(axes, chart)
            return _png(figure)

    def drop_off(self, chart: DropOffChart) -> bytes:
        from matplotlib import rc_context

        rows = len(chart.questions)
        height = max(HEIGHT_INCHES, 1.8 + 0.5 * rows)
        with _DRAWING, rc_context(_STYLE):
            figure = _figure(height)
            axes = figure.add_subplot()
            axes.set_title(chart.title, loc="left", pad=14)
            if not rows:
                _empty(axes, chart.empty_text)
                return _png(figure)
            _drop_off_bars(axes, chart)
            return _png(figure)


def _daily_bars(axes: Axes, chart: DailyChart) -> None:
    from matplotlib.ticker import MaxNLocator

    days = list(chart.days)
    positions = list(range(len(days)))
    count = len(chart.series)
    width = 0.8 / count
    peak = 0
    for index, (label, values) in enumerate(chart.series):
        offsets = [p - 0.4 + width * (index + 0.5) for p in positions]
        colour = SERIES_COLOURS[index % len(SERIES_COLOURS)]
        bars = axes.bar(offsets, list(values), width=width, color=colour, label=label)
        peak = max(peak, *values)
        if len(days) <= 16:  # room for the figure on each bar
            axes.bar_label(bars, labels=[str(v) if v else "" for v in values], padding=3)
    step = max(1, -(-len(days) // 12))  # at most about 12 date labels
    axes.set_xticks(positions[::step], [d.strftime(chart.day_format) for d in days[::step]])
    axes.set_ylabel(chart.y_label)
    axes.set_ylim(0, max(1, peak) * 1.15)
    # Room for at least a week of bars, so one day is not a wall of colour.
    spare = max(0, 7 - len(days)) / 2
    axes.set_xlim(-0.6 - spare, len(days) - 0.4 + spare)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    if count > 1:
        axes.figure.legend(frameon=False, loc="outside lower center", ncols=count)
    _tidy(axes, "y")


def _drop_off_bars(axes: Axes, chart: DropOffChart) -> None:
    from matplotlib.ticker import MaxNLocator

    labels = [_short(q) for q in chart.questions]
    positions = list(range(len(labels)))
    answered, stopped = list(chart.answered), list(chart.stopped)
    axes.barh(positions, answered, color=BLUE, label=chart.answered_label, height=0.7)
    bars: Any = axes.barh(
        positions,
        stopped,
        left=answered,
        color=VERMILLION,
        label=chart.stopped_label,
        height=0.7,
        hatch="//",  # a second cue besides colour
        edgecolor="white",
    )
    totals = [a + s for a, s in zip(answered, stopped, strict=True)]
    axes.bar_label(
        bars,
        labels=[f"{t}" + (f" (−{s})" if s else "") for t, s in zip(totals, stopped, strict=True)],
        padding=4,
    )
    axes.set_yticks(positions, labels)
    axes.invert_yaxis()  # the first question on top, as in the survey
    axes.set_xlabel(chart.x_label)
    axes.set_xlim(0, max(1, *totals) * 1.25)
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    # Below the bars, where it can hide none of them.
    axes.figure.legend(frameon=False, loc="outside lower center", ncols=2)
    _tidy(axes, "x")
