"""Draws every figure a results directory has data for (see plots/plot_results.py for usage).

  single run  wakeup_ccdf, path_ccdf, decomposition, lock_wait, lock_hold
  sweep       percentiles_vs_<x>, throughput_vs_<x> (or metrics_vs_<x> with --metric), heatmap_<metric>
              and diff_<metric> (two or three axes), and the single-run figures of one point (default: the
              last point directory present)
  capacity    capacity

Metric names, units and the decomposition's components come from each directory's metrics.json (see
registry.py). A sweep's options: --metric LIST (curves and maps), --x KEY and --hue KEY (curves.py,
mapgrid.py), --log x|y|xy|none (curves), --reference DESIGN (difference.py).

Exit status: 0 figures written, 2 not a results directory, nothing to draw or a bad option, 1 anything else.
"""
import argparse
import os
import sys

from . import capacity, ccdf, common, curves, decomposition, difference, heatmap, locks, mapgrid, registry, sweep

FORMATS = ("png", "svg", "pdf")


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


def draw_sweep(sweep_dir, out_dir, formats, written, args):
    data = sweep.Sweep(sweep_dir, registry.load(sweep_dir, args.wakesim))
    chosen = choose_point(sweep_dir, args.point)
    point_dir = os.path.join(sweep_dir, "points", chosen) if chosen else None
    palette = common.Palette(data.designs + (run_designs(point_dir) if point_dir else []))
    # Every option is checked before the first figure is written.
    data.check_metrics(args.metric)
    for key, option in ((args.x, "--x"), (args.hue, "--hue")):
        if key is not None:
            data.resolve(key, option)
    difference.check(data, args.reference)
    curves.draw(data, out_dir, formats, palette, written, args.metric, args.x, args.hue, args.log)
    layout = mapgrid.MapGrid(data, args.x)
    heatmap.draw(data, layout, out_dir, formats, palette, written, args.metric)
    difference.draw(data, layout, out_dir, formats, palette, written, args.metric, args.reference)
    if point_dir:
        values = data.point_values().get(sweep.point_index(chosen), {})
        label = ", ".join(f"{k}={v}" for k, v in values.items())
        draw_run(point_dir, out_dir, formats, palette, written,
                 registry.load(point_dir, args.wakesim, parent=sweep_dir),
                 f"\n(point {chosen}" + (f": {label})" if label else ")"))


def draw_capacity(cap_dir, out_dir, formats, written):
    designs = []
    spec = os.path.join(cap_dir, "capacity.json")
    if os.path.isfile(spec):
        designs = [d.get("design") for d in common.read_json(spec).get("designs", []) if d.get("design")]
    capacity.draw(cap_dir, out_dir, formats, common.Palette(designs), written)


def _list(text):
    return [t.strip() for t in text.split(",") if t.strip()] if text is not None else None


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="plot_results.py",
                                     description="Draw the figures of a wakesim results directory.")
    parser.add_argument("dir", metavar="DIR", help="results directory (run, sweep or capacity)")
    parser.add_argument("--out", metavar="FIGDIR", help="where to write the figures (default: DIR/figures)")
    parser.add_argument("--format", default="png,svg", help="comma-separated formats: png, svg, pdf "
                        "(default: png,svg)")
    parser.add_argument("--point", metavar="pNNNN", help="sweep point whose single-run figures to draw "
                        "(default: the last point directory present)")
    parser.add_argument("--metric", metavar="LIST", type=_list,
                        help="comma-separated metrics, as `wakesim list metrics` names them, of the sweep's curves "
                        "(metrics_vs_X instead of percentiles and throughput) and maps (default: heatmap of "
                        "wakeup.p99; differences of wakeup.p99, wakeup.p999, sched_in.list_wait.p99)")
    parser.add_argument("--x", metavar="KEY", help="x axis of the sweep's curves and maps: a swept key (a zipped "
                        "group by any of its keys) or a derived column such as vms.vcpus_per_pcpu (default: the "
                        "first axis)")
    parser.add_argument("--hue", metavar="KEY", help="the curves draw one line per value of KEY and design "
                        "(default: the next axis)")
    parser.add_argument("--log", metavar="AXES", help="scale of the curves: x, y, xy or none (default: the "
                        "sweep axis's scale, else log x when its values span more than a factor of 50)")
    parser.add_argument("--reference", metavar="DESIGN", help="the design the difference maps subtract "
                        "(default: the sweep's verdict reference, else single-lock)")
    parser.add_argument("--wakesim", metavar="BINARY", help="wakesim binary whose `list metrics --json` names the "
                        "metrics of a directory without metrics.json (`wakesim plot` passes itself)")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    formats = [f.strip().lower() for f in args.format.split(",") if f.strip()]
    bad = [f for f in formats if f not in FORMATS]
    if bad or not formats:
        print(f"plot_results.py: error: --format: {', '.join(bad) or 'empty'}: choose from {', '.join(FORMATS)}",
              file=sys.stderr)
        return 2
    if args.log is not None and args.log not in curves.LOG_CHOICES:
        print(f"plot_results.py: error: --log {args.log}: choose from {', '.join(curves.LOG_CHOICES)}",
              file=sys.stderr)
        return 2
    if args.metric is not None and not args.metric:
        print("plot_results.py: error: --metric: an empty list", file=sys.stderr)
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
            draw_sweep(directory, out_dir, formats, written, args)
        else:
            draw_capacity(directory, out_dir, formats, written)
        if not written:
            raise common.PlotError(f"{directory}: a {kind} results directory, but with no data to draw")
    except common.PlotError as e:
        print(f"plot_results.py: error: {e}", file=sys.stderr)
        return 2
    return 0  # each figure's path was printed as it was written (common.save)
