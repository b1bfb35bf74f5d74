"""Tests for the alert node."""
