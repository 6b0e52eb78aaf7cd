"""Tests of the initiative catalogue (SPEC §6)."""
