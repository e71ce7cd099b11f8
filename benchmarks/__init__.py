"""Benchmarks: esc at full scale (about 200 countries, 5,000 HS6 products, 11 M flows a year).

Run ``python -m benchmarks`` (full scale; generated data is cached under ``benchmarks/_data``)
or ``python -m benchmarks --quick`` (small sizes, seconds). Every case runs in its own
subprocess, so that its peak memory can be read, and is set against a baseline measured in
the same run: plain pandas for ingest, concentration and filtered reads, the Growth Lab's
``ecomplexity`` package for PCI/ECI. Results are in ``docs/performance.md``.
"""
