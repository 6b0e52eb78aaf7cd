"""Tests of the committee (SPEC §6): sessions, the room, actas, deadlines, commitments, the report to the mayor."""
