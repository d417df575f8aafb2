"""Lock wait and hold time distributions per lock class and design. A class is named by its key (rq,
pi_lock, a design's wakeup_vcpus_on_cpu_lock...) in histogram file names and locks.csv alike.

  lock_wait, lock_hold   CCDFs from histograms/DESIGN/lock.<class>.wait.csv / .hold.csv when a run wrote
                         them (one panel per class, one line per design); otherwise bar charts of the
                         p50, p99 and max per class and design from locks.csv's <kind>.p50, <kind>.p99
                         and <kind>.max columns, in the units the registry declares for them (p50/p99
                         averaged over replicates, max over replicates).
"""
import glob
import math
import os

import matplotlib.pyplot as plt
import numpy as np

from . import common
from .ccdf import _decorate, _draw_ccdf

KINDS = {"wait": "wait", "hold": "hold"}


def _histogram_classes(run_dir, kind, names):
    """{class: [(design, frame)]} for the lock.<class>.<kind>.csv histograms the registry declares."""
    found = {}
    for design in common.histogram_designs(run_dir):
        for file in sorted(glob.glob(os.path.join(run_dir, "histograms", design, f"lock.*.{kind}.csv"))):
            stem = os.path.basename(file)[:-len(".csv")]
            if names.histogram(stem) is None:
                continue
            frame = common.read_histogram(file)
            if frame is not None:
                found.setdefault(stem.split(".")[1], []).append((design, frame))
    return found


def _draw_ccdfs(run_dir, kind, classes, out_dir, formats, palette, written, title_suffix):
    names = sorted(classes)
    columns = min(3, len(names))
    rows = math.ceil(len(names) / columns)
    fig, axes = plt.subplots(rows, columns, figsize=(4.5 * columns, 3.8 * rows), squeeze=False)
    for ax, name in zip(axes.flat, names):
        for design, frame in classes[name]:
            _draw_ccdf(ax, frame, palette(design), f"{design} (n={int(frame['count'].sum())})")
        _decorate(ax, f"lock {name}")
        ax.set_xlabel(f"{kind} time (ns)")
        ax.set_ylabel(f"P({kind} > x) (fraction)")
        ax.legend(fontsize=7, loc="lower left")
    for ax in list(axes.flat)[len(names):]:
        ax.set_visible(False)
    designs = common.order_designs(d for v in classes.values() for d, _ in v)
    fig.suptitle(f"Lock {kind} time CCDF per class: " + ", ".join(designs) + title_suffix)
    fig.tight_layout()
    common.note(fig, f"source: {run_dir}/histograms/DESIGN/lock.<class>.{kind}.csv")
    common.save(fig, out_dir, f"lock_{kind}", formats, written)


def _draw_bars(run_dir, kind, table, out_dir, formats, palette, written, names, title_suffix):
    path = os.path.join(run_dir, "locks.csv")
    columns = [f"{kind}.p50", f"{kind}.p99", f"{kind}.max"]
    common.require_columns(table, ["design", "class"] + columns, path)
    declared = names.table_column("locks", columns[0])
    if declared is None:
        raise common.PlotError(f"{path}: column {columns[0]} is not declared in {names.source}")
    unit = declared["unit"]
    per = table.groupby(["design", "class"], sort=False).agg(
        p50=(columns[0], "mean"), p99=(columns[1], "mean"), max=(columns[2], "max"))
    designs = common.order_designs(table["design"])
    classes = list(dict.fromkeys(table["class"]))
    stats = ["p50", "p99", "max"]
    positive = [v for v in per[stats].to_numpy().ravel() if v == v and v > 0]
    fig, axes = plt.subplots(len(stats), 1, figsize=(max(7.0, 1.4 * len(classes) + 3), 8.5), sharex=True)
    width = 0.8 / len(designs)
    x = np.arange(len(classes))
    for ax, stat in zip(axes, stats):
        for i, design in enumerate(designs):
            heights = [per[stat].get((design, c), np.nan) for c in classes]
            ax.bar(x - 0.4 + width * (i + 0.5), heights, width, color=palette(design), label=design)
        ax.set_ylabel(f"{kind} {stat} ({unit})")
        ax.set_yscale("log")
        if positive:
            ax.set_ylim(min(positive) / 2, max(positive) * 3)
        ax.set_title(f"{kind} time {stat}", fontsize=9)
    axes[-1].set_xticks(x)
    axes[-1].set_xticklabels(classes, rotation=20, ha="right", fontsize=8)
    axes[-1].set_xlabel("lock class")
    axes[0].legend(fontsize=8, title="design", bbox_to_anchor=(1.01, 1), loc="upper left")
    fig.suptitle(f"Lock {kind} time per class: " + ", ".join(designs) + title_suffix
                 + "\n(p50, p99: mean over replicates; max: over replicates)", fontsize=10)
    fig.tight_layout()
    common.note(fig, f"source: {path}")
    common.save(fig, out_dir, f"lock_{kind}", formats, written)


def draw(run_dir, out_dir, formats, palette, written, names, title_suffix=""):
    table = None
    path = os.path.join(run_dir, "locks.csv")
    if os.path.isfile(path):
        table = common.read_csv(path)
        if table.empty:
            table = None
    for kind in KINDS:
        classes = _histogram_classes(run_dir, kind, names)
        if classes:
            _draw_ccdfs(run_dir, kind, classes, out_dir, formats, palette, written, title_suffix)
        elif table is not None:
            _draw_bars(run_dir, kind, table, out_dir, formats, palette, written, names, title_suffix)
