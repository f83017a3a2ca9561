"""The report's plots: each `Plot` of a section drawn as a PNG with matplotlib (no display needed)."""

from pathlib import Path

from bench.context import Curve, Plot

DPI = 110
SIZE_IN = (7.0, 4.0)


def ecdf(label: str, seconds: list[float]) -> Curve:
    """The empirical distribution of latency samples: x in milliseconds, y the fraction at or below it."""
    ordered = sorted(seconds)
    return Curve(label, [value * 1000 for value in ordered], [(rank + 1) / len(ordered) for rank in range(len(ordered))])


def draw(plot: Plot, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot, ticker

    figure, axes = pyplot.subplots(figsize=SIZE_IN, dpi=DPI)
    try:
        for curve in plot.curves:
            if curve.x:
                axes.plot(curve.x, curve.y, marker="o" if len(curve.x) < 10 else None, markersize=4, label=curve.label)
        for mark in plot.marks:
            line = axes.axvline if mark.axis == "x" else axes.axhline
            line(mark.value, color="grey", linestyle="--", linewidth=1, label=mark.label)
        if plot.x_log:  # few measured points (client counts): ticks at exactly those
            axes.set_xscale("log")
            axes.set_xticks(sorted({x for curve in plot.curves for x in curve.x}))
            axes.xaxis.set_major_formatter(ticker.ScalarFormatter())
            axes.xaxis.set_minor_locator(ticker.NullLocator())
        axes.set_ylim(bottom=0)
        axes.set_title(plot.title, fontsize=10)
        axes.set_xlabel(plot.x_label)
        axes.set_ylabel(plot.y_label)
        axes.grid(True, alpha=0.3)
        axes.legend(fontsize=8)
        figure.tight_layout()
        figure.savefig(path)
    finally:
        pyplot.close(figure)
