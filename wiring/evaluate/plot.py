"""The plot a paper shows: safety against usefulness, one series per protocol, the Pareto
frontier marked. matplotlib is an optional extra (`pip install '.[plot]'`), imported only here."""

from __future__ import annotations

import io


class NoMatplotlib(RuntimeError):
    pass


def plot(series: list[tuple[str, list[tuple[float, float, bool]]]], fmt: str,
         width_in: float = 3.25, joined: bool = True) -> bytes:
    """`series`: (label, [(usefulness, safety, on the frontier)]) in sweep order; `fmt`: svg,
    png or pdf; `joined`: a line through each series (a sweep of one parameter) or markers
    alone (a grid, whose order is no path). The same input gives the same bytes."""
    try:
        import matplotlib
    except ImportError:
        from ..version import install_hint

        raise NoMatplotlib(f"plotting needs matplotlib: {install_hint('plot')} (or "
                           "`pip install -e '.[plot]'` in a checkout)") from None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    with matplotlib.rc_context({"font.size": 7, "svg.hashsalt": "wiring", "svg.fonttype": "none",
                                "axes.spines.top": False, "axes.spines.right": False}):
        figure, axes = plt.subplots(figsize=(width_in, width_in * 0.75))
        markers = "osD^v<>ph*"
        frontier = []
        for index, (label, points) in enumerate(series):
            xs, ys = [p[0] for p in points], [p[1] for p in points]
            axes.plot(xs, ys, marker=markers[index % len(markers)], markersize=3,
                      linewidth=0.8 if joined else 0, label=label)
            frontier += [(x, y) for x, y, best in points if best]
        if frontier:
            frontier.sort()
            axes.plot([x for x, _ in frontier], [y for _, y in frontier], color="black",
                      linestyle="--", linewidth=0.6, label="Pareto frontier", zorder=0)
        axes.set_xlabel("usefulness")
        axes.set_ylabel("safety")
        axes.set_ylim(-0.02, 1.02)
        every = [p[0] for _, points in series for p in points]
        if every and max(every) - min(every) < 0.02:   # one usefulness: show its neighbourhood
            middle = (max(every) + min(every)) / 2
            axes.set_xlim(middle - 0.05, middle + 0.05)
        axes.grid(True, linewidth=0.3, alpha=0.5)
        axes.legend(frameon=False, fontsize=6)
        figure.tight_layout()
        out = io.BytesIO()
        metadata = {"svg": {"Date": None}, "pdf": {"CreationDate": None, "ModDate": None},
                    "png": {"Software": None}}[fmt]
        figure.savefig(out, format=fmt, metadata=metadata, dpi=300)
        plt.close(figure)
    return out.getvalue()
