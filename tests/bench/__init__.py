"""Benchmarks: `python -m tests.bench NAME`; each reports ratios against a floor run alongside."""
