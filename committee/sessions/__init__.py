"""Planning sessions (SPEC §6, seed Mesa §5, §7): the year's plan, the agenda, guests and convocations with iCalendar."""
