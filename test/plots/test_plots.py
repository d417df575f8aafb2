"""Tests of the figures: plots/plot_results.py and `wakesim plot` on a live single run and on the hand-made
sweep and capacity fixtures in test/plots/fixtures/ (see their README.md). Every figure written is checked
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

    def test_lines_per_second_key_value(self):
        svg = self.figure("percentiles_vs_vms.count")
        assert_svg_has(svg, [f"{d}, vms.device_arrivals=poisson({r}/s)" for d in DESIGNS + ["my-design"]
                             for r in ("1k", "4k")] + ["vms.count (count)"])
        assert_colours(svg, DESIGNS + ["my-design"])


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
        self.assertIn("choose from png, svg", proc.stderr)

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
