"""The metric declarations of a results directory: its metrics.json, which wakesim writes beside the results
(the same JSON as `wakesim list metrics --json`; sim/experiment/metric_registry.h). The figures take
metric names, units, placeholder values (the decomposition's components in path order, the wake paths)
and table columns from here; they keep no copy of their own.

A declared name is dotted; a segment {placeholder} stands for one segment: one of the placeholder's
values, or any identifier when it lists none ("lock.{class}.wait.p99" matches "lock.rq.wait.p99").
"""
import difflib
import json
import os
import re
import subprocess

from .common import PlotError, read_json

_IDENTIFIER = re.compile(r"^[A-Za-z0-9_]+$")
_OLD_SUFFIXES = (("_ns", "ns"), ("_per_s", "/s"))


class Registry:
    """Declarations grouped by scenario; a name is looked up in each scenario in turn."""

    def __init__(self, doc, source):
        self.source = source
        self.scenarios = []
        for s in doc.get("scenarios") or []:
            self.scenarios.append({
                "placeholders": {p["name"]: p.get("values") for p in s.get("placeholders") or []},
                "metrics": list(s.get("metrics") or []),
                "histograms": list(s.get("histograms") or []),
                "tables": {t["name"]: t for t in s.get("tables") or []},
            })

    @staticmethod
    def _matches(placeholders, pattern, name):
        parts, segments = pattern.split("."), name.split(".")
        if len(parts) != len(segments):
            return False
        for part, segment in zip(parts, segments):
            if len(part) > 2 and part[0] == "{" and part[-1] == "}":
                if part[1:-1] not in placeholders:
                    return False
                values = placeholders[part[1:-1]]
                if not (segment in values if values else _IDENTIFIER.match(segment)):
                    return False
            elif part != segment:
                return False
        return True

    def metric(self, name, table_columns=False):
        """The declaration (dict with name, unit, kind, help) the metric name matches, or None."""
        for s in self.scenarios:
            for m in s["metrics"]:
                if (table_columns or not m.get("table_only")) and self._matches(s["placeholders"], m["name"], name):
                    return m
        return None

    def unit(self, name):
        m = self.metric(name)
        return m["unit"] if m else None

    def histogram(self, name):
        for s in self.scenarios:
            for h in s["histograms"]:
                if self._matches(s["placeholders"], h["name"], name):
                    return h
        return None

    def values(self, placeholder):
        """A placeholder's values in declaration order ([] when unknown or open)."""
        for s in self.scenarios:
            if s["placeholders"].get(placeholder):
                return list(s["placeholders"][placeholder])
        return []

    def table_column(self, table, column):
        """The declared column (dict with name, unit, kind, help) of TABLE.csv, or None."""
        for s in self.scenarios:
            for c in (s["tables"].get(table) or {}).get("columns") or []:
                if c["name"] == column:
                    return c
        return None

    def _spellings(self, like):
        out = []
        wanted = like.split(".")
        for s in self.scenarios:
            for m in s["metrics"]:
                if m.get("table_only"):
                    continue
                names = [""]
                parts = m["name"].split(".")
                for i, part in enumerate(parts):
                    choices = [part]
                    if part.startswith("{") and part.endswith("}"):
                        values = s["placeholders"].get(part[1:-1])
                        if values:
                            choices = values
                        elif len(wanted) == len(parts):
                            choices = [wanted[i]]
                    names = [f"{n}.{c}" if n else c for n in names for c in choices]
                out += names
        return out

    def hint(self, name):
        """Why a name is not declared: an old unit suffix, a likely typo, or nothing."""
        for suffix, unit in _OLD_SUFFIXES:
            if name.endswith(suffix) and self.unit(name[:-len(suffix)]) == unit:
                return f" (metric names no longer carry their unit: use '{name[:-len(suffix)]}', which is in {unit})"
        close = difflib.get_close_matches(name, self._spellings(name), n=1, cutoff=0.8)
        return f" (did you mean '{close[0]}'?)" if close else ""

    def check_names(self, names, path):
        """Refuses results that name metrics the old way (wakeup.p99_ns), written before the registry."""
        for name in names:
            name = str(name)
            if self.metric(name) is None:
                for suffix, unit in _OLD_SUFFIXES:
                    if name.endswith(suffix) and self.unit(name[:-len(suffix)]) == unit:
                        raise PlotError(f"{path}: metric '{name}' has the unit in its name, as wakesim wrote it before "
                                        f"metrics were declared ('{name[:-len(suffix)]}' now); re-run the results with "
                                        "this wakesim")


def load(directory, wakesim=None, parent=None):
    """The registry of a results directory: DIR/metrics.json, else the parent directory's (a sweep point),
    else what `wakesim list metrics --json` prints (with the wakesim binary given)."""
    for d in [directory] + ([parent] if parent else []):
        path = os.path.join(d, "metrics.json")
        if os.path.isfile(path):
            return Registry(read_json(path), path)
    if not wakesim:
        raise PlotError(f"{directory}: no metrics.json (the metric names and units); draw it with `wakesim plot`, "
                        "or give --wakesim BINARY")
    try:
        proc = subprocess.run([wakesim, "list", "metrics", "--json"], capture_output=True, text=True, timeout=60)
    except OSError as e:
        raise PlotError(f"{wakesim}: cannot run it to list the metrics: {e}") from None
    if proc.returncode != 0:
        raise PlotError(f"{wakesim} list metrics --json failed: {proc.stderr.strip()}")
    try:
        return Registry(json.loads(proc.stdout), f"{wakesim} list metrics --json")
    except ValueError as e:
        raise PlotError(f"{wakesim} list metrics --json: not JSON: {e}") from None


def stat_label(stat):
    """A statistic's segment as written on a figure: p999 -> p99.9, p9999 -> p99.99."""
    if re.fullmatch(r"p\d{3,}", stat):
        return f"p{stat[1:3]}.{stat[3:]}"
    return stat
