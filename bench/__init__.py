"""Benchmarks: `python -m bench.<area>`; results in docs/bench/."""
