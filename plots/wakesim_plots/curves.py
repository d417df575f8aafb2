"""Curves over a sweep's points, from its aggregates.csv: one panel per metric, each design's mean (one
colour per design) against the x key, with its 95% confidence band.

  percentiles_vs_<x>   wakeup p50, p99, p99.9
  throughput_vs_<x>    wakeups/s, interrupts/s, requests/s
  metrics_vs_<x>       the metrics named with --metric, instead of the two above

x is --x KEY: a swept key (a zipped group is chosen by any of its keys and drawn as categories), or a
derived column such as vms.vcpus_per_pcpu; by default the first axis. Lines: one per design (colour) and
value of the hue key (line style and marker, cycled so that neighbouring values differ and 20 values
differ from each other): --hue KEY, by default the next axis. Every other axis with several values gets
one row of panels per combination of its values.

Scales (--log x|y|xy|none override them): y linear from 0; x as summary.json's "axes" say for it ("log" or
"linear"), else log when the values are positive and span more than a factor of 50. A categorical x axis
is never log.
"""
import itertools

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import MaxNLocator, NullLocator

from . import common, registry
from .sweep import key_unit

LINESTYLES = ["-", "--", ":", "-."]
MARKERS = ["o", "s", "^", "D", "v"]  # 5 markers x 4 styles: 20 distinct lines before a repeat
PERCENTILES = ["wakeup.p50", "wakeup.p99", "wakeup.p999"]
THROUGHPUT = ["wakeups", "interrupts", "requests"]
LOG_CHOICES = ("x", "y", "xy", "none")
LOG_SPAN = 50  # x values spanning more than this factor get a log axis, unless the spec said otherwise


def line_style(i):
    """The line style and marker of the hue key's i-th value."""
    return LINESTYLES[i % len(LINESTYLES)], MARKERS[i % len(MARKERS)]


def scales(axis_scale, xs, categorical, log):
    """(x scale, y scale), each 'log' or 'linear': --log LOG when given, else the sweep axis's declared
    scale, else log for positive x values spanning more than LOG_SPAN."""
    if log is not None:
        return ("log" if "x" in log and not categorical else "linear"), ("log" if "y" in log else "linear")
    if categorical:
        return "linear", "linear"
    if axis_scale in ("log", "linear"):
        return axis_scale, "linear"
    xs = np.asarray(xs, dtype=float)
    xs = xs[np.isfinite(xs)]
    spans = len(xs) and xs.min() > 0 and xs.max() / xs.min() > LOG_SPAN
    return ("log" if spans else "linear"), "linear"


def _numbers_or_positions(values):
    """(per-row x numbers, categories or None) of a column: numbers when every value is one."""
    numeric = pd.to_numeric(values, errors="coerce")
    if len(numeric) and numeric.notna().all():
        return numeric.to_numpy(dtype=float), None
    order = list(dict.fromkeys(values.astype(str)))
    return np.array([order.index(v) for v in values.astype(str)], dtype=float), order


class Dimension:
    """What a key contributes to the curves: per-row values, their order, a label, and the axes it uses."""

    def __init__(self, sweep, key, option):
        frame = sweep.frame
        kind, what = sweep.resolve(key, option)
        self.key = key
        self.scale = None
        self.axis = what if kind == "axis" else None
        self.zipped = kind == "axis" and len(what.keys) > 1
        if kind == "axis":
            axis = what
            self.uses = [axis]
            self.label = axis.axis_label()
            self.name = f"({axis.label_text})" if self.zipped else axis.label_text
            self.labels = axis.labels(frame)
            self.order = axis.values
            self.scale = axis.scale
            if axis.numbers is not None:
                self.xs, self.categories = axis.numbers, None
            else:
                self.xs = np.array([axis.values.index(v) for v in self.labels], dtype=float)
                self.categories = axis.values
        else:
            self.uses = sweep.depends_on(key)
            self.label = f"{key} ({key_unit(key, frame[key].unique())})"
            self.name = key
            self.labels = frame[key].astype(str)
            self.xs, self.categories = _numbers_or_positions(frame[key])
            order = np.argsort(self.xs, kind="stable")
            self.order = list(dict.fromkeys(self.labels.iloc[order]))

    def legend(self, design, value):
        """A line's legend entry: "design, key=value" ("design, (k1, k2)=(v1, v2)" for a zipped group)."""
        return f"{design}, {self.name}=" + (f"({value})" if self.zipped else value)


