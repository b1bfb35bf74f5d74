"""Tests for tocsin.tasks."""
