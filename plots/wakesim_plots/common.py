"""Shared by every figure module: the design colours, reading results files, saving figures. Metric names
and units come from the results directory's metrics.json (registry.py).

Every figure gives each design the same colour: single-lock, split-lock and rcu-list have fixed colours;
any other design gets the next colour of a stable palette, in sorted order of the other names present in
the results directory (so the mapping is the same in every figure drawn from one directory).
"""
import json
import math
import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (the backend is chosen first)
import pandas as pd  # noqa: E402

# Text stays text in SVG output (greppable labels); the hash salt and dates keep SVGs reproducible.
matplotlib.rcParams.update({
    "svg.fonttype": "none",
    "svg.hashsalt": "wakesim",
    "figure.dpi": 100,
    "savefig.dpi": 120,
    "axes.grid": True,
    "grid.alpha": 0.3,
})

FIXED_COLOURS = {
    "single-lock": "#1f77b4",  # blue
    "split-lock": "#ff7f0e",   # orange
    "rcu-list": "#2ca02c",     # green
}
OTHER_PALETTE = ["#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
                 "#393b79", "#637939", "#8c6d31", "#843c39", "#7b4173"]
SHIPPED_ORDER = ["single-lock", "split-lock", "rcu-list"]

class PlotError(Exception):
    """A user-facing problem with the input (printed as one line, exit status 2)."""


class Palette:
    """The colour of each design, fixed for one results directory."""

    def __init__(self, designs):
        others = sorted({d for d in designs if d not in FIXED_COLOURS})
        self.colours = dict(FIXED_COLOURS)
        for i, d in enumerate(others):
            self.colours[d] = OTHER_PALETTE[i % len(OTHER_PALETTE)]

    def __call__(self, design):
        return self.colours.get(design, "#000000")


def order_designs(designs):
    """Shipped designs first in their usual order, then the others sorted; duplicates removed."""
    designs = list(dict.fromkeys(designs))
    return [d for d in SHIPPED_ORDER if d in designs] + sorted(d for d in designs if d not in SHIPPED_ORDER)


def read_json(path):
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        raise PlotError(f"{path}: cannot read JSON: {e}") from None


def read_csv(path, **kwargs):
    try:
        return pd.read_csv(path, **kwargs)
    except (OSError, ValueError, pd.errors.ParserError) as e:
        raise PlotError(f"{path}: cannot read CSV: {e}") from None


def require_columns(frame, columns, path):
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise PlotError(f"{path}: missing column(s) {', '.join(missing)}")


def unit_label(unit):
    """A unit as written on an axis."""
    return {"/s": "per second", "": "value"}.get(unit, unit)


def summary_aggregates(run_dir):
    """summary.json's aggregates of a single-run directory as a DataFrame (None when absent)."""
    path = os.path.join(run_dir, "summary.json")
    if not os.path.isfile(path):
        return None
    doc = read_json(path)
    rows = doc.get("aggregates") or []
    if not rows:
        return None
    frame = pd.DataFrame(rows)
    require_columns(frame, ["design", "metric", "mean"], path)
    return frame


def histogram_designs(run_dir):
    """Designs that have a histograms/DESIGN/ folder, in display order."""
    root = os.path.join(run_dir, "histograms")
    if not os.path.isdir(root):
        return []
    return order_designs(d for d in os.listdir(root) if os.path.isdir(os.path.join(root, d)))


def read_histogram(path):
    """A histogram CSV (lower_ns, upper_ns, count) with empty buckets dropped; None if it has no samples."""
    frame = read_csv(path)
    require_columns(frame, ["lower_ns", "upper_ns", "count"], path)
    frame = frame[frame["count"] > 0].sort_values("lower_ns")
    if frame.empty:
        return None
    return frame


def histogram_ccdf(frame):
    """(x, p): P(latency > x) at each bucket's upper bound, starting at 1 at the first bucket's lower bound.

    The point with p == 0 (past the largest sample) is left out: the figures use a log probability axis.
    """
    counts = frame["count"].to_numpy(dtype=float)
    total = counts.sum()
    above = total - counts.cumsum()
    xs = [max(float(frame["lower_ns"].iloc[0]), 1e-3)] + list(frame["upper_ns"].astype(float))
    ps = [1.0] + list(above / total)
    keep = [(x, p) for x, p in zip(xs, ps) if p > 0]
    return [x for x, _ in keep], [p for _, p in keep]


def histogram_quantile(frame, q):
    """The q-quantile of a bucketed histogram, interpolated linearly inside the bucket."""
    counts = frame["count"].to_numpy(dtype=float)
    total = counts.sum()
    target = q * total
    cumulative = 0.0
    for (lo, hi), c in zip(zip(frame["lower_ns"], frame["upper_ns"]), counts):
        if cumulative + c >= target:
            return float(lo) + (float(hi) - float(lo)) * ((target - cumulative) / c if c else 0.0)
        cumulative += c
    return float(frame["upper_ns"].iloc[-1])


def latency_scale(values_ns):
    """(divisor, unit label) that shows nanosecond values readably."""
    finite = [abs(v) for v in values_ns if v is not None and math.isfinite(v)]
    top = max(finite) if finite else 0.0
    if top >= 1e6:
        return 1e6, "ms"
    if top >= 1e3:
        return 1e3, "µs"
    return 1.0, "ns"


# Without dates the same figure gives the same bytes: SVG (with svg.hashsalt) and PDF are reproducible.
_METADATA = {"svg": {"Date": None}, "pdf": {"CreationDate": None, "ModDate": None}}


def save(fig, out_dir, stem, formats, written):
    """Writes the figure in each format, names each file on stdout as it is written (so a long plot shows
    its progress), appends the paths to written and closes it."""
    os.makedirs(out_dir, exist_ok=True)
    for fmt in formats:
        path = os.path.join(out_dir, f"{stem}.{fmt}")
        fig.savefig(path, format=fmt, bbox_inches="tight", metadata=_METADATA.get(fmt))
        written.append(path)
        print(path, flush=True)
    plt.close(fig)


def legend_outside(ax, **kwargs):
    handles, labels = ax.get_legend_handles_labels()
    if handles:
        ax.legend(handles, labels, **kwargs)


def note(fig, text):
    """A small caption under the figure (where the data came from)."""
    fig.text(0.01, -0.02, text, fontsize=7, color="#555555", ha="left", va="top")
