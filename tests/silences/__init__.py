"""Tests for tocsin.silences."""
