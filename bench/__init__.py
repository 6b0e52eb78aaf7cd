"""``make bench``: the ANS engine's performance targets (issue 5), measured on this machine.

- 1,000,000 due-date computations with the Colombian calendar, single and batch forms, next to the
  ``businesstimedelta`` package doing the same work (the reference, on a sample scaled up);
- one periodic tick over 1,000,000 open timers of which 1 % have a notice due;
- the monthly ANS report over 1,000,000 requests;
- provisioning (issue 15): 1,000 approved account creations into a real slapd by one and by two
  Celery workers (``bench/provisioning.py``, with its own slapd and Redis).

It starts its own throw-away PostgreSQL (``tests.fixtures.services.Postgres``), loads the rows with
COPY, prints one table and writes ``bench/results.json``. Not part of ``make test``.
"""
