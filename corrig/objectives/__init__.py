"""Objectives: the AI's utility as a sum of expectations over branches (given, do, observed >> do)."""
