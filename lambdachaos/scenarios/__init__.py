"""Scenario files, replay readers and game days."""
