"""Activities 1–2: the evaluations (FURAG, ITD, IGA, own), gaps and analysis sessions."""
