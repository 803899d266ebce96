"""Benchmarks: speed and quality measurements, run as modules (never as timed tests)."""
