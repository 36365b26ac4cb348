"""Autograding of the exercise sheets: see docs/grading.md."""
