"""The run of a check: ``engine`` takes a TARGET's suites, runs each function's contract through
the stages of ``stages`` in its box, and gives records; ``training`` adds the training curves
and the planar sweep; ``cache`` keeps the reference side on disk; ``grading`` grades many
submissions (a local process pool or a Dask cluster) and ``gradebook`` keeps their results.

May import the suites, the box, judging and reading; the front doors import it, never the reverse.
"""
