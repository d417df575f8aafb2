"""A sweep directory's data, for the figures in curves.py, heatmap.py and difference.py: aggregates.csv
(one row per point x design x metric with the mean and 95% confidence interval over replicates), the
sweep's axes, and summary.json (paired differences, the verdicts' reference, the points' values).

Axes: summary.json's "axes" lists the sweep's axes in spec order, each with its keys (several for a
zipped group, whose keys move together: one value of the axis is a tuple, labelled "300MB/s, 256KiB")
and its scale ("log", "linear" or null when the spec did not say). A directory written before "axes"
existed gets one axis per swept key, without a scale. Only axes with two or more values shape a figure.

A figure can also be drawn against a derived column (derived_keys, such as vms.vcpus_per_pcpu: the ratio a
point achieved, written whether or not it was swept).

Points are numbered as in summary.json (0, 1, ...); aggregates.csv may write them that way or as pNNNN.
"""
import difflib
import os
import re

import numpy as np
import pandas as pd

from . import common

_TIME = re.compile(r"^\s*[0-9.eE+-]+\s*(ps|ns|us|µs|ms|s)\s*$")


def point_index(value):
    """A point's number from 3, "3" or "p0003"."""
    text = str(value).strip()
    try:
        return int(text[1:] if text[:1] == "p" else text)
    except ValueError:
        raise common.PlotError(f"point {value!r}: not a point number") from None


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


class Axis:
    """One axis of the sweep: its keys (one, or a zipped group), scale, and values in order.

    values  the axis's values as labelled (a zipped group's joined with ", "), in numeric order for a
            numeric single key, else in the order of the points (spec order)
    numbers per frame row, the plain number of a single numeric key (its KEY#value column, else the
            value itself); None for a zipped group or a non-numeric key
    """

    def __init__(self, keys, scale, frame):
        self.keys = list(keys)
        self.scale = scale if scale in ("log", "linear") else None
        self.label_text = ", ".join(self.keys)
        self.numbers = None
        if len(self.keys) == 1:
            key = self.keys[0]
            for column in (f"{key}#value", key):
                if column in frame.columns:
                    numeric = pd.to_numeric(frame[column], errors="coerce")
                    if len(numeric) and numeric.notna().all():
                        self.numbers = numeric.to_numpy(dtype=float)
                        break
        labels = self.labels(frame)
        if self.numbers is not None:
            order = np.argsort(self.numbers, kind="stable")
            self.values = list(dict.fromkeys(labels.iloc[order]))
        else:
            self.values = list(dict.fromkeys(labels))
        raw = frame[self.keys[0]].astype(str).unique() if len(self.keys) == 1 else []
        self.unit = key_unit(self.keys[0], raw) if len(self.keys) == 1 else None

    def labels(self, frame):
        """Each row's value of this axis, as labelled."""
        parts = [frame[k].astype(str) for k in self.keys]
        out = parts[0]
        for p in parts[1:]:
            out = out + ", " + p
        return out

    def axis_label(self):
        return f"{self.label_text} ({self.unit})" if self.unit else self.label_text


