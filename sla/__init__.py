"""The ANS engine: business-time calendars, timers and reports (SPEC §5)."""
