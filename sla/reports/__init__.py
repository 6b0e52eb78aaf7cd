"""The ANS report for the Secretario (SPEC §5).

- ``queries``: the period and its figures, every aggregate computed in SQL (compliance, medians
  and 90th percentiles, open requests by age, breaches, the Secretario's exceptions).
- ``assembly``: the report put together from those queries, with its labels, as pages and exports use it.
"""
