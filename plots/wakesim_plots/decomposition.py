"""Stacked wakeup-latency decomposition per design: mean time in each component of the wakeup path
(notification, handler_lock, walk_position, wake, runqueue_delay, sched_in_lock, vm_entry).

  decomposition   from summary.json aggregates (decomposition.<component>.mean, mean over replicates)
                  of a single-run directory (for a sweep: of the chosen point's directory)
"""
import matplotlib.pyplot as plt

from . import common

# Component colours (not design colours: the designs are the bars, named on the axis in their colour).
COMPONENT_COLOURS = ["#4c72b0", "#dd8452", "#55a868", "#c44e52", "#8172b3", "#937860", "#da8bc3"]


def draw(run_dir, out_dir, formats, palette, written, title_suffix=""):
    agg = common.summary_aggregates(run_dir)
    if agg is None:
        return
    means = {}  # design -> [mean ns per component]
    for design in common.order_designs(agg["design"]):
        rows = agg[agg["design"] == design].set_index("metric")["mean"]
        values = [rows.get(f"decomposition.{c}.mean_ns") for c in common.DECOMPOSITION]
        if all(v is None for v in values):
            continue
        means[design] = [float(v) if v is not None and v == v else 0.0 for v in values]
    if not means:
        return
    designs = list(means)
    divisor, unit = common.latency_scale([sum(v) for v in means.values()])
    fig, ax = plt.subplots(figsize=(1.6 * len(designs) + 4, 4.5))
    bottoms = [0.0] * len(designs)
    for i, component in enumerate(common.DECOMPOSITION):
        heights = [means[d][i] / divisor for d in designs]
        ax.bar(designs, heights, bottom=bottoms, color=COMPONENT_COLOURS[i], label=component, width=0.6,
               edgecolor="white", linewidth=0.5)
        bottoms = [b + h for b, h in zip(bottoms, heights)]
    # Each design's bar outlined in its colour (the design colours of every other figure).
    ax.bar(designs, bottoms, width=0.6, facecolor="none", edgecolor=[palette(d) for d in designs], linewidth=2)
    for x, total in enumerate(bottoms):
        ax.annotate(f"{total:.3g} {unit}", xy=(x, total), xytext=(0, 3), textcoords="offset points",
                    ha="center", fontsize=8)
    for tick, design in zip(ax.get_xticklabels(), designs):
        tick.set_color(palette(design))
        tick.set_fontweight("bold")
    ax.set_xlabel("design")
    ax.set_ylabel(f"mean time per wakeup ({unit})")
    ax.set_title("Wakeup latency decomposition: " + ", ".join(designs) + title_suffix)
    ax.legend(title="component", fontsize=8, bbox_to_anchor=(1.02, 1), loc="upper left")
    ax.set_ylim(0, max(bottoms) * 1.12 if max(bottoms) > 0 else 1)
    common.note(fig, f"source: {run_dir}/summary.json aggregates decomposition.*.mean")
    common.save(fig, out_dir, "decomposition", formats, written)
