"""Benchmarks: scripts that print figures, ratios and verdicts (not tests)."""
