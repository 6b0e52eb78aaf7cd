"""Tests of the initiative catalogue and the committee (SPEC §6)."""
