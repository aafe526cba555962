"""The class gradebook: one SQLite database (``DIR/gradebook.sqlite``) that keeps each student's
results, keyed by the content hash of what was checked.

A student's row is written in one transaction as soon as their submission is graded, so a run
that is killed loses at most the submissions in flight, and the next run re-checks only the
students whose key changed (a new or re-uploaded submission, other helper files or options, or
another version of the harness). The CSV files and the pages are regenerated from here.
"""

import json
import sqlite3
import time

SCHEMA = """
CREATE TABLE IF NOT EXISTS submissions (
    student    TEXT PRIMARY KEY,   -- the student's id as the layout names it
    key        TEXT NOT NULL,      -- content hash of the files, helpers, options and harness checked
    name       TEXT,               -- a display name, where the layout gives one
    submission TEXT,               -- the submission's path relative to SUBMISSIONS
    late       INTEGER,            -- 1, 0, or NULL where the layout does not say
    status     TEXT NOT NULL,      -- graded | unreadable | empty | timeout | error
    reason     TEXT,
    graded_at  REAL NOT NULL,      -- seconds since the epoch
    duration_s REAL,
    results    TEXT,               -- the results document (meta and records) as JSON
    report     TEXT                -- the student's own HTML report
);
CREATE TABLE IF NOT EXISTS settings (name TEXT PRIMARY KEY, value TEXT);
"""

STATUSES = ("graded", "unreadable", "empty", "timeout", "error")


class GradebookError(RuntimeError):
    """The gradebook file exists but is not a gradebook (or cannot be opened)."""


class Gradebook:
    """``Gradebook(path)``: opened (and made) at ``path``; ``":memory:"`` for tests."""

    def __init__(self, path):
        self.path = path
        try:
            self.db = sqlite3.connect(path, timeout=30)
            self.db.execute("PRAGMA journal_mode=WAL")  # readers never block the run's writes
            self.db.executescript(SCHEMA)
        except sqlite3.DatabaseError as exc:
            raise GradebookError(f"{path} is not a gradebook nnconf can use ({exc}); give another --out "
                                 "or remove the file") from None

    def close(self):
        self.db.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def keys(self):
        """student -> the key of their stored results."""
        return dict(self.db.execute("SELECT student, key FROM submissions"))

    def store(self, row):
        """One student's results (a dict with the columns of ``submissions``), in one transaction."""
        if row["status"] not in STATUSES:
            raise ValueError(f"unknown status {row['status']!r}")
        values = {**row, "graded_at": row.get("graded_at") or time.time(),
                  "late": None if row.get("late") is None else int(bool(row["late"])),
                  "results": None if row.get("results") is None else json.dumps(row["results"], allow_nan=False,
                                                                               default=str)}
        columns = ("student", "key", "name", "submission", "late", "status", "reason", "graded_at", "duration_s",
                   "results", "report")
        with self.db:
            self.db.execute(f"INSERT OR REPLACE INTO submissions ({', '.join(columns)}) "
                            f"VALUES ({', '.join('?' * len(columns))})", [values.get(c) for c in columns])

    def rows(self, students=None):
        """The stored rows as dicts (``results`` decoded), in the order of ``students`` if given."""
        cursor = self.db.execute("SELECT * FROM submissions ORDER BY student")
        names = [d[0] for d in cursor.description]
        found = {}
        for values in cursor:
            row = dict(zip(names, values))
            row["results"] = json.loads(row["results"]) if row["results"] else None
            row["late"] = None if row["late"] is None else bool(row["late"])
            found[row["student"]] = row
        return list(found.values()) if students is None else [found[s] for s in students if s in found]

    def setting(self, name, value=None):
        """Read (``value`` None) or write one setting of the class (the layout, the options)."""
        if value is None:
            found = self.db.execute("SELECT value FROM settings WHERE name = ?", (name,)).fetchone()
            return None if found is None else json.loads(found[0])
        with self.db:
            self.db.execute("INSERT OR REPLACE INTO settings VALUES (?, ?)", (name, json.dumps(value)))
        return value
