"""Benchmarks that print ratios against a bare baseline measured on the same machine."""