class Sweep:
    """A sweep directory's aggregates, axes, derived columns and summary.json."""

    def __init__(self, sweep_dir, names):
        self.dir = sweep_dir
        self.names = names
        path = os.path.join(sweep_dir, "aggregates.csv")
        # Everything as written (a key's values label the figures), then the numbers as numbers.
        frame = common.read_csv(path, dtype=str, keep_default_na=False)
        common.require_columns(frame, ["point", "design", "metric", "mean", "ci95_low", "ci95_high"], path)
        for column in [c for c in frame.columns if c in ("n", "mean", "ci95_low", "ci95_high")]:
            frame[column] = pd.to_numeric(frame[column], errors="coerce")
        self.path = path
        names.check_names(frame["metric"].unique(), path)
        summary_path = os.path.join(sweep_dir, "summary.json")
        self.summary = common.read_json(summary_path) if os.path.isfile(summary_path) else {}
        self.summary_path = summary_path
        columns = list(frame.columns)
        keys = self.summary.get("swept_keys")
        key_columns = [c for c in columns[1:columns.index("design")] if not c.endswith("#value")]
        if not keys:
            keys = key_columns
        missing = [k for k in keys if k not in frame.columns]
        if missing:
            raise common.PlotError(f"{path}: no column for swept key(s) {', '.join(missing)}")
        self.keys = list(keys)
        derived = self.summary.get("derived_keys")
        if derived is None:
            derived = [c for c in key_columns if c not in self.keys]
        self.derived = [k for k in derived if k in frame.columns and k not in self.keys]
        frame = frame.assign(_point=[point_index(p) for p in frame["point"]])
        self.frame = frame.sort_values("_point", kind="stable").reset_index(drop=True)
        self.designs = common.order_designs(self.frame["design"])
        self.axes = self._read_axes()
        self.varying = [a for a in self.axes if len(a.values) > 1]

    def _read_axes(self):
        declared = self.summary.get("axes")
        if not declared:
            return [Axis([k], None, self.frame) for k in self.keys]
        axes, seen = [], []
        for entry in declared:
            keys = list(entry.get("keys") or [])
            unknown = [k for k in keys if k not in self.keys]
            if not keys or unknown:
                raise common.PlotError(f"{self.summary_path}: axes: {', '.join(unknown) or 'an axis without keys'} "
                                       f"not among the swept keys ({', '.join(self.keys)})")
            axes.append(Axis(keys, entry.get("scale"), self.frame))
            seen += keys
        # Keys no axis names (should not happen) still get an axis of their own.
        axes += [Axis([k], None, self.frame) for k in self.keys if k not in seen]
        return axes

    def check_metrics(self, metrics):
        """Metrics the user named (--metric) must be declared and recorded by this sweep."""
        for metric in metrics or []:
            if self.names.metric(metric) is None:
                raise common.PlotError(f"--metric {metric}: not a metric of {self.dir}{self.names.hint(metric)} "
                                       "(`wakesim list metrics` names them)")
            if not (self.frame["metric"] == metric).any():
                raise common.PlotError(f"--metric {metric}: declared, but {self.path} has no values of it")

    def choosable_keys(self):
        return self.keys + self.derived

    def resolve(self, key, option):
        """What --x/--hue KEY names: ("axis", Axis) for a swept key (any key of a zipped group), or
        ("derived", key) for a derived column; a PlotError naming the choices otherwise."""
        for axis in self.axes:
            if key in axis.keys:
                return "axis", axis
        if key in self.derived:
            return "derived", key
        choices = self.choosable_keys()
        close = difflib.get_close_matches(key, choices, n=1, cutoff=0.6)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        raise common.PlotError(f"{option} {key}: not a swept key or derived column of {self.dir}{hint}; "
                               f"choose from {', '.join(choices) if choices else 'none'}")

    def depends_on(self, derived_key):
        """The varying axes a derived column's value changes with (the others held fixed)."""
        points = self.frame.drop_duplicates("_point")
        out = []
        for axis in self.varying:
            held = pd.Series([""] * len(points), index=points.index)
            for other in self.varying:
                if other is not axis:
                    held = held + "\x1f" + other.labels(points)
            if (points[derived_key].astype(str).groupby(held).nunique() > 1).any():
                out.append(axis)
        return out

    def derived_as_axis(self, derived_key):
        """(axis, {axis value: derived value}) when a derived column is a one-to-one function of one varying
        axis (vms.vcpus_per_pcpu when vms.count alone was swept), else None."""
        axes = self.depends_on(derived_key)
        if len(axes) != 1:
            return None
        axis = axes[0]
        points = self.frame.drop_duplicates("_point")
        pairs = dict(zip(axis.labels(points), points[derived_key].astype(str)))
        if len(set(pairs.values())) != len(pairs):
            return None
        return axis, pairs

    def point_values(self):
        """{point number: {key: raw value}}."""
        out = {}
        for _, row in self.frame.drop_duplicates("_point").iterrows():
            out[row["_point"]] = {k: row[k] for k in self.keys}
        return out

    def point_labels(self):
        """{point number: [its value label on each axis of self.axes]} for every known point: from
        aggregates.csv, and from summary.json's point_values for points without rows (failed ones)."""
        out = {}
        rows = self.frame.drop_duplicates("_point")
        columns = [list(a.labels(rows)) for a in self.axes]
        for i, p in enumerate(rows["_point"]):
            out[p] = [c[i] for c in columns]
        for entry in self.summary.get("point_values") or []:
            values = entry.get("values") or {}
            p = point_index(entry.get("point"))
            if p not in out and all(k in values for k in self.keys):
                out[p] = [", ".join(str(values[k]) for k in a.keys) for a in self.axes]
        return out

    def paired_differences(self):
        """summary.json's paired_differences as a DataFrame with the point number (empty when absent)."""
        entries = self.summary.get("paired_differences") or []
        if not entries:
            return pd.DataFrame(columns=["_point", "design", "reference", "metric", "n", "mean_difference"])
        frame = pd.DataFrame(entries)
        common.require_columns(frame, ["point", "design", "reference", "metric", "n", "mean_difference"],
                               f"{self.summary_path}: paired_differences")
        return frame.assign(_point=[point_index(p) for p in frame["point"]])

    def has_p_values(self):
        """Whether summary.json's paired differences carry their p-values (wakesim writes them since "p")."""
        return any("p" in e for e in self.summary.get("paired_differences") or [])

    def verdict_reference(self):
        return (self.summary.get("verdicts") or {}).get("reference")
