"""Capacity-study results: for each design, the probed values of the searched key against each SLO's
estimate (mean with 95% CI error bars), the SLO threshold, each probe's verdict, and the answer.

  capacity   from capacity.json (key, range, SLOs, per-design answer and status) and probes.csv (one row
             per probe x SLO: design, probe, value, replicates, slo, metric, estimate, ci95_low,
             ci95_high, threshold, verdict)
"""
import os

import matplotlib.pyplot as plt
import numpy as np

from . import common

VERDICT_MARKERS = {"pass": ("o", "pass"), "fail": ("X", "fail"), "uncertain": ("^", "uncertain")}


def draw(cap_dir, out_dir, formats, palette, written):
    spec_path = os.path.join(cap_dir, "capacity.json")
    probes_path = os.path.join(cap_dir, "probes.csv")
    if not os.path.isfile(spec_path) or not os.path.isfile(probes_path):
        return
    spec = common.read_json(spec_path)
    probes = common.read_csv(probes_path, dtype={"design": str, "slo": str, "verdict": str})
    common.require_columns(probes, ["design", "probe", "value", "slo", "estimate", "ci95_low", "ci95_high",
                                    "threshold", "verdict"], probes_path)
    if probes.empty:
        return
    key = spec.get("key", "value")
    slos = [s.get("text") for s in spec.get("slos", [])] or list(dict.fromkeys(probes["slo"]))
    slos = [s for s in slos if (probes["slo"] == s).any()]
    units = {s.get("text"): s.get("unit", "") for s in spec.get("slos", [])}
    answers = {d.get("design"): d for d in spec.get("designs", [])}
    designs = common.order_designs(list(answers) + list(probes["design"]))
    designs = [d for d in designs if (probes["design"] == d).any()]
    if not designs or not slos:
        return
    fig, axes = plt.subplots(len(slos), len(designs), figsize=(4.6 * len(designs), 3.8 * len(slos)),
                             squeeze=False, sharex=True)
    lo_hi = spec.get("range")
    for row, slo in enumerate(slos):
        unit = units.get(slo) or ""
        sel_slo = probes[probes["slo"] == slo]
        divisor, shown = (1.0, common.unit_label(unit))
        if unit == "ns":
            divisor, shown = common.latency_scale(sel_slo["ci95_high"].tolist() + sel_slo["threshold"].tolist())
        for col, design in enumerate(designs):
            ax = axes[row][col]
            colour = palette(design)
            sel = sel_slo[sel_slo["design"] == design].sort_values("value")
            x = sel["value"].to_numpy(dtype=float)
            y = sel["estimate"].to_numpy(dtype=float) / divisor
            err = np.vstack([y - sel["ci95_low"].to_numpy(dtype=float) / divisor,
                             sel["ci95_high"].to_numpy(dtype=float) / divisor - y])
            ax.errorbar(x, y, yerr=np.clip(err, 0, None), fmt="none", ecolor=colour, capsize=3, linewidth=1)
            ax.plot(x, y, color=colour, linewidth=0.8, alpha=0.5)
            for verdict, (marker, label) in VERDICT_MARKERS.items():
                v = sel["verdict"] == verdict
                if v.any():
                    filled = colour if verdict == "pass" else "white"
                    ax.plot(x[v.to_numpy()], y[v.to_numpy()], marker=marker, linestyle="none", markersize=7,
                            markerfacecolor=filled, markeredgecolor=colour, label=label)
            if not sel.empty:
                threshold = float(sel["threshold"].iloc[0]) / divisor
                ax.axhline(threshold, color="#c00000", linestyle="--", linewidth=1, label=f"SLO {slo}")
            info = answers.get(design, {})
            status = info.get("status", "?")
            answer = info.get("answer")
            if status == "found" and answer is not None:
                ax.axvline(float(answer), color="black", linestyle="-.", linewidth=1.2, label=f"answer {key}={answer}")
                text = f"answer: {key} = {answer}"
            elif status == "none":
                text = "no value in range meets the SLOs"
            elif status == "all":
                text = "every value in range meets the SLOs"
            else:
                text = f"status: {status}"
            if lo_hi and len(lo_hi) == 2:
                ax.set_xlim(float(lo_hi[0]) - 0.5, float(lo_hi[1]) + 0.5)
            ax.set_title(f"{design}: {text}", color=colour, fontsize=9, fontweight="bold")
            ax.set_xlabel(f"{key} (probed value)")
            metric = sel["metric"].iloc[0] if "metric" in sel.columns and not sel.empty else slo
            ax.set_ylabel(f"{metric} estimate ({shown})")
            ax.legend(fontsize=7, loc="best")
            ax.set_ylim(bottom=0)
    fig.suptitle(f"Capacity search over {key}: " + ", ".join(designs) + " (SLOs: " + "; ".join(slos) + ")")
    fig.tight_layout()
    common.note(fig, f"source: {spec_path}, {probes_path}")
    common.save(fig, out_dir, "capacity", formats, written)
