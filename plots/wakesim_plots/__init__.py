"""Figures from wakesim results directories (run, sweep, capacity). See plots/plot_results.py."""
