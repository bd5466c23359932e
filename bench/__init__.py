"""Benchmarks: `python -m bench.reports` times the reports over a million generated calls."""
