"""Prints events/s of both queues in the hold model and their ratio, from Google Benchmark JSON
(the median over repetitions when the run had several)."""
import json
import sys

runs = {}
for b in json.load(open(sys.argv[1]))["benchmarks"]:
    if not b["name"].startswith("BM_Hold_"):
        continue
    if b.get("run_type") == "aggregate" and b.get("aggregate_name") != "median":
        continue
    name, n = b["name"].split("/")[:2]
    n = int(n.split("_")[0])
    if b.get("run_type") == "aggregate" or name not in runs.get(n, {}):
        runs.setdefault(n, {})[name] = b["items_per_second"]
print(f"{'N':>9}  {'EventQueue ev/s':>16}  {'std::priority_queue ev/s':>24}  {'ratio':>6}")
for n in sorted(runs):
    ours = runs[n].get("BM_Hold_EventQueue")
    base = runs[n].get("BM_Hold_StdPriorityQueue")
    if ours and base:
        print(f"{n:>9}  {ours:>16.4g}  {base:>24.4g}  {ours / base:>6.2f}")
