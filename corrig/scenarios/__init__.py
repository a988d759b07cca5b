"""Scenarios: files that declare a world, an objective, candidates and claims — Python (a program) or
TOML (data, read by a whitelist evaluator) — and the check of their claims."""
