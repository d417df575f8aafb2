"""Figures over a sweep's points, from its aggregates.csv (one row per point x design x metric with the
mean and 95% confidence interval over replicates).

  percentiles_vs_<key>   wakeup p50, p99, p99.9 against the first swept key, 95% CI bands per design
  throughput_vs_<key>    wakeups/s, interrupts/s, requests/s against the first swept key, with bands
  heatmap_<metric>       (two swept keys) the metric over both keys, one panel per design

Metric names are as declared (`wakesim list metrics`); their units come from the registry (metrics.json).

With two swept keys the curves draw one line per value of the second key (line style) when it has at
most four values; otherwise only the heatmap shows the second key.
"""
import math
import os
import re

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import MaxNLocator

from . import common, registry

LINESTYLES = ["-", "--", ":", "-."]
MAX_SECOND_KEY_VALUES = len(LINESTYLES)
PERCENTILES = ["wakeup.p50", "wakeup.p99", "wakeup.p999"]
THROUGHPUT = ["wakeups", "interrupts", "requests"]
DEFAULT_HEATMAP = "wakeup.p99"
_TIME = re.compile(r"^\s*[0-9.eE+-]+\s*(ps|ns|us|µs|ms|s)\s*$")


class Sweep:
    """A sweep directory's aggregates with its swept keys, and how each key maps to an axis."""

    def __init__(self, sweep_dir, names):
        self.dir = sweep_dir
        self.names = names
        path = os.path.join(sweep_dir, "aggregates.csv")
        frame = common.read_csv(path, dtype={"design": str, "metric": str, "unit": str})
        common.require_columns(frame, ["point", "design", "metric", "mean", "ci95_low", "ci95_high"], path)
        self.path = path
        names.check_names(frame["metric"].unique(), path)
        self.frame = frame
        keys = None
        summary = os.path.join(sweep_dir, "summary.json")
        if os.path.isfile(summary):
            keys = common.read_json(summary).get("swept_keys")
        if not keys:
            columns = list(frame.columns)
            keys = [c for c in columns[1:columns.index("design")] if not c.endswith("#value")]
        missing = [k for k in keys if k not in frame.columns]
        if missing:
            raise common.PlotError(f"{path}: no column for swept key(s) {', '.join(missing)}")
        self.keys = keys
        self.designs = common.order_designs(self.frame["design"])

    def check_metric(self, metric):
        """A metric the user named (--metric) must be declared."""
        if metric is not None and self.names.metric(metric) is None:
            raise common.PlotError(f"--metric {metric}: not a metric of {self.dir}{self.names.hint(metric)} "
                                   "(`wakesim list metrics` names them)")

    def axis(self, key):
        """(numeric values per row or None when categorical, tick order of raw values, unit label)."""
        raw = self.frame[key].astype(str)
        helper = f"{key}#value"
        values = None
        if helper in self.frame.columns:
            numeric = pd.to_numeric(self.frame[helper], errors="coerce")
            if numeric.notna().all():
                values = numeric
        if values is None:
            numeric = pd.to_numeric(self.frame[key], errors="coerce")
            if numeric.notna().all():
                values = numeric
        order = list(dict.fromkeys(raw.iloc[np.argsort(values.to_numpy(), kind="stable")] if values is not None
                                   else raw))
        return values, order, key_unit(key, raw.unique())

    def point_values(self):
        """{point: {key: raw value}}."""
        out = {}
        for _, row in self.frame.drop_duplicates("point").iterrows():
            out[row["point"]] = {k: row[k] for k in self.keys}
        return out


def key_unit(key, raw_values):
    """The unit of a swept key's axis, from its name or the way its values are written."""
    text = " ".join(str(v) for v in raw_values)
    if key.endswith("_ns"):
        return "ns"
    if "/s" in text:
        return "per second"
    if raw_values is not None and len(raw_values) and all(_TIME.match(str(v)) for v in raw_values):
        return "time, as configured"
    last = key.rsplit(".", 1)[-1]
    if last in ("count", "vcpus", "pcpus", "sockets", "cores", "threads", "vms", "replicates") or \
            last.endswith("_count") or last.endswith("s_per_pcpu"):
        return "count"
    if "probability" in last or "fraction" in last or "share" in last:
        return "fraction"
    return "value as configured"


def _x(sweep, key):
    values, order, unit = sweep.axis(key)
    if values is not None:
        return values.to_numpy(dtype=float), None, unit
    positions = {v: i for i, v in enumerate(order)}
    return np.array([positions[str(v)] for v in sweep.frame[key]], dtype=float), order, unit


