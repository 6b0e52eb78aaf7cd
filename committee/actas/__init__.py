"""The acta of a session (SPEC §6, seed Mesa §4, §6): the draft, its versions, sending, answers, approval (express, tacit, final) and signatures."""
