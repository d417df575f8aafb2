"""Draws every figure a results directory has data for (see plots/plot_results.py for usage).

  single run  wakeup_ccdf, path_ccdf, decomposition, lock_wait, lock_hold
  sweep       percentiles_vs_<key>, throughput_vs_<key>, heatmap_<metric> (two swept keys), and the single-
              run figures of one point (default: the last point directory present)

Metric names, units and the decomposition's components come from each directory's metrics.json (see
registry.py).
  capacity    capacity

Exit status: 0 figures written, 2 not a results directory or nothing to draw, 1 anything else.
"""
import argparse
import os
import sys

from . import capacity, ccdf, common, decomposition, locks, registry, sweep

FORMATS = ("png", "svg")


def directory_kind(path):
    """'run', 'sweep' or 'capacity' (from manifest.json's kind, else the files present); None if neither."""
    manifest = os.path.join(path, "manifest.json")
    if os.path.isfile(manifest):
        kind = common.read_json(manifest).get("kind")
        if kind in ("sweep", "capacity"):
            return kind
    if os.path.isfile(os.path.join(path, "capacity.json")):
        return "capacity"
    if os.path.isfile(os.path.join(path, "aggregates.csv")):
        return "sweep"
    if any(os.path.exists(os.path.join(path, f)) for f in ("summary.json", "histograms", "locks.csv")):
        return "run"
    return None


def run_designs(run_dir):
    designs = list(common.histogram_designs(run_dir))
    summary = os.path.join(run_dir, "summary.json")
    if os.path.isfile(summary):
        designs += list(common.read_json(summary).get("designs") or [])
    return designs


def draw_run(run_dir, out_dir, formats, palette, written, names, title_suffix=""):
    ccdf.draw_wakeup(run_dir, out_dir, formats, palette, written, title_suffix)
    ccdf.draw_paths(run_dir, out_dir, formats, palette, written, names, title_suffix)
    decomposition.draw(run_dir, out_dir, formats, palette, written, names, title_suffix)
    locks.draw(run_dir, out_dir, formats, palette, written, names, title_suffix)


def choose_point(sweep_dir, wanted):
    root = os.path.join(sweep_dir, "points")
    points = sorted(p for p in os.listdir(root) if os.path.isdir(os.path.join(root, p))) \
        if os.path.isdir(root) else []
    if wanted is not None:
        if wanted not in points:
            raise common.PlotError(f"{sweep_dir}: no point directory {wanted!r} (present: "
                                   f"{', '.join(points) if points else 'none'})")
        return wanted
    return points[-1] if points else None


def draw_sweep(sweep_dir, out_dir, formats, written, point, metric, wakesim):
    data = sweep.Sweep(sweep_dir, registry.load(sweep_dir, wakesim))
    chosen = choose_point(sweep_dir, point)
    point_dir = os.path.join(sweep_dir, "points", chosen) if chosen else None
    palette = common.Palette(data.designs + (run_designs(point_dir) if point_dir else []))
    data.check_metric(metric)
    sweep.draw_percentiles(data, out_dir, formats, palette, written)
    sweep.draw_throughput(data, out_dir, formats, palette, written)
    sweep.draw_heatmap(data, out_dir, formats, palette, written, metric or sweep.DEFAULT_HEATMAP)
    if point_dir:
        values = data.point_values().get(chosen, {})
        label = ", ".join(f"{k}={v}" for k, v in values.items())
        draw_run(point_dir, out_dir, formats, palette, written, registry.load(point_dir, wakesim, parent=sweep_dir),
                 f"\n(point {chosen}" + (f": {label})" if label else ")"))


def draw_capacity(cap_dir, out_dir, formats, written):
    designs = []
    spec = os.path.join(cap_dir, "capacity.json")
    if os.path.isfile(spec):
        designs = [d.get("design") for d in common.read_json(spec).get("designs", []) if d.get("design")]
    capacity.draw(cap_dir, out_dir, formats, common.Palette(designs), written)


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="plot_results.py",
                                     description="Draw the figures of a wakesim results directory.")
    parser.add_argument("dir", metavar="DIR", help="results directory (run, sweep or capacity)")
    parser.add_argument("--out", metavar="FIGDIR", help="where to write the figures (default: DIR/figures)")
    parser.add_argument("--format", default="png,svg", help="comma-separated formats (default: png,svg)")
    parser.add_argument("--point", metavar="pNNNN", help="sweep point whose single-run figures to draw "
                        "(default: the last point directory present)")
    parser.add_argument("--metric", help="heatmap metric, as `wakesim list metrics` names it (default: wakeup.p99)")
    parser.add_argument("--wakesim", metavar="BINARY", help="wakesim binary whose `list metrics --json` names the "
                        "metrics of a directory without metrics.json (`wakesim plot` passes itself)")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    formats = [f.strip().lower() for f in args.format.split(",") if f.strip()]
    bad = [f for f in formats if f not in FORMATS]
    if bad or not formats:
        print(f"plot_results.py: error: --format: {', '.join(bad) or 'empty'}: choose from png, svg",
              file=sys.stderr)
        return 2
    directory = args.dir
    out_dir = args.out or os.path.join(directory, "figures")
    written = []
    try:
        if not os.path.isdir(directory):
            raise common.PlotError(f"{directory}: no such directory")
        kind = directory_kind(directory)
        if kind is None:
            raise common.PlotError(f"{directory}: not a wakesim results directory (no summary.json, histograms/, "
                                   "aggregates.csv or capacity.json)")
        if kind == "run":
            draw_run(directory, out_dir, formats, common.Palette(run_designs(directory)), written,
                     registry.load(directory, args.wakesim))
        elif kind == "sweep":
            draw_sweep(directory, out_dir, formats, written, args.point, args.metric, args.wakesim)
        else:
            draw_capacity(directory, out_dir, formats, written)
        if not written:
            raise common.PlotError(f"{directory}: a {kind} results directory, but with no data to draw")
    except common.PlotError as e:
        print(f"plot_results.py: error: {e}", file=sys.stderr)
        return 2
    for path in written:
        print(path)
    return 0
