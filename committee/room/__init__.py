"""The session in the room (SPEC §6, seed Mesa §8): installation, attendance, quorum, votes and the casting decision, closing."""
