"""Tests that the bench/ scripts run."""