def _curves(sweep, metrics, ylabel_for, stem, title, written, out_dir, formats, palette):
    frame = sweep.frame
    present = [(m, label) for m, label in metrics if (frame["metric"] == m).any()]
    if not present:
        return
    units = {sweep.names.unit(m) for m, _ in present}
    if len(units) != 1 or None in units:
        raise common.PlotError(f"{sweep.path}: {', '.join(m for m, _ in present)} are not declared with one unit "
                               f"in {sweep.names.source}")
    latency = units == {"ns"}
    key = sweep.keys[0]
    xs, categories, xunit = _x(sweep, key)
    frame = frame.assign(_x=xs)
    second = sweep.keys[1] if len(sweep.keys) > 1 else None
    second_values = [None]
    if second is not None:
        second_values = list(dict.fromkeys(frame[second].astype(str)))
        if len(second_values) > MAX_SECOND_KEY_VALUES:
            return  # the heatmap shows this sweep
    divisor, unit = (1.0, common.unit_label(units.pop()))
    if latency:
        divisor, unit = common.latency_scale(frame[frame["metric"].isin([m for m, _ in present])]["ci95_high"]
                                             .tolist())
    fig, axes = plt.subplots(1, len(present), figsize=(4.8 * len(present), 4.2), squeeze=False)
    for ax, (metric, label) in zip(axes[0], present):
        rows = frame[frame["metric"] == metric]
        for design in sweep.designs:
            for i, value in enumerate(second_values):
                sel = rows[rows["design"] == design]
                if value is not None:
                    sel = sel[sel[second].astype(str) == value]
                sel = sel.sort_values("_x")
                if sel.empty:
                    continue
                name = design if value is None else f"{design}, {second}={value}"
                colour = palette(design)
                ax.plot(sel["_x"], sel["mean"] / divisor, color=colour, linestyle=LINESTYLES[i], marker="o",
                        markersize=3.5, label=name)
                ax.fill_between(sel["_x"], sel["ci95_low"] / divisor, sel["ci95_high"] / divisor, color=colour,
                                alpha=0.18, linewidth=0)
        ax.set_title(label)
        ax.set_xlabel(f"{key} ({xunit})")
        ax.set_ylabel(ylabel_for(label, unit))
        if categories is not None:
            ax.set_xticks(range(len(categories)))
            ax.set_xticklabels(categories, rotation=30, ha="right", fontsize=8)
        elif len(xs) and xs.min() > 0 and xs.max() / xs.min() > 50:
            ax.set_xscale("log")
        ax.set_ylim(bottom=0)
        if categories is None and len(xs) and np.all(np.mod(xs, 1) == 0):
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes[0][-1].legend(fontsize=7, title="design (mean, 95% CI band)", title_fontsize=7, handlelength=3,
                       bbox_to_anchor=(1.02, 1), loc="upper left")
    fig.suptitle(title + ": " + ", ".join(sweep.designs))
    fig.tight_layout()
    common.note(fig, f"source: {sweep.path}")
    common.save(fig, out_dir, f"{stem}_{key}", formats, written)


def draw_percentiles(sweep, out_dir, formats, palette, written):
    metrics = [(m, registry.stat_label(m.rsplit(".", 1)[1])) for m in PERCENTILES]
    _curves(sweep, metrics, lambda label, unit: f"wakeup latency {label} ({unit})", "percentiles_vs",
            f"Wakeup latency percentiles vs {sweep.keys[0]}", written, out_dir, formats, palette)


def draw_throughput(sweep, out_dir, formats, palette, written):
    _curves(sweep, [(m, m) for m in THROUGHPUT], lambda label, unit: f"{label} ({unit})", "throughput_vs",
            f"Throughput vs {sweep.keys[0]}", written, out_dir, formats, palette)


def draw_heatmap(sweep, out_dir, formats, palette, written, metric=DEFAULT_HEATMAP):
    if len(sweep.keys) != 2:
        return
    frame = sweep.frame[sweep.frame["metric"] == metric]
    if frame.empty:
        return
    kx, ky = sweep.keys
    _, xorder, xunit = sweep.axis(kx)
    _, yorder, yunit = sweep.axis(ky)
    unit = sweep.names.unit(metric) or ""
    divisor, shown = (1.0, common.unit_label(unit))
    if unit == "ns":
        divisor, shown = common.latency_scale(frame["mean"].tolist())
    designs = [d for d in sweep.designs if (frame["design"] == d).any()]
    grids = {}
    for design in designs:
        grid = np.full((len(yorder), len(xorder)), np.nan)
        for _, row in frame[frame["design"] == design].iterrows():
            grid[yorder.index(str(row[ky])), xorder.index(str(row[kx]))] = row["mean"] / divisor
        grids[design] = grid
    finite = np.concatenate([g[np.isfinite(g)] for g in grids.values()])
    if finite.size == 0:
        return
    vmin, vmax = float(finite.min()), float(finite.max())
    norm = None
    if vmin > 0 and vmax / vmin > 20:
        from matplotlib.colors import LogNorm
        norm = LogNorm(vmin=vmin, vmax=vmax)
    fig, axes = plt.subplots(1, len(designs), figsize=(0.9 * len(xorder) * len(designs) + 3, 0.6 * len(yorder) + 3),
                             squeeze=False, constrained_layout=True)
    image = None
    for ax, design in zip(axes[0], designs):
        grid = grids[design]
        if norm is None:
            image = ax.imshow(grid, origin="lower", aspect="auto", cmap="viridis", vmin=vmin, vmax=vmax)
        else:
            image = ax.imshow(grid, origin="lower", aspect="auto", cmap="viridis", norm=norm)
        for (i, j), v in np.ndenumerate(grid):
            if math.isfinite(v):
                ax.text(j, i, f"{v:.3g}", ha="center", va="center", fontsize=7, color="white")
        ax.set_xticks(range(len(xorder)))
        ax.set_xticklabels(xorder, rotation=30, ha="right", fontsize=8)
        ax.set_yticks(range(len(yorder)))
        ax.set_yticklabels(yorder, fontsize=8)
        ax.set_xlabel(f"{kx} ({xunit})")
        ax.set_ylabel(f"{ky} ({yunit})")
        ax.set_title(design, color=palette(design), fontweight="bold")
        ax.grid(False)
    fig.colorbar(image, ax=list(axes[0]), label=f"{metric} mean ({shown})")
    fig.suptitle(f"{metric} over {kx} x {ky}: " + ", ".join(designs))
    common.note(fig, f"source: {sweep.path}")
    safe = re.sub(r"[^A-Za-z0-9_.-]", "_", metric)
    common.save(fig, out_dir, f"heatmap_{safe}", formats, written)
