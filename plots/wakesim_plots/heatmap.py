"""Heatmaps of a sweep with two or three axes, from its aggregates.csv: a metric's mean at every point,
one column of panels per design (layout in mapgrid.py: x = --x, y = the other axis, one row of panels per
value of a third axis).

  heatmap_<metric>   each metric of --metric (default wakeup.p99); one colour scale for the whole figure,
                     logarithmic when the values span more than a factor of 20; the value in each cell
"""
import math
import re

import numpy as np
from matplotlib.colors import LogNorm

from . import common

DEFAULT_METRIC = "wakeup.p99"
LOG_SPAN = 20


def draw(sweep, layout, out_dir, formats, palette, written, metrics=None):
    """The heatmaps on `layout` (a MapGrid of the sweep)."""
    if not layout.usable:
        return
    for metric in metrics or [DEFAULT_METRIC]:
        _draw_metric(sweep, layout, metric, out_dir, formats, palette, written)


def _draw_metric(sweep, layout, metric, out_dir, formats, palette, written):
    frame = sweep.frame[sweep.frame["metric"] == metric]
    if frame.empty:
        return
    unit = sweep.names.unit(metric) or ""
    divisor, shown = (1.0, common.unit_label(unit))
    if unit == "ns":
        divisor, shown = common.latency_scale(frame["mean"].tolist())
    designs = [d for d in sweep.designs if (frame["design"] == d).any()]
    grids = {}
    for design in designs:
        grid = layout.grid()
        for point, mean in zip(frame[frame["design"] == design]["_point"], frame[frame["design"] == design]["mean"]):
            if point in layout.cells:
                grid[layout.cells[point]] = mean / divisor
        grids[design] = grid
    finite = np.concatenate([g[np.isfinite(g)] for g in grids.values()])
    if finite.size == 0:
        return
    vmin, vmax = float(finite.min()), float(finite.max())
    norm = LogNorm(vmin=vmin, vmax=vmax) if vmin > 0 and vmax / vmin > LOG_SPAN else None
    fig, axes = layout.figure(len(designs))
    image = None
    for r in range(len(layout.rows)):
        for c, design in enumerate(designs):
            ax = axes[r][c]
            grid = grids[design][r]
            if norm is None:
                image = ax.imshow(grid, origin="lower", aspect="auto", cmap="viridis", vmin=vmin, vmax=vmax)
            else:
                image = ax.imshow(grid, origin="lower", aspect="auto", cmap="viridis", norm=norm)
            for (i, j), v in np.ndenumerate(grid):
                if math.isfinite(v):
                    ax.text(j, i, f"{v:.3g}", ha="center", va="center", fontsize=7, color="white")
            layout.style(ax, r, c, len(layout.rows), title=design if r == 0 else None, colour=palette(design))
    fig.colorbar(image, ax=axes.ravel().tolist(), label=f"{metric} mean ({shown})", shrink=0.9, aspect=35)
    fig.suptitle(f"{metric} over {layout.title()}: " + ", ".join(designs))
    common.note(fig, f"source: {sweep.path}")
    safe = re.sub(r"[^A-Za-z0-9_.-]", "_", metric)
    common.save(fig, out_dir, f"heatmap_{safe}", formats, written)
