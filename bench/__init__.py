"""Benchmarks with their recorded results; not run by the default test command."""
