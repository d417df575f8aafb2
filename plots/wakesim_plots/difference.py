"""Difference maps of a sweep with two or three axes and two or more designs, from summary.json's
paired_differences (per point and metric, each design's difference from the reference over replicates
that share their random numbers, with the two-sided p-value of the paired t-test):

  diff_<metric>   design - reference at every point, one column of panels per design (layout in
                  mapgrid.py); each metric of --metric, by default those of wakeup.p99, wakeup.p999 and
                  sched_in.list_wait.p99 that the sweep has

Colour: RdBu_r centred at 0 with one symmetric scale for the whole figure (blue: the design is lower, which
is better for a latency). Each cell: the difference in a readable unit and relative to the reference's
mean at that point (aggregates.csv). Significance: Holm-Bonferroni over every cell of the figure that has
a p-value (the family is the comparisons the figure shows), alpha 0.05, as wakesim's verdicts do
(sim/stats/hypothesis_test.cpp). A difference that is not significant is hatched grey and reads "n.s."
with its value small; a cell without a test (one replicate) or without a result (a failed point) reads
"–". Points the sweep skipped (its constraint) are empty cells. A directory written before the p-values
existed is drawn without marks, and the footnote says that significance is not available.

Reference: --reference, else summary.json's verdicts.reference, else single-lock. summary.json pairs the
designs with the sweep's reference only; another one needs its summary rewritten (`wakesim sweep SPEC
--out DIR --resume --reference DESIGN` runs nothing new).
"""
import difflib
import math
import re

from matplotlib.patches import Rectangle

from . import common
from .mapgrid import MAX_AXES

DEFAULT_METRICS = ["wakeup.p99", "wakeup.p999", "sched_in.list_wait.p99"]
DEFAULT_REFERENCE = "single-lock"
ALPHA = 0.05
CMAP = "RdBu_r"
HATCH = "////"
HATCH_COLOUR = "#b8b8b8"
MINUS = "\u2212"
DASH = "\u2013"


def holm(ps):
    """Holm-Bonferroni adjusted p-values (None stays None), as wakesim's stats::holm_adjust."""
    order = sorted((i for i, p in enumerate(ps) if p is not None), key=lambda i: ps[i])
    adjusted = [None] * len(ps)
    running = 0.0
    for k, i in enumerate(order):
        running = max(running, min(1.0, (len(order) - k) * ps[i]))
        adjusted[i] = running
    return adjusted


def reference(sweep, requested):
    """The design the maps compare with: --reference (a design of the sweep), the verdicts', single-lock."""
    if requested:
        if requested not in sweep.designs:
            close = difflib.get_close_matches(requested, sweep.designs, n=1, cutoff=0.6)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise common.PlotError(f"--reference {requested}: not a design of {sweep.dir}{hint}; "
                                   f"choose from {', '.join(sweep.designs)}")
        return requested
    return sweep.verdict_reference() or DEFAULT_REFERENCE


def check(sweep, requested_reference):
    """Problems found before any figure is drawn: too many axes, a reference summary.json has no pairs for."""
    pairs = sweep.paired_differences()
    ref = reference(sweep, requested_reference)
    if pairs.empty or len(sweep.designs) < 2:
        return
    if len(sweep.varying) > MAX_AXES:
        raise common.PlotError(
            f"{sweep.dir}: {len(sweep.varying)} sweep axes with several values "
            f"({'; '.join(a.label_text for a in sweep.varying)}); the difference maps show at most {MAX_AXES} "
            "(x, y and one row of panels per value of the third): sweep fewer axes at once")
    if requested_reference and not (pairs["reference"] == ref).any():
        have = ", ".join(sorted(set(pairs["reference"].astype(str))))
        raise common.PlotError(f"--reference {ref}: {sweep.summary_path} pairs the designs with {have} only; "
                               f"`wakesim sweep SPEC --out {sweep.dir} --resume --reference {ref}` rewrites it "
                               "without running anything")


def draw(sweep, layout, out_dir, formats, palette, written, metrics=None, requested_reference=None):
    """The difference maps on `layout` (a MapGrid of the sweep)."""
    pairs = sweep.paired_differences()
    if pairs.empty or len(sweep.designs) < 2 or not layout.usable:
        return
    ref = reference(sweep, requested_reference)
    pairs = pairs[pairs["reference"] == ref]
    for metric in metrics or [m for m in DEFAULT_METRICS if (pairs["metric"] == m).any()]:
        entries = pairs[pairs["metric"] == metric]
        if not entries.empty:
            _draw_metric(sweep, layout, ref, metric, entries, out_dir, formats, palette, written)


def _compact(v):
    """A signed number in three digits, with k or M for large ones and a real minus sign."""
    a = abs(v)
    text = f"{v / 1e6:+.3g}M" if a >= 1e6 else f"{v / 1e3:+.3g}k" if a >= 1e3 else f"{v:+.3g}"
    return text.replace("-", MINUS)


def _percent(r):
    pct = 100 * r
    return (f"{pct:+.0f}%" if abs(pct) >= 10 else f"{pct:+.1f}%").replace("-", MINUS)


class Cell:
    """One design's difference at one point: where it sits, its value (scaled), relative size, p, n."""
    __slots__ = ("r", "i", "j", "design", "value", "relative", "p", "n", "significant")

    def __init__(self, **kw):
        self.significant = None
        for k, v in kw.items():
            setattr(self, k, v)


