"""Rubric, graders (offline and LLM), evidence checks and the feedback service."""
