"""The TIC initiative catalogue and the committee (SPEC §6)."""
