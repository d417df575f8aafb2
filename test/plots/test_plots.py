"""Tests of the figures: plots/plot_results.py and `wakesim plot` on a live single run and on the hand-made
sweep, design-map and capacity fixtures in test/plots/fixtures/ (see their README.md). Every figure written is checked
to be a valid PNG (signature, IHDR with a sane size, IEND) or SVG (parses as XML), and its SVG text to name
the designs, the series and the axes with their units. Run by ctest with Debian's /usr/bin/python3:

  WAKESIM_BINARY=build/x/wakesim WAKESIM_SOURCE_DIR=. /usr/bin/python3 test/plots/test_plots.py [TestClass]
"""
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import unittest
import xml.etree.ElementTree as ET

SOURCE = os.environ.get("WAKESIM_SOURCE_DIR", os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")))
BINARY = os.environ.get("WAKESIM_BINARY", os.path.join(SOURCE, "build", "release", "wakesim"))
FIXTURES = os.path.join(SOURCE, "test", "plots", "fixtures")
SCRIPT = os.path.join(SOURCE, "plots", "plot_results.py")
DESIGN_MAP = os.path.join(FIXTURES, "design_map")
DESIGNS = ["single-lock", "split-lock", "rcu-list"]
COLOURS = {"single-lock": "#1f77b4", "split-lock": "#ff7f0e", "rcu-list": "#2ca02c", "my-design": "#d62728"}
SVG_NS = "{http://www.w3.org/2000/svg}"

sys.path.insert(0, os.path.join(SOURCE, "plots"))


def run(args, env=None, check_rc=None):
    full_env = dict(os.environ, **(env or {}))
    proc = subprocess.run(args, capture_output=True, text=True, env=full_env, timeout=600)
    if check_rc is not None and proc.returncode != check_rc:
        raise AssertionError(f"{args}: exit {proc.returncode}, expected {check_rc}\nstdout:\n{proc.stdout}\n"
                             f"stderr:\n{proc.stderr}")
    return proc


def check_png(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise AssertionError(f"{path}: no PNG signature")
    length, kind = struct.unpack(">I4s", data[8:16])
    if kind != b"IHDR" or length != 13:
        raise AssertionError(f"{path}: first chunk is not IHDR")
    width, height = struct.unpack(">II", data[16:24])
    if not (200 <= width <= 8000 and 150 <= height <= 8000):
        raise AssertionError(f"{path}: implausible size {width}x{height}")
    if data[-8:-4] != b"IEND":
        raise AssertionError(f"{path}: no IEND chunk at the end")


def svg_texts(path):
    """Every text string of an SVG (matplotlib with svg.fonttype 'none' writes labels as <text>)."""
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as e:
        raise AssertionError(f"{path}: not valid XML: {e}") from None
    if root.tag != SVG_NS + "svg":
        raise AssertionError(f"{path}: root element is {root.tag}, not svg")
    texts = ["".join(t.itertext()).strip() for t in root.iter(SVG_NS + "text")]
    if not texts:
        raise AssertionError(f"{path}: no text elements (svg.fonttype must be 'none')")
    return texts


def assert_svg_has(path, wanted):
    """Each wanted string (or compiled regex) occurs in some text element of the SVG."""
    texts = svg_texts(path)
    missing = []
    for w in wanted:
        hit = any(w.search(t) for t in texts) if isinstance(w, re.Pattern) else any(w in t for t in texts)
        if not hit:
            missing.append(w.pattern if isinstance(w, re.Pattern) else w)
    if missing:
        raise AssertionError(f"{path}: no text {missing}; texts: {sorted(set(texts))[:60]}")


def assert_svg_lacks(path, unwanted):
    texts = svg_texts(path)
    present = [u for u in unwanted if any(u in t for t in texts)]
    if present:
        raise AssertionError(f"{path}: unexpected text {present}")


def assert_colours(path, designs):
    """Each design's fixed colour is used in the figure (same colour per design in every figure)."""
    with open(path, encoding="utf-8") as f:
        content = f.read().lower()
    missing = [d for d in designs if COLOURS[d] not in content]
    if missing:
        raise AssertionError(f"{path}: colour of {missing} not used")


class FigureChecks:
    """Mixed into the test cases: the written files, each valid."""
    out = None

    def figure(self, stem, formats=("png", "svg")):
        for fmt in formats:
            path = os.path.join(self.out, f"{stem}.{fmt}")
            self.assertTrue(os.path.isfile(path), f"{path} not written; have {sorted(os.listdir(self.out))}")
            if fmt == "png":
                check_png(path)
            else:
                svg_texts(path)
        return os.path.join(self.out, f"{stem}.svg")

    def assert_figures(self, stdout, stems):
        listed = sorted(os.path.relpath(line, self.out) for line in stdout.split())
        expected = sorted(f"{s}.{fmt}" for s in stems for fmt in ("png", "svg"))
        self.assertEqual(listed, expected)
        self.assertEqual(sorted(os.listdir(self.out)), expected)


class SingleRunTest(unittest.TestCase, FigureChecks):
    """A real results directory from a tiny `wakesim run`, drawn by `wakesim plot` into DIR/figures."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="wakesim-plots-")
        cls.dir = os.path.join(cls.tmp, "run")
        run([BINARY, "run", "--set", "run.duration=5ms", "--set", "run.warmup=1ms", "--replicates", "2",
             "--out", cls.dir], check_rc=0)
        cls.proc = run([BINARY, "plot", cls.dir], check_rc=0)
        cls.out = os.path.join(cls.dir, "figures")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def test_writes_every_figure_and_lists_it(self):
        self.assert_figures(self.proc.stdout, ["wakeup_ccdf", "path_ccdf", "decomposition", "lock_wait", "lock_hold"])

    def test_wakeup_ccdf(self):
        svg = self.figure("wakeup_ccdf")
        assert_svg_has(svg, [f"{d} (n=" for d in DESIGNS] + ["latency (ns)", "P(latency > x) (fraction)", "p99",
                                                              "p99.9", "Wakeup latency CCDF"])
        assert_colours(svg, DESIGNS)

    def test_path_ccdf(self):
        svg = self.figure("path_ccdf")
        assert_svg_has(svg, [f"{d} (n=" for d in DESIGNS] + ["path wakeup_vector", "path software", "latency (ns)"])
        assert_colours(svg, DESIGNS)

    def test_decomposition(self):
        # The components in path order and the path mixture, named as the run's metrics.json declares them.
        with open(os.path.join(self.dir, "metrics.json"), encoding="utf-8") as f:
            declared = json.load(f)["scenarios"][0]
        values = {p["name"]: p["values"] for p in declared["placeholders"]}
        self.assertIn("idle_exit", values["component"])
        svg = self.figure("decomposition")
        assert_svg_has(svg, DESIGNS + values["component"] + values["path"][:3] + [
            re.compile(r"mean time per wakeup \((ns|µs|ms)\)"), "wakeup_vector path, by component",
            "share of wakeups (fraction)"])
        assert_colours(svg, DESIGNS)

    def test_every_key_is_declared_in_metrics_json(self):
        with open(os.path.join(self.dir, "metrics.json"), encoding="utf-8") as f:
            doc = json.load(f)
        from wakesim_plots import registry
        names = registry.Registry(doc, "metrics.json")
        with open(os.path.join(self.dir, "runs.csv"), encoding="utf-8") as f:
            header = f.readline().strip().split(",")
        # Derived keys (vms.vcpus_per_pcpu for kvm) come first, then the run columns.
        first = header.index("design")
        self.assertEqual(header[first:first + 5], ["design", "replicate", "seed", "error", "events"])
        for column in header[first + 5:]:
            self.assertIsNotNone(names.metric(column), column)
            self.assertFalse(column.endswith("_ns"), column)
        self.assertEqual(names.unit("wakeup.p99"), "ns")
        self.assertEqual(names.unit("lock.rq.wait.p99"), "ns")
        self.assertEqual(names.unit("wakeups"), "/s")

    def test_locks(self):
        # Runs write lock wait/hold histograms: one CCDF panel per class, titled with the real class name.
        with open(os.path.join(self.dir, "locks.csv"), encoding="utf-8") as f:
            classes = {line.split(",")[2] for line in f.read().splitlines()[1:]}
        self.assertIn("wakeup_vcpus_on_cpu_lock_in", classes)
        self.assertIn("rq", classes)  # the class key, as in metric and histogram names
        for kind in ("wait", "hold"):
            svg = self.figure(f"lock_{kind}")
            assert_svg_has(svg, [f"{d} (n=" for d in DESIGNS] + [f"lock {c}" for c in sorted(classes)]
                           + [f"{kind} time (ns)", f"P({kind} > x) (fraction)"])
            assert_colours(svg, DESIGNS)

    def test_without_lock_histograms_bars_from_locks_csv(self):
        # A results directory without lock histograms (older runs) gets bar charts from locks.csv.
        copy = os.path.join(self.tmp, "without-lock-histograms")
        shutil.copytree(self.dir, copy, ignore=shutil.ignore_patterns("figures", "lock.*.csv"))
        with open(os.path.join(copy, "locks.csv"), encoding="utf-8") as f:
            classes = {line.split(",")[2] for line in f.read().splitlines()[1:]}
        out = os.path.join(copy, "f")
        proc = run([sys.executable, SCRIPT, copy, "--out", out, "--format", "svg"], check_rc=0)
        for kind in ("wait", "hold"):
            svg = os.path.join(out, f"lock_{kind}.svg")
            self.assertIn(svg, proc.stdout.split())
            assert_svg_has(svg, DESIGNS + sorted(classes) + ["lock class", f"{kind} p99 (ns)", f"{kind} max (ns)"])
            assert_colours(svg, DESIGNS)


class SweepOneKeyTest(unittest.TestCase, FigureChecks):
    """fixtures/sweep1: one swept key written as strings with a numeric #value helper."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="wakesim-plots-")
        cls.out = os.path.join(cls.tmp, "figures")
        cls.proc = run([sys.executable, SCRIPT, os.path.join(FIXTURES, "sweep1"), "--out", cls.out], check_rc=0)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def test_figures(self):
        self.assert_figures(self.proc.stdout, [
            "percentiles_vs_vms.device_arrivals", "throughput_vs_vms.device_arrivals", "wakeup_ccdf", "decomposition",
            "lock_wait", "lock_hold"])

    def test_percentiles(self):
        svg = self.figure("percentiles_vs_vms.device_arrivals")
        assert_svg_has(svg, DESIGNS + ["vms.device_arrivals (per second)", "wakeup latency p50 (µs)",
                                       "wakeup latency p99 (µs)", "wakeup latency p99.9 (µs)", "95% CI", "4000"])
        assert_svg_lacks(svg, ["poisson(1k/s)"])  # the #value column gives a numeric axis
        assert_colours(svg, DESIGNS)

    def test_throughput(self):
        svg = self.figure("throughput_vs_vms.device_arrivals")
        assert_svg_has(svg, DESIGNS + ["wakeups (per second)", "interrupts (per second)", "requests (per second)",
                                       "vms.device_arrivals (per second)"])
        assert_colours(svg, DESIGNS)

    def test_last_point_figures(self):
        for stem in ("wakeup_ccdf", "decomposition", "lock_wait"):
            assert_svg_has(self.figure(stem), DESIGNS + ["point p0002: vms.device_arrivals=poisson(4k/s)"])

    def test_chosen_point(self):
        out = os.path.join(self.tmp, "p0")
        proc = run([sys.executable, SCRIPT, os.path.join(FIXTURES, "sweep1"), "--out", out, "--format", "svg",
                    "--point", "p0000"], check_rc=0)
        self.assertIn(os.path.join(out, "decomposition.svg"), proc.stdout.split())
        self.assertNotIn(os.path.join(out, "wakeup_ccdf.svg"), proc.stdout.split())  # p0000 has no histograms
        assert_svg_has(os.path.join(out, "decomposition.svg"), ["point p0000"])
        bad = run([sys.executable, SCRIPT, os.path.join(FIXTURES, "sweep1"), "--out", out, "--point", "p0009"])
        self.assertEqual(bad.returncode, 2)
        self.assertIn("no point directory 'p0009'", bad.stderr)


class SweepTwoKeysTest(unittest.TestCase, FigureChecks):
    """fixtures/sweep2: two swept keys (a heatmap) and a user-added design."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="wakesim-plots-")
        cls.out = os.path.join(cls.tmp, "figures")
        cls.proc = run([BINARY, "plot", os.path.join(FIXTURES, "sweep2"), "--out", cls.out], check_rc=0)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def test_figures(self):
        self.assert_figures(self.proc.stdout, ["percentiles_vs_vms.count", "throughput_vs_vms.count",
                                               "heatmap_wakeup.p99"])

    def test_heatmap(self):
        svg = self.figure("heatmap_wakeup.p99")
        assert_svg_has(svg, DESIGNS + ["my-design", "vms.count (count)", "vms.device_arrivals (per second)",
                                       "poisson(1k/s)", "poisson(4k/s)", "wakeup.p99 mean (µs)"])
        assert_colours(svg, DESIGNS + ["my-design"])

    def test_heatmap_metric_is_checked_against_the_registry(self):
        out = os.path.join(self.tmp, "other")
        proc = run([sys.executable, SCRIPT, os.path.join(FIXTURES, "sweep2"), "--out", out, "--format", "svg",
                    "--metric", "wakeup.p50"], check_rc=0)
        self.assertIn(os.path.join(out, "heatmap_wakeup.p50.svg"), proc.stdout.split())
        proc = run([sys.executable, SCRIPT, os.path.join(FIXTURES, "sweep2"), "--out", out, "--metric", "wakeup.p99_ns"])
        self.assertEqual(proc.returncode, 2)
        self.assertIn("no longer carry their unit: use 'wakeup.p99', which is in ns", proc.stderr)
        proc = run([sys.executable, SCRIPT, os.path.join(FIXTURES, "sweep2"), "--out", out, "--metric", "wakeup.p9"])
        self.assertEqual(proc.returncode, 2)
        self.assertIn("did you mean 'wakeup.p99'?", proc.stderr)
        self.assertNotIn("Traceback", proc.stderr)

    def test_x_derived_column(self):
        # vms.vcpus_per_pcpu moves with vms.count alone: the curves' x, and the label of the maps' x axis.
        out = os.path.join(self.tmp, "derived")
        proc = run([sys.executable, SCRIPT, os.path.join(FIXTURES, "sweep2"), "--out", out, "--format", "svg",
                    "--x", "vms.vcpus_per_pcpu"], check_rc=0)
        self.assertIn(os.path.join(out, "percentiles_vs_vms.vcpus_per_pcpu.svg"), proc.stdout.split())
        assert_svg_has(os.path.join(out, "percentiles_vs_vms.vcpus_per_pcpu.svg"), [
            "vms.vcpus_per_pcpu (count)", "single-lock, vms.device_arrivals=poisson(4k/s)"])
        heatmap = os.path.join(out, "heatmap_wakeup.p99.svg")
        assert_svg_has(heatmap, ["vms.vcpus_per_pcpu (count)", "0.5", "wakeup.p99 over vms.vcpus_per_pcpu x "
                                 "vms.device_arrivals"])
        assert_svg_lacks(heatmap, ["vms.count (count)"])

    def test_lines_per_second_key_value(self):
        svg = self.figure("percentiles_vs_vms.count")
        assert_svg_has(svg, [f"{d}, vms.device_arrivals=poisson({r}/s)" for d in DESIGNS + ["my-design"]
                             for r in ("1k", "4k")] + ["vms.count (count)"])
        assert_colours(svg, DESIGNS + ["my-design"])


class DesignMapTest(unittest.TestCase, FigureChecks):
    """fixtures/design_map: three axes (one a zipped group), a constraint's triangle, four designs, paired
    differences with p-values: the difference maps, drawn by `wakesim plot` with its defaults."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="wakesim-plots-")
        cls.out = os.path.join(cls.tmp, "figures")
        cls.proc = run([BINARY, "plot", DESIGN_MAP, "--out", cls.out], check_rc=0)
        with open(os.path.join(DESIGN_MAP, "summary.json"), encoding="utf-8") as f:
            cls.summary = json.load(f)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def entries(self, metric):
        return [e for e in self.summary["paired_differences"] if e["metric"] == metric
                and e["reference"] == "single-lock"]

    def test_figures(self):
        self.assert_figures(self.proc.stdout, [
            "percentiles_vs_vms.vcpus_per_pcpu", "throughput_vs_vms.vcpus_per_pcpu", "heatmap_wakeup.p99",
            "diff_wakeup.p99", "diff_wakeup.p999", "diff_sched_in.list_wait.p99"])

    def test_difference_maps(self):
        for metric in ("wakeup.p99", "wakeup.p999", "sched_in.list_wait.p99"):
            svg = self.figure(f"diff_{metric}")
            # The Holm family is every cell of the figure with a p-value (the n=1 cell has none).
            k = sum(1 for e in self.entries(metric) if e["p"] is not None)
            self.assertEqual(k, 68)
            assert_svg_has(svg, [
                f"{d} \u2212 single-lock" for d in ("split-lock", "rcu-list", "handler-removes")] + [
                "n.s.", f"{metric}: design \u2212 single-lock (µs)",
                "paired t-test over 3 replicates (common random numbers); Holm-Bonferroni over "
                f"{k} comparisons in this figure, alpha 0.05; hatched: no significant difference; colour: design "
                "\u2212 single-lock",
                "vms.vcpus_per_pcpu (count)", "vms.device_rate_per_pcpu (per second)", "3k/s", "12k/s", "16",
                "vms.guest_touch_rate, vms.guest_footprint = 300MB/s, 256KiB",
                "vms.guest_touch_rate, vms.guest_footprint = 3GB/s, 8MiB"])
            assert_svg_lacks(svg, ["single-lock \u2212 single-lock", "significance not available"])

    def test_significance_marks(self):
        # As many "n.s." as the Holm-Bonferroni step-down (computed here, independently) leaves standing;
        # "–" for the failed point in each design column and for the single-replicate cell.
        from wakesim_plots import difference
        for metric in ("wakeup.p99", "sched_in.list_wait.p99"):
            ps = sorted(e["p"] for e in self.entries(metric) if e["p"] is not None)
            significant, m = 0, len(ps)
            for k, p in enumerate(ps):
                if p * (m - k) >= 0.05:
                    break
                significant += 1
            texts = svg_texts(os.path.join(self.out, f"diff_{metric}.svg"))
            self.assertEqual(texts.count("n.s."), m - significant, metric)
            self.assertGreater(significant, 10)
            self.assertEqual(texts.count("\u2013"), 3)  # point 21 failed: one cell per design column
            self.assertEqual(texts.count("\u2013 n=1"), 1)
            adjusted = difference.holm([e["p"] for e in self.entries(metric)])
            self.assertEqual(sum(1 for a in adjusted if a is not None and a < 0.05), significant)

    def test_cell_text(self):
        # The largest cut: handler-removes at 16 vCPUs per pCPU, 3k/s, 3GB/s: difference and relative size.
        with open(os.path.join(DESIGN_MAP, "aggregates.csv"), encoding="utf-8") as f:
            rows = [line.split(",") for line in f.read().splitlines()[1:]]
        point = next(r[0] for r in rows if r[1:5] == ["16", "3k/s", "3GB/s", "8MiB"])
        ref = next(float(r[12]) for r in rows if r[0] == point and r[8] == "single-lock" and r[9] == "wakeup.p99")
        diff = next(e["mean_difference"] for e in self.entries("wakeup.p99")
                    if e["point"] == int(point) and e["design"] == "handler-removes")
        assert_svg_has(os.path.join(self.out, "diff_wakeup.p99.svg"), [
            f"{diff / 1000:+.3g} µs".replace("-", "\u2212"), f"{100 * diff / ref:+.0f}%".replace("-", "\u2212")])

    def test_heatmap_has_rows_of_panels(self):
        svg = self.figure("heatmap_wakeup.p99")
        assert_svg_has(svg, DESIGNS + ["handler-removes", "wakeup.p99 mean (µs)", "vms.vcpus_per_pcpu (count)",
                                       "vms.guest_touch_rate, vms.guest_footprint = 3GB/s, 8MiB"])

    def test_curves_have_rows_per_zipped_value(self):
        svg = self.figure("percentiles_vs_vms.vcpus_per_pcpu")
        assert_svg_has(svg, [f"{d}, vms.device_rate_per_pcpu={r}" for d in DESIGNS + ["handler-removes"]
                             for r in ("3k/s", "6k/s", "12k/s")] + [
            "vms.guest_touch_rate, vms.guest_footprint = 300MB/s, 256KiB", "vms.vcpus_per_pcpu (count)"])

    def test_scales(self):
        # The curves' x scale: the spec's (axes: "log" for vms.vcpus_per_pcpu, "linear" for the rate), --log.
        from wakesim_plots import common, curves, registry, sweep
        data = sweep.Sweep(DESIGN_MAP, registry.load(DESIGN_MAP))
        palette = common.Palette(data.designs)

        def scales(**kwargs):
            fig, _ = curves.build(data, [("wakeup.p99", "p99")], None, "t", palette, **kwargs)
            ax = fig.axes[0]
            out = ax.get_xscale(), ax.get_yscale()
            import matplotlib.pyplot as plt
            plt.close(fig)
            return out

        self.assertEqual(scales(), ("log", "linear"))
        self.assertEqual(scales(log="none"), ("linear", "linear"))
        self.assertEqual(scales(log="y"), ("linear", "log"))
        self.assertEqual(scales(x="vms.device_rate_per_pcpu"), ("linear", "linear"))
        self.assertEqual(scales(x="vms.device_rate_per_pcpu", log="xy"), ("log", "log"))
        self.assertEqual(scales(x="vms.guest_footprint", log="x"), ("linear", "linear"))  # categories
        # Without a declared scale: log when the values span more than a factor of 50.
        self.assertEqual(curves.scales(None, [1, 10, 100], False, None), ("log", "linear"))
        self.assertEqual(curves.scales(None, [1, 10, 40], False, None), ("linear", "linear"))
        self.assertEqual(curves.scales("linear", [1, 1000], False, None), ("linear", "linear"))

    def test_line_styles_cycle(self):
        from wakesim_plots import curves
        styles = [curves.line_style(i) for i in range(20)]
        self.assertEqual(len(set(styles)), 20)
        self.assertTrue(all(styles[i] != styles[i + 1] for i in range(19)))

    def test_holm(self):
        from wakesim_plots import difference
        self.assertEqual(difference.holm([0.01, None, 0.04, 0.03]), [0.03, None, 0.06, 0.06])
        self.assertEqual(difference.holm([]), [])


class DesignMapOptionsTest(unittest.TestCase, FigureChecks):
    """The sweep options (--x, --hue, --metric, --log, --reference, --format pdf) on fixtures/design_map, and
    directories without "axes" or p-values."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="wakesim-plots-")
        self.out = os.path.join(self.tmp, "figures")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def plot(self, directory, *options, rc=0):
        return run([BINARY, "plot", directory, "--out", self.out, "--format", "svg", *options], check_rc=rc)

    def test_x_picks_the_other_axis(self):
        proc = self.plot(DESIGN_MAP, "--x", "vms.device_rate_per_pcpu", "--metric", "wakeup.p99")
        svg = self.figure("metrics_vs_vms.device_rate_per_pcpu", ("svg",))
        self.assertIn(svg, proc.stdout.split())
        assert_svg_has(svg, ["vms.device_rate_per_pcpu (per second)",
                             "single-lock, vms.vcpus_per_pcpu=1"])  # the first other axis is the hue
        diff = self.figure("diff_wakeup.p99", ("svg",))
        assert_svg_has(diff, ["vms.device_rate_per_pcpu (per second)", "vms.vcpus_per_pcpu (count)",
                              "wakeup.p99: paired difference from single-lock over vms.device_rate_per_pcpu x "
                              "vms.vcpus_per_pcpu x vms.guest_touch_rate, vms.guest_footprint"])
        texts = svg_texts(diff)
        # x is the panels' bottom label (one per column), y the left one (one per row of panels).
        self.assertEqual(texts.count("vms.device_rate_per_pcpu (per second)"), 3)
        self.assertEqual(texts.count("vms.vcpus_per_pcpu (count)"), 2)

    def test_x_names_a_zipped_group_by_any_key(self):
        self.plot(DESIGN_MAP, "--x", "vms.guest_footprint", "--metric", "wakeup.p99")
        assert_svg_has(self.figure("metrics_vs_vms.guest_footprint", ("svg",)), [
            "vms.guest_touch_rate, vms.guest_footprint", "300MB/s, 256KiB", "3GB/s, 8MiB",
            "single-lock, vms.vcpus_per_pcpu=16", "vms.device_rate_per_pcpu = 12k/s"])
        texts = svg_texts(self.figure("diff_wakeup.p99", ("svg",)))
        self.assertEqual(texts.count("vms.guest_touch_rate, vms.guest_footprint"), 3)  # x, under each column
        self.assertIn("vms.device_rate_per_pcpu = 12k/s", texts)  # the rows of panels

    def test_hue(self):
        # Five values of vms.vcpus_per_pcpu (more than the default hue takes): one line style each.
        self.plot(DESIGN_MAP, "--x", "vms.device_rate_per_pcpu", "--hue", "vms.vcpus_per_pcpu", "--metric", "wakeups")
        svg = self.figure("metrics_vs_vms.device_rate_per_pcpu", ("svg",))
        assert_svg_has(svg, [f"rcu-list, vms.vcpus_per_pcpu={v}" for v in (1, 2, 4, 8, 16)])
        self.plot(DESIGN_MAP, "--hue", "vms.guest_touch_rate", "--metric", "wakeups")
        svg = self.figure("metrics_vs_vms.vcpus_per_pcpu", ("svg",))
        assert_svg_has(svg, ["single-lock, (vms.guest_touch_rate, vms.guest_footprint)=(3GB/s, 8MiB)",
                             "vms.device_rate_per_pcpu = 6k/s"])
        assert_svg_lacks(svg, ["single-lock, vms.device_rate_per_pcpu=6k/s"])
        proc = self.plot(DESIGN_MAP, "--hue", "vms.vcpus_per_pcpu", rc=2)
        self.assertIn("--hue vms.vcpus_per_pcpu: the same sweep axis as --x vms.vcpus_per_pcpu", proc.stderr)

    def test_metric_list(self):
        proc = self.plot(DESIGN_MAP, "--metric", "wakeup.mean,wakeups")
        stems = ["metrics_vs_vms.vcpus_per_pcpu", "heatmap_wakeup.mean", "heatmap_wakeups", "diff_wakeup.mean",
                 "diff_wakeups"]
        self.assertEqual(sorted(proc.stdout.split()), sorted(os.path.join(self.out, f"{s}.svg") for s in stems))
        assert_svg_has(self.figure("metrics_vs_vms.vcpus_per_pcpu", ("svg",)),
                       [re.compile(r"^wakeup\.mean \((ns|µs)\)$"), "wakeups (per second)"])
        # A difference of exactly 0 in every replicate has p = 1: not significant.
        assert_svg_has(self.figure("diff_wakeups", ("svg",)), ["n.s.", "+0/s"])

    def test_pdf_is_reproducible(self):
        contents = []
        for name in ("a", "b"):
            out = os.path.join(self.tmp, name)
            run([sys.executable, SCRIPT, DESIGN_MAP, "--out", out, "--format", "pdf", "--metric", "wakeup.p99"],
                check_rc=0)
            with open(os.path.join(out, "diff_wakeup.p99.pdf"), "rb") as f:
                contents.append(f.read())
            self.assertEqual(sorted(os.listdir(out)), ["diff_wakeup.p99.pdf", "heatmap_wakeup.p99.pdf",
                                                       "metrics_vs_vms.vcpus_per_pcpu.pdf"])
        self.assertTrue(contents[0].startswith(b"%PDF-"))
        self.assertTrue(contents[0].rstrip().endswith(b"%%EOF"))
        self.assertEqual(contents[0], contents[1])

    def test_bad_options_are_exit_2_with_a_hint(self):
        cases = [
            (["--x", "vms.vcpus_per_pcp"], ["--x vms.vcpus_per_pcp: not a swept key or derived column",
                                            "did you mean 'vms.vcpus_per_pcpu'?",
                                            "choose from vms.vcpus_per_pcpu, vms.device_rate_per_pcpu, "
                                            "vms.guest_touch_rate, vms.guest_footprint"]),
            (["--hue", "vms.guest_footprnt"], ["did you mean 'vms.guest_footprint'?"]),
            (["--metric", "wakeup.p99,wakup.p999"], ["--metric wakup.p999", "did you mean 'wakeup.p999'?"]),
            (["--metric", "lock.rq.wait.p99"], ["declared, but", "has no values of it"]),
            (["--log", "z"], ["--log z: choose from x, y, xy, none"]),
            (["--reference", "rcu-lst"], ["did you mean 'rcu-list'?", "choose from single-lock, split-lock"]),
            (["--reference", "rcu-list"], ["pairs the designs with single-lock only",
                                           "--resume --reference rcu-list"]),
        ]
        for options, messages in cases:
            proc = self.plot(DESIGN_MAP, *options, rc=2)
            for message in messages:
                self.assertIn(message, proc.stderr, options)
            self.assertNotIn("Traceback", proc.stderr)
            self.assertFalse(os.path.exists(self.out), options)  # checked before any figure is written

    def copy_with(self, source, change):
        copy = os.path.join(self.tmp, "copy")
        shutil.copytree(source, copy)
        path = os.path.join(copy, "summary.json")
        with open(path, encoding="utf-8") as f:
            summary = json.load(f)
        change(summary)
        with open(path, "w", encoding="utf-8") as f:
            json.dump(summary, f)
        return copy

    def test_without_p_values_draws_without_marks(self):
        def drop_p(summary):
            for e in summary["paired_differences"]:
                del e["p"]
        copy = self.copy_with(DESIGN_MAP, drop_p)
        self.plot(copy, "--metric", "wakeup.p99")
        svg = self.figure("diff_wakeup.p99", ("svg",))
        assert_svg_has(svg, ["significance not available (no p-values in summary.json); colour: design \u2212 "
                             "single-lock", "handler-removes \u2212 single-lock"])
        assert_svg_lacks(svg, ["n.s.", "Holm"])

    def test_without_axes_every_key_is_an_axis(self):
        # Four axes then (the zipped keys apart): more than the difference maps show.
        copy = self.copy_with(DESIGN_MAP, lambda summary: summary.pop("axes"))
        proc = self.plot(copy, rc=2)
        self.assertIn("4 sweep axes with several values", proc.stderr)
        self.assertIn("the difference maps show at most 3", proc.stderr)

    def test_old_two_key_sweep_without_axes_or_p(self):
        # sweep2 with paired differences as wakesim wrote them before "p" (and without "axes"): a map of two axes.
        with open(os.path.join(FIXTURES, "sweep2", "aggregates.csv"), encoding="utf-8") as f:
            lines = f.read().splitlines()
        head = lines[0].split(",")
        means = {}
        for line in lines[1:]:
            cells = line.split(",")
            means[(cells[0], cells[head.index("design")], cells[head.index("metric")])] = float(
                cells[head.index("mean")])
        pairs = [{"point": int(p[1:]), "design": d, "reference": "single-lock", "metric": m, "unit": "ns", "n": 3,
                  "mean_difference": v - means[(p, "single-lock", m)], "ci95_low": None, "ci95_high": None}
                 for (p, d, m), v in sorted(means.items()) if d != "single-lock" and m == "wakeup.p99"]
        copy = self.copy_with(os.path.join(FIXTURES, "sweep2"), lambda s: s.update(paired_differences=pairs))
        self.plot(copy)
        svg = self.figure("diff_wakeup.p99", ("svg",))
        assert_svg_has(svg, ["significance not available", "my-design \u2212 single-lock", "vms.count (count)",
                             "poisson(4k/s)"])


class CapacityTest(unittest.TestCase, FigureChecks):
    """fixtures/capacity: probes with CIs against two SLOs; answers found, none and all."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="wakesim-plots-")
        cls.out = os.path.join(cls.tmp, "figures")
        cls.proc = run([BINARY, "plot", os.path.join(FIXTURES, "capacity"), "--out", cls.out], check_rc=0)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def test_capacity(self):
        self.assert_figures(self.proc.stdout, ["capacity"])
        svg = self.figure("capacity")
        assert_svg_has(svg, DESIGNS + [
            "single-lock: answer: vms.count = 12", "split-lock: no value in range meets the SLOs",
            "rcu-list: every value in range meets the SLOs", "SLO wakeup.p99<=50us", "SLO requests>=2k/s",
            "pass", "fail", "uncertain", "wakeup.p99 estimate (µs)", "requests estimate (per second)",
            "vms.count (probed value)"])
        assert_colours(svg, DESIGNS)


class PruneTest(unittest.TestCase):
    """results/prune.py, which shrinks the committed sweeps: what it removes, what it keeps, and that the
    pruned directory still draws."""

    def test_prunes_points_arrays_and_other_metrics_and_still_draws(self):
        tmp = tempfile.mkdtemp(prefix="wakesim-prune-")
        try:
            d = os.path.join(tmp, "map")
            shutil.copytree(os.path.join(FIXTURES, "design_map"), d)
            os.makedirs(os.path.join(d, "points", "p0000", "runs"))
            os.makedirs(os.path.join(d, "points", "p0001"))
            with open(os.path.join(d, "sweep.json"), "w") as f:
                json.dump({"kind": "sweep"}, f)
            with open(os.path.join(d, "runs.csv"), "w") as f:
                f.write("point,design,replicate,seed,error,events,wakeup.p99,lock.rq.wait.p99,sched_in.list_wait.p99\n"
                        "0,single-lock,0,1,,100,5.5,1.25,0\n")
            with open(os.path.join(d, "summary.json")) as f:
                before = json.load(f)
            before["runs"] = [{"point": 0}]
            before["aggregates"] = [{"point": 0}]
            with open(os.path.join(d, "summary.json"), "w") as f:
                json.dump(before, f)
            metrics_before = {p["metric"] for p in before["paired_differences"]}
            self.assertIn("wakeup.p99", metrics_before)
            self.assertTrue(metrics_before - {"wakeup.p99", "wakeup.p999", "sched_in.list_wait.p99"})
            run([sys.executable, os.path.join(SOURCE, "results", "prune.py"), d, "--metrics",
                 "wakeup.*,sched_in.list_wait.*", "--keep-point", "p0001"], check_rc=0)
            self.assertEqual(os.listdir(os.path.join(d, "points")), ["p0001"])
            with open(os.path.join(d, "summary.json")) as f:
                after = json.load(f)
            self.assertNotIn("runs", after)
            self.assertNotIn("aggregates", after)
            self.assertIn("pruned", after)
            kept = {p["metric"] for p in after["paired_differences"]}
            self.assertEqual(kept, {m for m in metrics_before if m.startswith(("wakeup.", "sched_in.list_wait."))})
            with open(os.path.join(d, "aggregates.csv")) as f:
                rows = f.read().splitlines()[1:]
            self.assertTrue(rows)
            self.assertTrue(all(",wakeup." in r or ",sched_in.list_wait." in r for r in rows))
            self.assertEqual(before["verdicts"], after["verdicts"])
            with open(os.path.join(d, "runs.csv")) as f:
                head = f.readline().strip().split(",")
            self.assertIn("events", head)
            metric_columns = head[head.index("events") + 1:]
            self.assertTrue(metric_columns)
            self.assertTrue(all(m.startswith(("wakeup.", "sched_in.list_wait.")) for m in metric_columns), head)
            out = os.path.join(tmp, "figs")
            run([sys.executable, SCRIPT, d, "--out", out, "--format", "png"], check_rc=0)
            self.assertTrue(os.path.isfile(os.path.join(out, "diff_wakeup.p999.png")))
            # Not a sweep: refused, nothing touched.
            proc = run([sys.executable, os.path.join(SOURCE, "results", "prune.py"), tmp])
            self.assertEqual(proc.returncode, 2)
            self.assertIn("not a sweep results directory", proc.stderr)
        finally:
            shutil.rmtree(tmp)


class CommandLineTest(unittest.TestCase):
    """`wakesim plot`'s errors and exit statuses, and the palette."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="wakesim-plots-")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def test_not_a_results_directory(self):
        proc = run([BINARY, "plot", self.tmp])
        self.assertEqual(proc.returncode, 2)
        self.assertIn("not a wakesim results directory", proc.stderr)
        proc = run([BINARY, "plot", os.path.join(self.tmp, "missing")])
        self.assertEqual(proc.returncode, 2)
        self.assertIn("no such directory", proc.stderr)

    def test_nothing_to_draw(self):
        with open(os.path.join(self.tmp, "manifest.json"), "w", encoding="utf-8") as f:
            f.write('{"kind": "capacity"}\n')
        proc = run([BINARY, "plot", self.tmp])
        self.assertEqual(proc.returncode, 2, proc.stderr)
        self.assertIn("error:", proc.stderr)
        self.assertNotIn("Traceback", proc.stderr)
        self.assertFalse(os.path.exists(os.path.join(self.tmp, "figures")))

    def test_old_unit_suffixed_names_are_a_clear_error(self):
        copy = os.path.join(self.tmp, "old")
        shutil.copytree(os.path.join(FIXTURES, "sweep2"), copy)
        path = os.path.join(copy, "aggregates.csv")
        with open(path, encoding="utf-8") as f:
            text = f.read()
        with open(path, "w", encoding="utf-8") as f:
            f.write(text.replace(",wakeup.p99,", ",wakeup.p99_ns,"))
        proc = run([BINARY, "plot", copy])
        self.assertEqual(proc.returncode, 2)
        self.assertIn("metric 'wakeup.p99_ns' has the unit in its name", proc.stderr)
        self.assertNotIn("Traceback", proc.stderr)

    def test_without_metrics_json_the_names_come_from_wakesim(self):
        # `wakesim plot` gives the script itself, whose `list metrics --json` declares the names.
        copy = os.path.join(self.tmp, "bare")
        shutil.copytree(os.path.join(FIXTURES, "sweep2"), copy, ignore=shutil.ignore_patterns("metrics.json"))
        proc = run([BINARY, "plot", copy, "--format", "svg"], check_rc=0)
        self.assertIn(os.path.join(copy, "figures", "heatmap_wakeup.p99.svg"), proc.stdout.split())
        proc = run([sys.executable, SCRIPT, copy, "--format", "svg"])
        self.assertEqual(proc.returncode, 2)
        self.assertIn("no metrics.json", proc.stderr)

    def test_malformed_csv_is_a_clear_error(self):
        os.makedirs(os.path.join(self.tmp, "histograms", "single-lock"))
        with open(os.path.join(self.tmp, "histograms", "single-lock", "wakeup.csv"), "w", encoding="utf-8") as f:
            f.write("lo,hi\n1,2\n")
        proc = run([BINARY, "plot", self.tmp])
        self.assertEqual(proc.returncode, 2)
        self.assertIn("missing column(s) lower_ns, upper_ns, count", proc.stderr)
        self.assertNotIn("Traceback", proc.stderr)

    def test_no_interpreter_names_the_packages(self):
        proc = run([BINARY, "plot", os.path.join(FIXTURES, "capacity"), "--out", self.tmp],
                   env={"WAKESIM_PYTHON": "/bin/false"})
        self.assertEqual(proc.returncode, 2)
        self.assertIn("python3-matplotlib python3-pandas", proc.stderr)

    def test_script_failure_is_exit_1(self):
        with open(os.path.join(self.tmp, "plot_results.py"), "w", encoding="utf-8") as f:
            f.write("import sys\nprint('boom', file=sys.stderr)\nsys.exit(3)\n")
        proc = run([BINARY, "plot", os.path.join(FIXTURES, "capacity")], env={"WAKESIM_PLOTS": self.tmp})
        self.assertEqual(proc.returncode, 1)
        self.assertIn("boom", proc.stderr)
        self.assertIn("exit status 3", proc.stderr)

    def test_directory_name_is_not_given_to_a_shell(self):
        odd = os.path.join(self.tmp, "a b;touch pwned;$(touch pwned2)'\"")
        shutil.copytree(os.path.join(FIXTURES, "capacity"), odd)
        proc = run([BINARY, "plot", odd, "--format", "svg"], check_rc=0)
        self.assertEqual(proc.stdout.split("\n")[0], os.path.join(odd, "figures", "capacity.svg"))
        self.assertFalse(os.path.exists("pwned") or os.path.exists("pwned2")
                         or os.path.exists(os.path.join(self.tmp, "pwned")))

    def test_bad_format(self):
        proc = run([BINARY, "plot", os.path.join(FIXTURES, "capacity"), "--format", "jpg", "--out", self.tmp])
        self.assertEqual(proc.returncode, 2)
        self.assertIn("choose from png, svg, pdf", proc.stderr)

    def test_options_are_passed_on(self):
        out = os.path.join(self.tmp, "f")
        proc = run([BINARY, "plot", os.path.join(FIXTURES, "sweep1"), "--out", out, "--format", "pdf", "--point",
                    "p0000", "--metric", "wakeup.p99", "--x", "vms.device_arrivals", "--log", "y", "--reference",
                    "split-lock"], check_rc=0)
        self.assertEqual(proc.stdout.split(), [os.path.join(out, "metrics_vs_vms.device_arrivals.pdf"),
                                               os.path.join(out, "decomposition.pdf")])
        proc = run([BINARY, "plot", os.path.join(FIXTURES, "sweep1"), "--out", out, "--hue", "vms.count"])
        self.assertEqual(proc.returncode, 2)
        self.assertIn("--hue vms.count: not a swept key or derived column", proc.stderr)

    def test_palette(self):
        from wakesim_plots import common
        palette = common.Palette(["zeta", "rcu-list", "alpha"])
        self.assertEqual(palette("single-lock"), COLOURS["single-lock"])
        self.assertEqual(palette("rcu-list"), COLOURS["rcu-list"])
        self.assertEqual(palette("alpha"), common.OTHER_PALETTE[0])
        self.assertEqual(palette("zeta"), common.OTHER_PALETTE[1])

    def test_checks_can_fail(self):
        svg = os.path.join(self.tmp, "t.svg")
        with open(svg, "w", encoding="utf-8") as f:
            f.write('<svg xmlns="http://www.w3.org/2000/svg"><text>single-lock</text><text>latency (ns)</text></svg>')
        assert_svg_has(svg, ["single-lock", "latency (ns)"])
        with self.assertRaises(AssertionError):
            assert_svg_has(svg, ["split-lock"])  # a design missing from the legend fails
        with open(svg, "w", encoding="utf-8") as f:
            f.write('<svg xmlns="http://www.w3.org/2000/svg"><text>x</text>')
        with self.assertRaises(AssertionError):
            svg_texts(svg)
        png = os.path.join(self.tmp, "t.png")
        with open(png, "wb") as f:
            f.write(b"\x89PNG\r\n\x1a\n" + struct.pack(">I4sII", 13, b"IHDR", 1, 1) + b"\0" * 20)
        with self.assertRaises(AssertionError):
            check_png(png)


if __name__ == "__main__":
    unittest.main(verbosity=2)