def _number(v):
    try:
        v = float(v)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def _draw_metric(sweep, layout, ref, metric, entries, out_dir, formats, palette, written):
    designs = [d for d in sweep.designs if d != ref and (entries["design"] == d).any()]
    if not designs:
        return
    with_p = sweep.has_p_values()
    ref_rows = sweep.frame[(sweep.frame["design"] == ref) & (sweep.frame["metric"] == metric)]
    ref_means = dict(zip(ref_rows["_point"], ref_rows["mean"]))
    unit = sweep.names.unit(metric) or (entries["unit"].iloc[0] if "unit" in entries else "")
    divisor, shown = 1.0, common.unit_label(unit)
    if unit == "ns":
        divisor, shown = common.latency_scale([abs(v) for v in entries["mean_difference"] if _number(v) is not None])
    cell_unit = {"ns": f" {shown}", "/s": "/s"}.get(unit, "")

    cells, missing = [], []
    for design in designs:
        rows = entries[entries["design"] == design]
        found = {p: row for p, row in zip(rows["_point"], rows.to_dict("records"))}
        for point, (r, i, j) in layout.cells.items():
            row = found.get(point)
            if row is None:
                missing.append((r, i, j, design))
                continue
            value = _number(row.get("mean_difference"))
            base = _number(ref_means.get(point))
            cells.append(Cell(r=r, i=i, j=j, design=design, n=row.get("n"), p=_number(row.get("p")),
                              value=None if value is None else value / divisor,
                              relative=value / base if value is not None and base else None))
    tested = [c for c in cells if c.p is not None]
    for c, adjusted in zip(tested, holm([c.p for c in tested])):
        c.significant = adjusted < ALPHA
    finite = [abs(c.value) for c in cells if c.value is not None]
    limit = max(finite) if finite and max(finite) > 0 else 1.0

    fig, axes = layout.figure(len(designs))
    grids = {d: layout.grid() for d in designs}
    for c in cells:
        if c.value is not None:
            grids[c.design][c.r, c.i, c.j] = c.value
    image = None
    for r in range(len(layout.rows)):
        for col, design in enumerate(designs):
            ax = axes[r][col]
            image = ax.imshow(grids[design][r], origin="lower", aspect="auto", cmap=CMAP, vmin=-limit, vmax=limit)
            layout.style(ax, r, col, len(layout.rows), title=f"{design} {MINUS} {ref}" if r == 0 else None,
                         colour=palette(design))
    for c in cells:
        _mark(axes[c.r][designs.index(c.design)], c, limit, cell_unit, with_p)
    for r, i, j, design in missing:
        axes[r][designs.index(design)].text(j, i, DASH, ha="center", va="center", fontsize=9, color="#555555")

    fig.colorbar(image, ax=axes.ravel().tolist(), shrink=0.9, aspect=35,
                 label=f"{metric}: design {MINUS} {ref} ({shown})")
    fig.suptitle(f"{metric}: paired difference from {ref} over {layout.title()}")
    common.note(fig, _footnote(tested, cells, ref, with_p) + f"\nsource: {sweep.summary_path}, {sweep.path}")
    safe = re.sub(r"[^A-Za-z0-9_.-]", "_", metric)
    common.save(fig, out_dir, f"diff_{safe}", formats, written)


def _mark(ax, c, limit, cell_unit, with_p):
    """A cell's text: the difference and its relative size; "n.s." over hatching; "–" without a test."""
    if c.value is None:
        ax.text(c.j, c.i, DASH, ha="center", va="center", fontsize=9, color="#555555")
        return
    value = _compact(c.value) + cell_unit
    relative = _percent(c.relative) if c.relative is not None else ""
    dark = abs(c.value) / limit > 0.6
    colour = "white" if dark else "#222222"
    if with_p and c.significant is False:
        ax.add_patch(Rectangle((c.j - 0.5, c.i - 0.5), 1, 1, fill=False, hatch=HATCH, edgecolor=HATCH_COLOUR,
                               linewidth=0))
        ax.text(c.j, c.i + 0.13, "n.s.", ha="center", va="center", fontsize=7, color=colour)
        ax.text(c.j, c.i - 0.17, value, ha="center", va="center", fontsize=5, color=colour)
        return
    if with_p and c.significant is None:  # a difference without a test: one replicate
        ax.text(c.j, c.i + 0.13, value, ha="center", va="center", fontsize=6, color=colour)
        ax.text(c.j, c.i - 0.17, f"{DASH} n={c.n}", ha="center", va="center", fontsize=6, color=colour)
        return
    ax.text(c.j, c.i + 0.13, value, ha="center", va="center", fontsize=6.5, color=colour, fontweight="bold")
    ax.text(c.j, c.i - 0.17, relative, ha="center", va="center", fontsize=6, color=colour)


def _footnote(tested, cells, ref, with_p):
    colour = f"colour: design {MINUS} {ref} (blue: the design is lower)"
    if not with_p:
        return f"significance not available (no p-values in summary.json); {colour}"
    ns = sorted({int(_number(c.n)) for c in tested if _number(c.n) is not None})
    replicates = str(ns[0]) if len(ns) == 1 else f"{ns[0]}{DASH}{ns[-1]}" if ns else "no"
    return (f"paired t-test over {replicates} replicates (common random numbers); Holm-Bonferroni over "
            f"{len(tested)} comparisons in this figure, alpha {ALPHA}; hatched: no significant difference; "
            f"{colour}\n{DASH}: no test (a single replicate) or no result (a failed point); "
            "empty: a point the sweep skipped")
