#!/usr/bin/env python3
"""Before/after numbers for issue 13 (metric semantics): runs two wakesim binaries (e.g. one built at
29de831 and one at HEAD) on the same configurations and prints, per case, the mean over 2 replicates of
the chosen metrics (old names with an _ns suffix are read too). Usage: metric_semantics_before_after.py OLD NEW [case...]"""
import json, subprocess, sys, tempfile, shutil

CASES = {
  # 1. IRQs-off and IRQ time vs idle state (default workload, single-lock)
  "irqoff": [("default", ["kernel.idle_state=" + s, "kernel.idle_governor=fixed"], "single-lock",
              ["irq_off.p99", "handler.p99", "time.irq", "time.idle_exit"]) for s in ("poll", "c1", "c1e", "c6")],
  "irqoff_gov": [("default", ["kernel.idle_state=" + s], "single-lock",
              ["irq_off.p99", "handler.p99", "time.irq", "time.idle_exit", "idle.state.c6", "wakeup.p50"]) for s in ("c6",)],
  # 1+2. idle_consolidated: time.irq, wakeup latency, governor vs fixed C6
  "idle": [("idle_consolidated", sets, "single-lock",
            ["wakeup.p50", "wakeup.p99", "irq_off.p99", "time.irq", "time.idle_exit", "idle.state.c6", "idle.state.c1"])
           for sets in (["kernel.idle_governor=fixed"], ["kernel.idle_governor=menu"], ["kernel.idle_governor=teo"])],
  # 3. timer wakeups only, C1 vs C6 (fixed, so both binaries enter the same state)
  "timer": [("idle_consolidated", ["vms.device_arrivals=none", "vms.ipi_probability=0", "kernel.idle_governor=fixed",
                                   "kernel.idle_state=" + s], "single-lock",
             ["path.software.mean", "path.software.p99", "wakeup.p50"]) for s in ("c1", "c6")],
  # 4. halt-polling on/off on pinned_latency
  "poll": [("pinned_latency", ["kernel.halt_poll_ns=" + v], "single-lock",
            ["wakeup.p50", "wakeup.mean", "path.halt_poll.count", "path.wakeup_vector.count", "path.halt_poll.share",
             "path.halt_poll.mean", "path.wakeup_vector.mean"]) for v in ("0", "200us")],
  # 5. IPIv off vs on
  "ipiv": [("ipiv_shootdown", ["kernel.ipiv=" + v, "run.duration=100ms"], "single-lock",
            ["path.wakeup_vector.mean", "path.software.mean", "path.running.mean", "wakeup.mean", "wakeup.p50"]) for v in ("true", "false")],
  # 6. lock wait per design
  "locks": [("default", [], d, ["wakeup_lock.wait.p99", "sched_in.list_wait.p99", "handler.list_wait.p99",
                                "lock.wakeup_vcpus_on_cpu_lock.wait.p99", "lock.wakeup_vcpus_on_cpu_lock.acquire.p99",
                                "lock.wakeup_vcpus_on_cpu_lock_in.wait.p99"])
            for d in ("single-lock", "split-lock", "rcu-list")],
  "stall": [("default", ["design.walk_stall_probability=0.02", "design.walk_stall=20us"], d,
             ["wakeup_lock.wait.p99", "sched_in.list_wait.p99", "handler.list_wait.p99", "wakeup.p99"])
            for d in ("single-lock", "split-lock", "rcu-list")],
}

def run(binary, preset, sets, design):
    out = tempfile.mkdtemp()
    shutil.rmtree(out)
    args = [binary, "run", preset, "--design", design, "--json", "--out", out, "--replicates", "2"]
    for s in sets:
        args += ["--set", s]
    p = subprocess.run(args, capture_output=True, text=True)
    shutil.rmtree(out, ignore_errors=True)
    if p.returncode != 0:
        return None, p.stderr.strip()[-300:]
    return json.loads(p.stdout), None

def value(summary, metric):
    vals = []
    for r in summary["runs"]:
        m = r["metrics"]
        for name in (metric, metric + "_ns"):
            if name in m:
                vals.append(m[name]); break
    return sum(vals) / len(vals) if vals else None

def fmt(v, metric=""):
    if v is None: return "-"
    if "count" in metric or "share" in metric or metric.startswith(("time.", "idle.")): return f"{v:.3g}"
    if abs(v) >= 1e3: return f"{v/1e3:.3g}us" if abs(v) < 1e6 else f"{v/1e6:.3g}ms"
    return f"{v:.3g}"

def main():
    old, new = sys.argv[1], sys.argv[2]
    cases = sys.argv[3:] or list(CASES)
    for case in cases:
        for preset, sets, design, metrics in CASES[case]:
            print(f"## {case}: {preset} {' '.join(sets)} [{design}]")
            for label, b in (("before", old), ("after", new)):
                used = [x for x in sets if not (label == "before" and x.startswith("kernel.idle_governor"))]
                s, err = run(b, preset, used, design)
                if s is None:
                    print(f"  {label}: FAILED {err}"); continue
                print(f"  {label}: " + "; ".join(f"{m}={fmt(value(s, m), m)}" for m in metrics))
            sys.stdout.flush()

main()
