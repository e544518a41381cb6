"""Log axes fitted to their data, and one way of writing their tick labels everywhere.

Plotly's automatic log range keeps a whole decade above and below the data (a loss between 1.5
and 2.2 drawn on 1 to 60 is a flat line) and labels minor ticks ("1, 5, 2, 0.1, 5, 2, 0.01"),
mixing SI suffixes with powers of ten ("10B, 100k, 10μ" beside 10³⁵). Here the range is the
data's, and the ticks are chosen and written by hand:

- an axis spanning two decades or more is labelled at decades only, as powers of ten: 10⁻³ 10⁰;
- one spanning one to three decades at 1, 2 and 5 times each power of ten in it;
- a narrower one at round numbers inside it (1.5 2 2.5), written plainly when they all lie
  from 0.001 to 9999, else all as 2.5×10⁻⁴.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")
MAX_TICKS = 8  # at most this many labelled decades: a wider axis labels every 2nd, 5th, ...
PAD = 0.04  # of the span (in decades), added below and above the data
MIN_SPAN = 0.08  # decades: a flat curve still gets a readable range around it


def positive(values: Iterable) -> np.ndarray:
    """The finite positive numbers among `values` (what a log axis can draw), as float64."""
    array = np.asarray(list(values) if not isinstance(values, np.ndarray) else values, float)
    return array[np.isfinite(array) & (array > 0)]


def curve_extent(values) -> tuple[float, float] | None:
    """(lowest, highest) of one curve's values a log axis can draw; None when there are none."""
    kept = positive(np.asarray(values, dtype=float))
    if not len(kept):
        return None
    return float(kept.min()), float(kept.max())


def log_range(curves: Iterable, include: Iterable[float | None] = ()) -> list[float] | None:
    """[low, high] in decades (log10) that holds every curve and every value of `include` (a
    baseline, a threshold), padded a little; None when nothing is drawn."""
    ends = [e for e in (curve_extent(c) for c in curves) if e is not None]
    points = [e for pair in ends for e in pair] + list(positive([v for v in include if v]))
    if not points:
        return None
    low, high = math.log10(min(points)), math.log10(max(points))
    span = max(high - low, MIN_SPAN)
    middle = (low + high) / 2
    low, high = min(low, middle - span / 2), max(high, middle + span / 2)
    return [low - PAD * span, high + PAD * span]


def log_ticks(low: float, high: float) -> tuple[list[float], list[str]]:
    """Tick values and labels for a log axis whose range is [low, high] in decades."""
    first, last = math.ceil(low - 1e-9), math.floor(high + 1e-9)
    if last - first >= 2:  # three decades or more in view: decades only
        stride = max(1, math.ceil((last - first + 1) / MAX_TICKS))
        exponents = range(math.ceil(first / stride) * stride, last + 1, stride)  # 10⁰ on it
        return [10.0**e for e in exponents], [power_of_ten(e) for e in exponents]
    if high - low >= 1:  # one to three decades: 1, 2 and 5 times each power of ten
        values = [
            m * 10.0**e
            for e in range(first - 1, last + 1)
            for m in (1, 2, 5)
            if low <= math.log10(m * 10.0**e) <= high
        ]
    else:
        values = _round_ticks(10.0**low, 10.0**high)
    if values[0] < 1e-3 or values[-1] >= 1e4:  # one notation on the axis: all as a×10ⁿ
        return values, [scientific(v) for v in values]
    return values, [f"{v:.6g}" for v in values]


def _round_ticks(low: float, high: float) -> list[float]:
    """Four to eight round numbers (1, 2 or 5 times a power of ten apart) between low and high,
    else as many as fit (two at least)."""
    top = math.floor(math.log10(high - low)) + 1
    for fewest in (4, 2):
        for exponent in range(top, top - 4, -1):
            for mantissa in (5, 2, 1):
                step = mantissa * 10.0**exponent
                first, last = math.ceil(low / step), math.floor(high / step)
                ticks = [k * step for k in range(first, last + 1) if k > 0]
                if fewest <= len(ticks) <= MAX_TICKS:
                    return [float(f"{t:.6g}") for t in ticks]
    return [float(f"{low:.3g}"), float(f"{high:.3g}")]


def power_of_ten(exponent: int) -> str:
    """10 to this power, written with superscripts: 10⁻³."""
    return "10" + str(exponent).translate(SUPERSCRIPT)


def scientific(value: float) -> str:
    """A tick value as a power of ten with its factor: 2.5×10⁻⁴, 10⁶."""
    exponent = math.floor(math.log10(abs(value)))
    mantissa = float(f"{value / 10.0**exponent:.3g}")
    head = "" if mantissa == 1 else f"{mantissa:g}×"
    return head + power_of_ten(exponent)


def log_axis(curves: Iterable, include: Iterable[float | None] = ()) -> dict:
    """Plotly axis settings: a log axis fitted to `curves` and `include` (see `log_range`),
    ticked as `log_ticks` says; a bare log axis when there is nothing to draw yet."""
    fitted = log_range(curves, include)
    if fitted is None:
        return dict(type="log", exponentformat="power", dtick=1)
    values, labels = log_ticks(*fitted)
    return dict(type="log", range=fitted, tickmode="array", tickvals=values, ticktext=labels)


def compact(value: float) -> str:
    """A number for a metric tile, at most about seven characters: 4 significant digits from
    0.01 to 99999 (0.9974, 1.523), else a short exponent (9.38e-4, 1.2e7)."""
    if not math.isfinite(value):
        return str(value)
    if value == 0 or 0.01 <= abs(value) < 1000:
        return f"{value:.4g}"
    if 1000 <= abs(value) < 1e5:
        return f"{value:.0f}"
    exponent = math.floor(math.log10(abs(value)))
    mantissa = float(f"{value / 10.0**exponent:.3g}")
    if abs(mantissa) >= 10:  # 9.995e-4 rounds up to 10.0e-4
        mantissa, exponent = mantissa / 10, exponent + 1
    return f"{mantissa:g}e{exponent}"
