"""Tail-latency CCDFs of a single-run directory, one line per design, log-log axes, p99 and p99.9 marked.

  wakeup_ccdf   from histograms/DESIGN/wakeup.csv (blocked-vCPU wakeup latency, merged over replicates)
  path_ccdf     from histograms/DESIGN/path.<path>.csv, one panel per wakeup path present (in the order of
                the registry's {path} values)
"""
import os

import matplotlib.pyplot as plt

from . import common

MARKS = [(0.99, "p99", "o"), (0.999, "p99.9", "s")]


def _draw_ccdf(ax, frame, colour, label):
    xs, ps = common.histogram_ccdf(frame)
    ax.step(xs, ps, where="post", color=colour, label=label, linewidth=1.5)
    for q, _, marker in MARKS:
        if frame["count"].sum() * (1 - q) >= 1:  # the quantile is inside the data, not its maximum
            x = common.histogram_quantile(frame, q)
            ax.plot([x], [1 - q], marker=marker, color=colour, markersize=6, markeredgecolor="black",
                    linestyle="none")


def _decorate(ax, title):
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("latency (ns)")
    ax.set_ylabel("P(latency > x) (fraction)")
    ax.set_title(title)
    for q, name, _ in MARKS:
        ax.axhline(1 - q, color="#888888", linestyle=":", linewidth=0.8)
        ax.annotate(name, xy=(1.0, 1 - q), xycoords=("axes fraction", "data"), xytext=(2, 0),
                    textcoords="offset points", fontsize=8, color="#555555", va="center")


def draw_wakeup(run_dir, out_dir, formats, palette, written, title_suffix=""):
    series = []
    for design in common.histogram_designs(run_dir):
        path = os.path.join(run_dir, "histograms", design, "wakeup.csv")
        if os.path.isfile(path):
            frame = common.read_histogram(path)
            if frame is not None:
                series.append((design, frame))
    if not series:
        return
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for design, frame in series:
        n = int(frame["count"].sum())
        _draw_ccdf(ax, frame, palette(design), f"{design} (n={n})")
    _decorate(ax, "Wakeup latency CCDF: " + ", ".join(d for d, _ in series) + title_suffix)
    ax.plot([], [], marker="o", color="#777777", markeredgecolor="black", linestyle="none", label="p99")
    ax.plot([], [], marker="s", color="#777777", markeredgecolor="black", linestyle="none", label="p99.9")
    ax.legend(fontsize=8, loc="lower left")
    common.note(fig, f"source: {run_dir}/histograms/DESIGN/wakeup.csv")
    common.save(fig, out_dir, "wakeup_ccdf", formats, written)


def draw_paths(run_dir, out_dir, formats, palette, written, names, title_suffix=""):
    paths = {}  # path name -> [(design, frame)], in the registry's path order
    for design in common.histogram_designs(run_dir):
        for name in names.values("path"):
            file = os.path.join(run_dir, "histograms", design, f"path.{name}.csv")
            frame = common.read_histogram(file) if os.path.isfile(file) else None
            if frame is not None:
                paths.setdefault(name, []).append((design, frame))
    if not paths:
        return
    shown = [n for n in names.values("path") if n in paths]
    fig, axes = plt.subplots(1, len(shown), figsize=(4.2 * len(shown), 4), squeeze=False)
    for ax, name in zip(axes[0], shown):
        for design, frame in paths[name]:
            _draw_ccdf(ax, frame, palette(design), f"{design} (n={int(frame['count'].sum())})")
        _decorate(ax, f"path {name}")
        ax.legend(fontsize=7, loc="lower left")
    fig.suptitle("Wakeup latency CCDF by wakeup path" + title_suffix)
    fig.tight_layout()
    common.note(fig, f"source: {run_dir}/histograms/DESIGN/path.*.csv")
    common.save(fig, out_dir, "path_ccdf", formats, written)
