"""Benchmarks: measured, printed with ratios against a baseline from the same run; never asserted."""
