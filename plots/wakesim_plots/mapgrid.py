"""The layout the sweep's maps share (heatmap.py, difference.py): cells over two axes of a sweep, x and y,
drawn as categories (one cell per value, the ticks are the values as written; a zipped group's tuples read
"300MB/s, 256KiB"), one row of panels per value of a third axis when there is one, and one column of
panels per design. The figure grows with the grid, so that 8 x-values x 4 y-values x 3 rows x 3 columns
stay legible.

x is --x KEY (a swept key, any key of a zipped group, or a derived column that is a one-to-one function
of one axis, such as vms.vcpus_per_pcpu when vms.count was swept: then its values label that axis);
by default the first axis. y is the first other axis, the rows the remaining one. Only axes with two or
more values count. Cells of points the sweep did not run (skipped by its constraint) stay empty, on the
panel's grey background.
"""
import sys

import matplotlib.pyplot as plt
import numpy as np

from .sweep import key_unit

MAX_AXES = 3
ABSENT = "#e3e3e3"  # panel background: the cells of points the sweep skipped


class MapGrid:
    """Where each point of a sweep sits on the maps: row of panels r, cell (i, j) = (y index, x index)."""

    def __init__(self, sweep, x=None):
        self.sweep = sweep
        varying = sweep.varying
        self.too_many = len(varying) > MAX_AXES
        self.usable = 2 <= len(varying) <= MAX_AXES
        if not self.usable:
            return
        self.x, self.x_ticks, self.x_label, self.x_name = self._x(sweep, x)
        others = [a for a in varying if a is not self.x]
        self.y, self.row = others[0], (others[1] if len(others) > 1 else None)
        self.rows = self.row.values if self.row else [None]
        index = {id(a): n for n, a in enumerate(sweep.axes)}
        self.cells = {}
        for point, labels in sweep.point_labels().items():
            lx, ly = labels[index[id(self.x)]], labels[index[id(self.y)]]
            lr = labels[index[id(self.row)]] if self.row else None
            if lx in self.x.values and ly in self.y.values and lr in self.rows:
                self.cells[point] = (self.rows.index(lr), self.y.values.index(ly), self.x.values.index(lx))

    @staticmethod
    def _x(sweep, key):
        """(axis, tick labels, axis label, name) of the maps' x."""
        default = sweep.varying[0]
        if key is None:
            return default, default.values, default.axis_label(), default.label_text
        kind, what = sweep.resolve(key, "--x")
        if kind == "axis":
            if len(what.values) > 1:
                return what, what.values, what.axis_label(), what.label_text
            reason = "has a single value in this sweep"
        else:
            found = sweep.derived_as_axis(key)
            if found is not None:
                axis, mapping = found
                unit = key_unit(key, list(mapping.values()))
                return axis, [mapping[v] for v in axis.values], f"{key} ({unit})", key
            reason = "is not a one-to-one function of one sweep axis"
        print(f"plot_results.py: note: --x {key} {reason}; the maps use {default.label_text} as x",
              file=sys.stderr)
        return default, default.values, default.axis_label(), default.label_text

    def title(self):
        """"X x Y" or "X x Y x ROWS"."""
        return f"{self.x_name} x {self.y.label_text}" + (f" x {self.row.label_text}" if self.row else "")

    def grid(self):
        """An all-NaN array per row of panels: [row][y][x]."""
        return np.full((len(self.rows), len(self.y.values), len(self.x.values)), np.nan)

    def row_label(self, r):
        return f"{self.row.label_text} = {self.rows[r]}" if self.row else None

    def figure(self, ncols):
        """A figure with len(rows) x ncols panels, sized by the grid."""
        nx, ny, nr = len(self.x.values), len(self.y.values), len(self.rows)
        width = max(2.6, 0.78 * nx + 1.3)
        height = max(2.0, 0.46 * ny + 1.2)
        fig, axes = plt.subplots(nr, ncols, figsize=(width * ncols + 1.8, height * nr + 1.0), squeeze=False,
                                 constrained_layout=True)
        return fig, axes

    def style(self, ax, r, c, nrows, title=None, colour=None):
        """Ticks (the values), labels on the outer panels, the row's value beside its first panel."""
        ax.set_facecolor(ABSENT)
        ax.grid(False)
        ax.set_xticks(range(len(self.x.values)))
        ax.set_yticks(range(len(self.y.values)))
        if r == nrows - 1:
            long = max(len(t) for t in self.x_ticks) > 5
            ax.set_xticklabels(self.x_ticks, rotation=30 if long else 0, ha="right" if long else "center",
                               fontsize=7)
            ax.set_xlabel(self.x_label, fontsize=8)
        else:
            ax.set_xticklabels([])
        if c == 0:
            ax.set_yticklabels(self.y.values, fontsize=7)
            ax.set_ylabel(self.y.axis_label(), fontsize=8)
            if self.row:  # the row's value, just above its first panel (under the design's title)
                ax.annotate(self.row_label(r), xy=(0, 1), xycoords="axes fraction", xytext=(0, 3),
                            textcoords="offset points", ha="left", va="bottom", fontsize=7.5, color="#333333")
        else:
            ax.set_yticklabels([])
        for side in ax.spines.values():
            side.set_visible(False)
        if title:
            ax.set_title(title, color=colour, fontweight="bold", fontsize=9, pad=15 if self.row else 6)
