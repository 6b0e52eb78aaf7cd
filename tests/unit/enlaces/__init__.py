"""Tests of enlace designations and handovers (SPEC §2)."""
