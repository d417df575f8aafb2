#!/usr/bin/env python3
"""Compares two builds' events/s from the logs of a farm-bench call.

usage: events_rate_pairs.py OLD.log NEW.log

Each log holds the output of `wakesim run ... --jobs 1` for every pair farm-bench ran, in order; the
line read is "events/s per core: D1 XM, D2 YM (E events in T s of run time)". Runs are paired in order
(farm-bench alternates the two builds), and for each design and for the whole run (E / T) this prints
both medians and the median of the per-pair NEW/OLD ratios with its quartiles. Only ratios from one call
mean anything on a noisy machine: the same build's median moves between calls.
"""
import re
import statistics
import sys

LINE = re.compile(r"events/s per core: (.*) \((\d+) events in ([\d.]+) s of run time\)")


def rates(path):
    runs = []
    for line in open(path, encoding="utf-8"):
        m = LINE.search(line)
        if not m:
            continue
        per_design = {name: float(value) for name, value in re.findall(r"([\w-]+) ([\d.]+)M", m.group(1))}
        per_design["all"] = int(m.group(2)) / float(m.group(3)) / 1e6
        runs.append(per_design)
    return runs


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    old, new = rates(sys.argv[1]), rates(sys.argv[2])
    n = min(len(old), len(new))
    if n == 0:
        sys.exit("no 'events/s per core' lines in the logs")
    for name in old[0]:
        a = [r[name] for r in old[:n]]
        b = [r[name] for r in new[:n]]
        ratios = sorted(b[i] / a[i] for i in range(n))
        print(f"{name}: old median {statistics.median(a):.2f}M, new median {statistics.median(b):.2f}M; "
              f"new/old per pair: median {statistics.median(ratios):.3f} "
              f"(quartiles {ratios[n // 4]:.3f}-{ratios[(3 * n) // 4]:.3f}), {n} pairs")


if __name__ == "__main__":
    main()
