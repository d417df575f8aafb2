#!/usr/bin/env python3
"""Shrinks a sweep results directory for committing (results/README.md says which were pruned how).

  results/prune.py DIR [--metrics PATTERN,...] [--keep-point pNNNN]

What it removes, and why nothing is lost that a reader of the committed directory needs:
  - points/ (every point's own results directory and its stored runs), except --keep-point if given:
    `wakesim sweep` regenerates them, and the top-level files cover every point;
  - summary.json's "runs" and "aggregates" arrays: the same numbers as runs.csv and aggregates.csv;
  - with --metrics (comma-separated fnmatch patterns such as 'wakeup.*,sched_in.list_wait.*'): the rows of
    aggregates.csv and the entries of summary.json's "paired_differences" whose metric matches none of
    them, and the columns of runs.csv for other metrics (the key, design, replicate, seed, error and
    events columns stay). "verdicts" is kept whole.
summary.json gets a "pruned" entry that says what was removed and is written without indentation (so a
committed map stays under 2 MiB a file). Files are rewritten atomically.
"""
import argparse
import csv
import fnmatch
import io
import json
import os
import shutil
import sys


def write_atomically(path, text):
    tmp = f"{path}.tmp.{os.getpid()}"
    with open(tmp, "w", encoding="utf-8", newline="") as f:
        f.write(text)
    os.replace(tmp, path)


def matches(metric, patterns):
    return not patterns or any(fnmatch.fnmatchcase(metric, p) for p in patterns)


def prune_aggregates(path, patterns):
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    head, body = rows[0], rows[1:]
    at = head.index("metric")
    kept = [r for r in body if matches(r[at], patterns)]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(head)
    writer.writerows(kept)
    write_atomically(path, out.getvalue())
    return len(body) - len(kept)


def prune_runs(path, patterns):
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    head = rows[0]
    first_metric = head.index("events") + 1
    keep = [i for i, name in enumerate(head) if i < first_metric or matches(name, patterns)]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerows([[r[i] for i in keep] for r in rows])
    write_atomically(path, out.getvalue())
    return len(head) - len(keep)


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dir")
    parser.add_argument("--metrics", default="", help="comma-separated fnmatch patterns of the metrics to keep")
    parser.add_argument("--keep-point", default=None, help="a point directory to keep (e.g. p0003)")
    args = parser.parse_args(argv)
    patterns = [p.strip() for p in args.metrics.split(",") if p.strip()]
    summary_path = os.path.join(args.dir, "summary.json")
    if not os.path.isfile(summary_path) or not os.path.isfile(os.path.join(args.dir, "sweep.json")):
        print(f"prune.py: error: {args.dir}: not a sweep results directory (no summary.json and sweep.json)",
              file=sys.stderr)
        return 2
    points = os.path.join(args.dir, "points")
    if os.path.isdir(points):
        for name in sorted(os.listdir(points)):
            if name != args.keep_point:
                shutil.rmtree(os.path.join(points, name))
        if not os.listdir(points):
            os.rmdir(points)
    with open(summary_path, encoding="utf-8") as f:
        summary = json.load(f)
    removed = ["points/" + ("" if args.keep_point is None else f" (but {args.keep_point})"),
               "summary.json runs (see runs.csv)", "summary.json aggregates (see aggregates.csv)"]
    summary.pop("runs", None)
    summary.pop("aggregates", None)
    if patterns:
        paired = summary.get("paired_differences", [])
        summary["paired_differences"] = [p for p in paired if matches(p.get("metric", ""), patterns)]
        dropped = prune_aggregates(os.path.join(args.dir, "aggregates.csv"), patterns)
        columns = prune_runs(os.path.join(args.dir, "runs.csv"), patterns)
        removed.append(f"aggregates.csv rows, paired_differences entries and runs.csv columns of metrics other than "
                       f"{', '.join(patterns)} ({dropped} aggregate rows, {columns} run columns)")
    summary["pruned"] = {"command": "results/prune.py " + " ".join(argv), "removed": removed}
    write_atomically(summary_path, json.dumps(summary, separators=(",", ":")) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
