"""Prints events/s of both queues in the hold model and their ratio, from Google Benchmark JSON."""
import json
import sys

runs = {}
for b in json.load(open(sys.argv[1]))["benchmarks"]:
    if b.get("run_type") == "aggregate":
        continue
    name, n = b["name"].split("/")[:2]
    runs.setdefault(int(n), {})[name] = b["items_per_second"]
print(f"{'N':>9}  {'EventQueue ev/s':>16}  {'std::priority_queue ev/s':>24}  {'ratio':>6}")
for n in sorted(runs):
    ours = runs[n].get("BM_Hold_EventQueue")
    base = runs[n].get("BM_Hold_StdPriorityQueue")
    if ours and base:
        print(f"{n:>9}  {ours:>16.4g}  {base:>24.4g}  {ours / base:>6.2f}")
