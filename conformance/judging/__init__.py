"""Judging one value against another, with no knowledge of where they came from: strict
comparison (``compare``), what kind of bug a difference looks like (``diagnosis``, ``bug_classes``),
how much a finding counts (``severity``, ``conventions``), the one tolerance table
(``tolerances``), and the record each check leaves (``records``, written by ``jsonfile``).

Imports nothing else of the harness: the suites, the run, the front doors and the report use it.
"""
