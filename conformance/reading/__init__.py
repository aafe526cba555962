"""Reading the user's code, without running it: which files a TARGET names (``loader``), which
suite lives in which file (``discovery``), and each file read as definitions only (``sources``:
notebooks as downloaded, ``.py`` files whose top level runs tests). ``names`` is the table of the
functions each suite checks, by name; ``layouts`` reads a class's submissions as teachers download
them, and ``fingerprints`` hashes function bodies (groups of identical code).

Imports nothing else of the harness: every other part may use it.
"""
