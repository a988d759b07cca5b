"""Benchmarks (run on demand, never by the test suite): `python -m benchmarks [--quick] [--max-T N]`.

See docs/benchmarks.md and benchmarks/run.py.
"""
