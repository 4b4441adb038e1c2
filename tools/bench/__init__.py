"""Benchmark of the performance goals (spec: product.md, « Performance »). Run: ``make bench``."""
