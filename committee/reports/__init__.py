"""The four-monthly report to the mayor (SPEC §6, seed Mesa §6): sessions, decisions, initiatives, commitments and ANS figures."""
