"""Percentiles and summaries of latency samples (seconds in, milliseconds out)."""

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass


def percentile(values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile of `values` (`fraction` from 0 to 1); NaN when there are none."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


@dataclass(frozen=True)
class Summary:
    count: int
    p50_ms: float
    p99_ms: float
    max_ms: float
    mean_ms: float


def summarize(seconds: Sequence[float]) -> Summary:
    if not seconds:
        return Summary(0, math.nan, math.nan, math.nan, math.nan)
    return Summary(
        count=len(seconds),
        p50_ms=percentile(seconds, 0.50) * 1000,
        p99_ms=percentile(seconds, 0.99) * 1000,
        max_ms=max(seconds) * 1000,
        mean_ms=sum(seconds) / len(seconds) * 1000,
    )


def ms(value: float, digits: int = 1) -> str:
    return "n/a" if math.isnan(value) else f"{value:.{digits}f}"


def ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator else math.nan


def cpu_cells(runs: dict[str, list[float]], anchors: Sequence[str]) -> list[str] | None:
    """Table cells of CPU time per request, elbd's runs against each anchor's (round by round): elbd's
    median, then each anchor's median and the median of the rounds' ratios; None unless all were measured."""
    if not runs.get("elbd") or not all(runs.get(anchor) for anchor in anchors):
        return None
    cells = [f"{statistics.median(runs['elbd']):.1f}"]
    for anchor in anchors:
        rounds = [ratio(mine, theirs) for mine, theirs in zip(runs["elbd"], runs[anchor])]
        cells += [f"{statistics.median(runs[anchor]):.1f}", f"{statistics.median(rounds):.2f}"]
    return cells
