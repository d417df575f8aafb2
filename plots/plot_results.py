#!/usr/bin/env python3
"""Draws the figures of a wakesim results directory (a run, a sweep or a capacity study) as PNG, SVG or PDF.

usage: plot_results.py DIR [--out FIGDIR] [--format png,svg,pdf] [--point pNNNN] [--metric LIST] [--x KEY]
                       [--hue KEY] [--log x|y|xy|none] [--reference DESIGN] [--wakesim BINARY]

Writes to DIR/figures/ by default and prints each file written. Needs matplotlib and pandas (Debian:
python3-matplotlib, python3-pandas). `wakesim plot DIR` runs this script. The figures and their input
files are listed in wakesim_plots/cli.py and in each module's header.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from wakesim_plots.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
