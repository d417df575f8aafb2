"""Stacked wakeup-latency decomposition per design: mean time in each component of the wakeup_vector path
(the components and their order are the registry's {component} values: notification, idle_exit,
handler_lock, ...), beside the mixture of wake paths that the headline wakeup.* covers.

  decomposition   from summary.json aggregates (decomposition.<component>.mean and path.<path>.share,
                  means over replicates) of a single-run directory (for a sweep: of the chosen point's
                  directory)
"""
import matplotlib.pyplot as plt

from . import common

# Component and path colours (not design colours: the designs are the bars, named on the axis in their colour).
COMPONENT_COLOURS = ["#4c72b0", "#dd8452", "#55a868", "#c44e52", "#8172b3", "#937860", "#da8bc3", "#8c8c8c",
                     "#ccb974", "#64b5cd"]
PATH_COLOURS = ["#4c72b0", "#dd8452", "#55a868", "#c44e52", "#8172b3"]


def _values(agg, design, names):
    rows = agg[agg["design"] == design].set_index("metric")["mean"]
    return [rows.get(n) for n in names]


def draw(run_dir, out_dir, formats, palette, written, names, title_suffix=""):
    agg = common.summary_aggregates(run_dir)
    if agg is None:
        return
    components = names.values("component")
    metrics = [f"decomposition.{c}.mean" for c in components]
    if not metrics or names.unit(metrics[0]) != "ns":
        return
    paths = [p for p in names.values("path") if names.metric(f"path.{p}.share") is not None]
    means, shares = {}, {}  # design -> [mean ns per component], [share per path]
    for design in common.order_designs(agg["design"]):
        values = _values(agg, design, metrics)
        if all(v is None for v in values):
            continue
        means[design] = [float(v) if v is not None and v == v else 0.0 for v in values]
        mix = _values(agg, design, [f"path.{p}.share" for p in paths])
        if any(v is not None for v in mix):
            shares[design] = mix
    if not means:
        return
    # Only the paths some design reports a share for (running has none: it is not a wakeup).
    reported = [i for i, _ in enumerate(paths) if any(mix[i] is not None for mix in shares.values())]
    paths = [paths[i] for i in reported]
    shares = {d: [float(mix[i]) if mix[i] is not None and mix[i] == mix[i] else 0.0 for i in reported]
              for d, mix in shares.items()}
    designs = list(means)
    divisor, unit = common.latency_scale([sum(v) for v in means.values()])
    width = 1.6 * len(designs) + 4
    if shares:
        fig, (ax, mix_ax) = plt.subplots(1, 2, figsize=(width + 1.2 * len(designs) + 3, 4.5),
                                         gridspec_kw={"width_ratios": [1.6 * len(designs) + 1, 1.2 * len(designs) + 1]})
    else:
        fig, ax = plt.subplots(figsize=(width, 4.5))
    bottoms = [0.0] * len(designs)
    for i, component in enumerate(components):
        heights = [means[d][i] / divisor for d in designs]
        ax.bar(designs, heights, bottom=bottoms, color=COMPONENT_COLOURS[i % len(COMPONENT_COLOURS)], label=component,
               width=0.6, edgecolor="white", linewidth=0.5)
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
    ax.set_title("wakeup_vector path, by component", fontsize=10)
    ax.legend(title="component", fontsize=8, bbox_to_anchor=(1.02, 1), loc="upper left")
    ax.set_ylim(0, max(bottoms) * 1.12 if max(bottoms) > 0 else 1)
    sources = "decomposition.*.mean"
    if shares:
        mixed = [d for d in designs if d in shares]
        lefts = [0.0] * len(mixed)
        for i, path in enumerate(paths):
            heights = [shares[d][i] for d in mixed]
            mix_ax.bar(mixed, heights, bottom=lefts, color=PATH_COLOURS[i % len(PATH_COLOURS)], label=path, width=0.6,
                       edgecolor="white", linewidth=0.5)
            lefts = [b + h for b, h in zip(lefts, heights)]
        for tick, design in zip(mix_ax.get_xticklabels(), mixed):
            tick.set_color(palette(design))
            tick.set_fontweight("bold")
        mix_ax.set_ylim(0, 1)
        mix_ax.set_xlabel("design")
        mix_ax.set_ylabel("share of wakeups (fraction)")
        mix_ax.set_title("wakeups of halted vCPUs, by path", fontsize=10)
        mix_ax.legend(title="path", fontsize=8, bbox_to_anchor=(1.02, 1), loc="upper left")
        sources += ", path.*.share"
    fig.suptitle("Wakeup latency decomposition: " + ", ".join(designs) + title_suffix)
    fig.tight_layout()
    common.note(fig, f"source: {run_dir}/summary.json aggregates {sources}")
    common.save(fig, out_dir, "decomposition", formats, written)
