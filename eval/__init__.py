"""Evaluation and measurement scripts over the library API."""