def _facets(sweep, used):
    """(per-row facet label, facet labels in order) over the varying axes not in `used`; ([""], [""])
    when there are none."""
    rest = [a for a in sweep.varying if all(a is not u for u in used)]
    if not rest:
        return pd.Series([""] * len(sweep.frame), index=sweep.frame.index), [""]
    parts = [(a, a.labels(sweep.frame)) for a in rest]
    labels = parts[0][1].radd(f"{parts[0][0].label_text} = ")
    for a, values in parts[1:]:
        labels = labels + "; " + values.radd(f"{a.label_text} = ")
    present = set(labels)
    order = ["; ".join(f"{a.label_text} = {v}" for a, v in zip(rest, combo))
             for combo in itertools.product(*(a.values for a in rest))]
    return labels, [o for o in order if o in present]


def build(sweep, metrics, ylabel_for, title, palette, x=None, hue=None, log=None):
    """The curves figure of `metrics` (list of (metric, panel title)), or None when there is nothing to draw.
    Returns (figure, x dimension)."""
    frame = sweep.frame
    present = [(m, label) for m, label in metrics if (frame["metric"] == m).any()]
    if not present:
        return None
    units = {m: sweep.names.unit(m) for m, _ in present}
    if None in units.values():
        raise common.PlotError(f"{sweep.path}: {', '.join(m for m, u in units.items() if u is None)} not declared "
                               f"in {sweep.names.source}")
    default_axis = (sweep.varying or sweep.axes)[0]
    xdim = Dimension(sweep, x or default_axis.keys[0], "--x")
    hdim = None
    if hue is not None:
        hdim = Dimension(sweep, hue, "--hue")
        if hdim.key == xdim.key or (hdim.axis is not None and hdim.axis is xdim.axis):
            raise common.PlotError(f"--hue {hue}: the same sweep axis as --x {xdim.key}; choose another key")
    else:
        candidates = [a for a in sweep.varying if all(a is not u for u in xdim.uses)]
        if candidates:
            hdim = Dimension(sweep, candidates[0].keys[0], "--hue")
    used = xdim.uses + (hdim.uses if hdim else [])
    facet_labels, facets = _facets(sweep, used)
    frame = frame.assign(_x=xdim.xs, _hue=hdim.labels if hdim else "", _facet=facet_labels)

    # Latency panels share one time unit (comparable at a glance); the others show their own unit.
    latency = [m for m, _ in present if units[m] == "ns"]
    divisor_ns, unit_ns = common.latency_scale(frame[frame["metric"].isin(latency)]["ci95_high"].tolist())
    xscale, yscale = scales(xdim.scale, xdim.xs, xdim.categories is not None, log)

    ncols, nrows = len(present), len(facets)
    height = 3.5 * nrows + 0.7
    fig, axes = plt.subplots(nrows, ncols, figsize=(4.6 * ncols + 2.2, height), squeeze=False)
    hues = hdim.order if hdim else [""]
    handles = {}
    for r, facet in enumerate(facets):
        for c, (metric, label) in enumerate(present):
            ax = axes[r][c]
            divisor, unit = (divisor_ns, unit_ns) if units[metric] == "ns" else (1.0, common.unit_label(units[metric]))
            rows = frame[(frame["metric"] == metric) & (frame["_facet"] == facet)]
            for design in sweep.designs:
                for i, value in enumerate(hues):
                    sel = rows[(rows["design"] == design) & (rows["_hue"] == value)].sort_values("_x")
                    if sel.empty:
                        continue
                    name = design if not hdim else hdim.legend(design, value)
                    colour = palette(design)
                    style, marker = line_style(i)
                    (line,) = ax.plot(sel["_x"], sel["mean"] / divisor, color=colour, linestyle=style, marker=marker,
                                      markersize=3.5, label=name)
                    ax.fill_between(sel["_x"], sel["ci95_low"] / divisor, sel["ci95_high"] / divisor, color=colour,
                                    alpha=0.15, linewidth=0)
                    handles.setdefault(name, line)
            ax.set_title(label if not facet else f"{label}\n{facet}", fontsize=9 if facet else None)
            ax.set_xlabel(xdim.label)
            ax.set_ylabel(ylabel_for(label, unit) if ylabel_for else f"{metric} ({unit})")
            _x_axis(ax, xdim, xscale)
            if yscale == "log":
                ax.set_yscale("log")
            else:
                ax.set_ylim(bottom=0)
    if handles:
        ordered = [n for n in (hdim.legend(d, v) if hdim else d for d in sweep.designs for v in hues)
                   if n in handles]
        axes[0][-1].legend([handles[n] for n in ordered], ordered, fontsize=7, title="design (mean, 95% CI band)",
                           title_fontsize=7, handlelength=3, bbox_to_anchor=(1.02, 1), loc="upper left",
                           ncol=2 if len(ordered) > 24 else 1)
    fig.suptitle(title.replace("{x}", xdim.name) + ": " + ", ".join(sweep.designs))
    fig.tight_layout(rect=(0, 0, 1, 1 - 0.12 / height))  # room for the title, whatever the number of rows
    common.note(fig, f"source: {sweep.path}")
    return fig, xdim


