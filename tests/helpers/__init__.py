"""Helpers shared by the tests (no tests here): runtime harnesses and their cases."""
