"""Commitments made in a session (SPEC §6): responsible, due date, follow-up at later sessions, overdue notices to Control Interno."""