def _x_axis(ax, xdim, xscale):
    values = np.unique(xdim.xs[np.isfinite(xdim.xs)])
    if xdim.categories is not None:
        ax.set_xticks(range(len(xdim.categories)))
        ax.set_xticklabels(xdim.categories, rotation=30, ha="right", fontsize=8)
        return
    if xscale == "log":
        ax.set_xscale("log")
        if 0 < len(values) <= 12 and values.min() > 0:
            # A few values: ticks at the values themselves, written plainly (1, 2, 4, 8, 16; 3000, 6000).
            ax.set_xticks(values)
            ax.set_xticklabels([f"{v:g}" for v in values], fontsize=8)
            ax.xaxis.set_minor_locator(NullLocator())
    elif len(values) and np.all(np.mod(values, 1) == 0):
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))


def _draw(sweep, metrics, ylabel_for, stem, title, out_dir, formats, palette, written, x, hue, log):
    built = build(sweep, metrics, ylabel_for, title, palette, x, hue, log)
    if built is not None:
        fig, xdim = built
        common.save(fig, out_dir, f"{stem}_{xdim.key}", formats, written)


def draw(sweep, out_dir, formats, palette, written, metrics=None, x=None, hue=None, log=None):
    """The curves figures: percentiles_vs_X and throughput_vs_X, or metrics_vs_X of --metric's list."""
    if not sweep.axes:
        return
    if metrics:
        _draw(sweep, [(m, m) for m in metrics], None, "metrics_vs", ", ".join(metrics) + " vs {x}",
              out_dir, formats, palette, written, x, hue, log)
        return
    percentiles = [(m, registry.stat_label(m.rsplit(".", 1)[1])) for m in PERCENTILES]
    _draw(sweep, percentiles, lambda label, unit: f"wakeup latency {label} ({unit})", "percentiles_vs",
          "Wakeup latency percentiles vs {x}", out_dir, formats, palette, written, x, hue, log)
    _draw(sweep, [(m, m) for m in THROUGHPUT], lambda label, unit: f"{label} ({unit})", "throughput_vs",
          "Throughput vs {x}", out_dir, formats, palette, written, x, hue, log)
