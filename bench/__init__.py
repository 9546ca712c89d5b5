"""Benchmark harness: a city-scale data generator and a page timer (not tests)."""
