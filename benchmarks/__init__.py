"""Benchmarks: ``python -m benchmarks [NAME ...] [--json]``.

Each module ``benchmarks/bench_<name>.py`` defines ``NAME``, ``DESCRIPTION`` and
``run(args) -> dict`` returning ``{"figures": {...}, "table": [[...], ...], "headers": [...]}``
(table optional). Figures are printed, never asserted: targets are judged by reading them.
"""
