"""Benchmarks: each prints its numbers beside a reference measured in the same run."""
