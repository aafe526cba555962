"""Which student handed in which files: a class's submissions as teachers download them, read
from names and folders only (nothing is opened, extracted or run).

:func:`detect` recognises five layouts (``layout=`` forces one):

- ``nbgrader``: ``submitted/<student>/<assignment>/...``; SUBMISSIONS is the course folder or its
  ``submitted/`` folder. With several assignments, ``assignment=`` chooses one.
- ``canvas``: the flat files of Canvas' "Download Submissions" zip. Canvas names them (canvas-lms,
  ``lib/content_zipper.rb``, ``get_filename`` and ``add_upload_submission``)
  ``<lastfirst>[_LATE]_<user id>_<file id>_<original name>``, where ``lastfirst`` is the sortable
  name lowercased with every non-word character removed (``"Doe, John"`` -> ``doejohn``), ``LATE``
  marks a late submission, and an anonymous assignment replaces ``<lastfirst>_<user id>`` by
  ``anon_<anonymous id>``; a text entry is ``<lastfirst>[_LATE]_<user id>_text.html`` (a URL,
  ``_link.html``). A file uploaded again under the same name is renamed by Canvas
  (``Attachment.make_unique_filename``) ``name-1.ext``, ``name-2.ext``: where both versions are
  there, the newer one (the larger file id) is kept and the other named in the notes.
- ``moodle``: one folder per student and submission plugin, ``<Full Name>_<participant id>_
  assignsubmission_file`` (Moodle >= 3.1, ``mod/assign/classes/downloader.php``; a trailing ``_``
  in older versions), ``..._assignsubmission_onlinetext`` beside it for an online text; before 3.1
  flat files ``<Full Name>_<id>_assignsubmission_file_<original name>``. A team's prefix is its
  group's name and id, a blind-marked one ``Participant_<id>``. The student is the prefix.
- ``classroom``: GitHub Classroom clones, ``<assignment>-<username>/`` (``gh classroom clone
  student-repos`` puts them in ``<assignment>-submissions/``; its ``starter-repo`` clone is named
  ``<assignment>``, and is left out). The prefix the folders share is the assignment's.
- ``flat``: one folder, notebook, ``.py`` file or ``.zip`` per student, named by the student.

Every student appears once, under an id that is a safe file name (:func:`safe_name`): files of one
student make one :class:`Submission`; two students whose ids would be the same file name stay two,
the second with a suffix (and a note). Hidden files, ``__MACOSX``, ``.ipynb_checkpoints``,
``__pycache__`` and environment folders are left out, links that leave SUBMISSIONS are never
followed, and the walk is bounded; each is said in :attr:`Layout.notes`.
"""

import hashlib
import os
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass

from nnconf.conformance.reading.sources import SKIPPED_FOLDERS

LAYOUTS = ("nbgrader", "canvas", "moodle", "classroom", "flat")

# Bounds of the walk. A class is hundreds of students of a few files each: more than MAX_ENTRIES
# entries under SUBMISSIONS means the wrong folder (a home folder, a disk), and is an error.
# One student's tree deeper than MAX_DEPTH or larger than MAX_SUBMISSION_FILES is cut there,
# with a note, so that one submission cannot stop the class's grading.
MAX_ENTRIES = 100_000
MAX_DEPTH = 24
MAX_SUBMISSION_FILES = 5_000
MAX_NOTES = 100  # notes of their own line; the rest are counted
MAX_NAME_BYTES = 120  # a student's id as a file name (DIR/students/<id>.html), in UTF-8

FLAT_SUFFIXES = (".ipynb", ".py", ".zip")
EXPECTED = {  # each layout's shape, for messages
    "nbgrader": "submitted/<student>/<assignment>/ folders",
    "canvas": "files named <lastfirst>[_LATE]_<user id>_<file id>_<name>, as Canvas' Download Submissions gives them",
    "moodle": "folders <Full Name>_<id>_assignsubmission_file, as Moodle's Download all submissions gives them",
    "classroom": "GitHub Classroom clones named <assignment>-<username>",
    "flat": "one folder, notebook, .py file or .zip per student",
}
# Left out anywhere (besides hidden names): residue of archives, editors and systems.
JUNK_FOLDERS = {"__MACOSX": "__MACOSX folders (macOS' archive residue)",
                ".ipynb_checkpoints": ".ipynb_checkpoints folders (Jupyter's autosaves)",
                "__pycache__": "__pycache__ folders (Python's bytecode)"}
JUNK_FILES = {"Thumbs.db", "desktop.ini"}


@dataclass(frozen=True)
class Submission:
    """One student's submission."""

    student: str  # the student's id as the layout names it, made a safe file name (unique within the class)
    files: tuple[str, ...]  # absolute paths of the student's files (a .zip stays a .zip)
    root: str  # the submission's path relative to SUBMISSIONS (a folder, or its first file)
    late: bool | None = None  # None where the layout does not say
    name: str | None = None  # a display name where the layout gives one (Canvas lastfirst, Moodle full name)


@dataclass(frozen=True)
class Layout:
    """A class's submissions as one layout reads them."""

    name: str  # one of LAYOUTS
    submissions: tuple[Submission, ...]  # sorted by student
    notes: tuple[str, ...]  # what was left out and why, one line each


class LayoutError(ValueError):
    """SUBMISSIONS cannot be read as a class's submissions: the message says what was expected
    and what to do."""


# --- student ids as file names ------------------------------------------------------------------

_UNSAFE = re.compile(r"[^\w.-]+")  # \w: letters and digits of any script, and "_"
_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}


def safe_name(student):
    """``student`` as a file name safe on every system: letters and digits of any script, ``_``,
    ``-`` and ``.`` (anything else becomes ``_``), never hidden, never a Windows device name, at most
    MAX_NAME_BYTES in UTF-8 (a longer one is cut and ends with a hash of the whole). The same for
    the same input, and unchanged for its own output (``safe_name(safe_name(s)) == safe_name(s)``).
    Two ids may differ only in case: ids from :func:`detect` never do."""
    text = _UNSAFE.sub("_", unicodedata.normalize("NFC", str(student)))
    text = re.sub(r"_{2,}", "_", text).strip("._-") or "student"
    if text.split(".")[0].lower() in _RESERVED:
        text = "_" + text
    if len(text.encode("utf-8")) > MAX_NAME_BYTES:
        digest = hashlib.sha256(str(student).encode("utf-8", "surrogatepass")).hexdigest()[:8]
        while len(text.encode("utf-8")) > MAX_NAME_BYTES - len(digest) - 1:
            text = text[:-1]
        text = text.rstrip("._-") + "-" + digest
    return text


# --- walking the tree ---------------------------------------------------------------------------


class _Notes:
    """The notes of a reading: what was left out, one line each; the usual residue (hidden files,
    checkpoints) counted in one line per kind."""

    def __init__(self):
        self.lines, self.more, self.kinds = {}, 0, {}

    def add(self, line):
        if line in self.lines:
            return
        if len(self.lines) < MAX_NOTES:
            self.lines[line] = None
        else:
            self.more += 1

    def count(self, kind, where):
        self.kinds.setdefault(kind, {})[where] = None

    def result(self):
        out = list(self.lines)
        if self.more:
            out.append(f"and {self.more} more places left out (as above)")
        for kind, places in self.kinds.items():
            places = list(places)
            shown = ", ".join(places[:3]) + (", ..." if len(places) > 3 else "")
            out.append(f"{kind}: {len(places)} left out ({shown})")
        return tuple(out)


class _Walk:
    """Listings of folders under one SUBMISSIONS root, each read once: what is left out (hidden,
    residue, links out of the tree, what is not a file) goes to the notes."""

    def __init__(self, root):
        self.root = os.path.abspath(root)
        self.real = os.path.realpath(root)
        self.notes = _Notes()
        self.entries_seen = 0
        self._listed = {}

    def rel(self, path):
        return os.path.relpath(path, self.root).replace(os.sep, "/")

    def _inside(self, path):
        real = os.path.realpath(path)
        return real == self.real or real.startswith(os.path.join(self.real, ""))

    def entries(self, folder, inside_submission=False):
        """[(name, path, is_folder)] of ``folder``, sorted by name, without what is left out.
        Inside a submission, environment and build folders (``venv``, ``node_modules``, ...) are
        left out too."""
        key = (folder, inside_submission)
        if key in self._listed:
            return self._listed[key]
        try:
            with os.scandir(folder) as listing:
                found = sorted(listing, key=lambda e: e.name)
        except OSError as exc:
            self.notes.add(f"{self.rel(folder)}: cannot be read ({exc.strerror or exc}); left out")
            found = []
        self.entries_seen += len(found)
        if self.entries_seen > MAX_ENTRIES:
            raise LayoutError(f"{self.root} holds more than {MAX_ENTRIES} files and folders: that is not one class's "
                              "submissions; give the folder you extracted the class's download into")
        kept = []
        for entry in found:
            where = self.rel(entry.path)
            try:
                link = entry.is_symlink()
                is_folder = entry.is_dir(follow_symlinks=False)
                is_file = entry.is_file(follow_symlinks=False)
            except OSError:
                self.notes.add(f"{where}: cannot be read; left out")
                continue
            if entry.name in JUNK_FOLDERS:
                self.notes.count(JUNK_FOLDERS[entry.name], where)
            elif entry.name.startswith("."):
                self.notes.count("hidden files or folders", where)
            elif entry.name in JUNK_FILES:
                self.notes.count("system files (Thumbs.db, desktop.ini)", where)
            elif link:
                if not self._inside(entry.path):
                    self.notes.add(f"{where}: a link out of the submissions folder; never followed")
                elif os.path.isdir(entry.path):
                    self.notes.add(f"{where}: a link to a folder; not followed (its folder is read where it is)")
                elif os.path.isfile(entry.path):
                    kept.append((entry.name, entry.path, False))
                else:
                    self.notes.add(f"{where}: a broken link; left out")
            elif is_folder:
                if inside_submission and entry.name in SKIPPED_FOLDERS:
                    self.notes.count("environment or build folders (venv, node_modules, build, ...)", where)
                else:
                    kept.append((entry.name, entry.path, True))
            elif is_file:
                kept.append((entry.name, entry.path, False))
            else:
                self.notes.add(f"{where}: not a file or folder (a device, pipe or socket); left out")
        self._listed[key] = kept
        return kept

    def files(self, folder, leave_out=()):
        """The files under ``folder`` (one submission), sorted; ``leave_out``: names of files at its
        top that are the tool's, not the student's."""
        out, stack, cut = [], [(folder, 0)], False
        while stack:
            current, depth = stack.pop()
            for name, path, is_folder in self.entries(current, inside_submission=True):
                if not is_folder:
                    if current == folder and name in leave_out:
                        continue
                    if len(out) >= MAX_SUBMISSION_FILES:
                        cut = True
                        continue
                    out.append(path)
                elif depth + 1 >= MAX_DEPTH:
                    self.notes.add(f"{self.rel(path)}: more than {MAX_DEPTH} folders deep; not read")
                else:
                    stack.append((path, depth + 1))
        if cut:
            self.notes.add(f"{self.rel(folder)}: more than {MAX_SUBMISSION_FILES} files; only the first "
                           f"{MAX_SUBMISSION_FILES} taken")
        return tuple(sorted(out))


@dataclass
class _Student:
    """A student as a layout reads them, before ids are made file names and unique."""

    raw: str  # the id as the layout names it
    files: list
    root: str
    late: bool | None = None
    name: str | None = None


def _finish(layout, students, walk):
    """The :class:`Layout`: ids made safe file names, unique regardless of case (a suffix and a
    note where two would be the same), sorted."""
    if not students:
        raise LayoutError(f"{walk.root}: no submission found as {layout} lays them out (expected {EXPECTED[layout]}); "
                          "give the folder the class's download was extracted into, or another layout")
    ordered = sorted(students, key=lambda s: (s.raw.casefold(), s.raw, s.root))
    bases = [safe_name(s.raw) for s in ordered]
    taken = {b.casefold() for b in bases}
    used, out = {}, []
    for student, base in zip(ordered, bases):
        ident = base
        if base.casefold() in used:
            k = 2
            while f"{base}-{k}".casefold() in taken or f"{base}-{k}".casefold() in used:
                k += 1
            ident = f"{base}-{k}"
            other_root, other_id = used[base.casefold()]
            walk.notes.add(f"{student.root}: student '{student.raw}' would have the file name of {other_root}'s "
                           f"('{other_id}', case ignored): read as student '{ident}'")
        used[ident.casefold()] = (student.root, ident)
        out.append(Submission(ident, tuple(sorted(student.files)), student.root, student.late, student.name))
    out.sort(key=lambda s: (s.student.casefold(), s.student))
    return Layout(layout, tuple(out), walk.notes.result())


# --- nbgrader -----------------------------------------------------------------------------------


def _submitted_folder(folder):
    if os.path.basename(os.path.normpath(folder)) == "submitted":
        return folder
    inner = os.path.join(folder, "submitted")
    return inner if os.path.isdir(inner) and not os.path.islink(inner) else None


def _nbgrader(walk, folder, assignment):
    submitted = _submitted_folder(folder) or folder
    students = []
    for name, path, is_folder in walk.entries(submitted):
        if is_folder:
            students.append((name, path))
        else:
            walk.notes.add(f"{walk.rel(path)}: a file where nbgrader has one folder per student; left out")
    assignments = Counter()
    for _, path in students:
        assignments.update(n for n, _, is_folder in walk.entries(path) if is_folder)
    if assignment is None and len(assignments) > 1:
        listed = ", ".join(f"{a} ({n} student{'s' if n > 1 else ''})" for a, n in sorted(assignments.items()))
        raise LayoutError(f"{submitted} holds several assignments: {listed}; choose one "
                          "(the assignment option) and grade each on its own")
    if assignment is not None and assignments and assignment not in assignments:
        raise LayoutError(f"no student of {submitted} has a folder '{assignment}'; its assignments are: "
                          + ", ".join(sorted(assignments)))
    chosen = assignment if assignment is not None else next(iter(assignments), None)
    out = []
    for name, path in students:
        for other, other_path, is_folder in walk.entries(path):
            if not is_folder:
                walk.notes.add(f"{walk.rel(other_path)}: a file where nbgrader has one folder per assignment; left out")
        work = os.path.join(path, chosen) if chosen else None
        if work and os.path.isdir(work) and not os.path.islink(work):
            files = walk.files(work, leave_out=("timestamp.txt",))
            if os.path.isfile(os.path.join(work, "timestamp.txt")):
                walk.notes.count("nbgrader timestamp.txt files (the time of submission, not the student's work)",
                                 walk.rel(os.path.join(work, "timestamp.txt")))
            out.append(_Student(name, list(files), walk.rel(work)))
        else:
            out.append(_Student(name, [], walk.rel(path)))  # nothing handed in for this assignment
    return out


# --- Canvas -------------------------------------------------------------------------------------

# <lastfirst>[_LATE]_<user id>_<file id>_<original>; the name never holds "_<digits>_" (Canvas
# removes them: sanitize_user_name), so the first "_<digits>_<digits>_" ends it.
_CANVAS_UPLOAD = re.compile(r"(?P<prefix>.*?)_(?P<user>\d+)_(?P<file>\d+)_(?P<original>.+)", re.S)
_CANVAS_ENTRY = re.compile(r"(?P<prefix>.*?)_(?P<user>\d+)_(?P<kind>text|link)\.html", re.S)
_CANVAS_ANON = re.compile(r"(?:(?P<late>LATE|late)_)?anon_(?P<anon>[A-Za-z0-9]+)_"
                          r"(?:(?P<file>\d+)_(?P<original>.+)|(?P<kind>text|link)\.html)", re.S)
# Canvas' own rename of a file uploaded again: name-1.ext ... name-7.ext, then name-<uuid>.ext
_RESUBMITTED = re.compile(r"(?P<base>.+?)-(?:\d+|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})"
                          r"(?P<ext>(?:\.[A-Za-z][A-Za-z0-9]*)*\.[A-Za-z0-9]*)?", re.S)


@dataclass(frozen=True)
class _CanvasName:
    key: str  # the user id, or anon_<id>
    name: str | None  # lastfirst
    late: bool
    file_id: int | None  # None for a text entry or URL
    original: str  # the name the student gave it (or text.html / link.html)


def _canvas_name(filename):
    """What a Canvas download's file name says, or None when Canvas did not name it."""
    match = _CANVAS_ANON.fullmatch(filename)
    if match:
        file_id = int(match["file"]) if match["file"] else None
        original = match["original"] or f"{match['kind']}.html"
        return _CanvasName(f"anon_{match['anon']}", None, bool(match["late"]), file_id, original)
    match = _CANVAS_UPLOAD.fullmatch(filename) or _CANVAS_ENTRY.fullmatch(filename)
    if not match:
        return None
    prefix, late = match["prefix"], False
    head, sep, tail = prefix.rpartition("_")
    if sep and tail.upper() == "LATE":
        prefix, late = head, True
    if "file" in match.re.groupindex:
        return _CanvasName(match["user"], prefix or None, late, int(match["file"]), match["original"])
    return _CanvasName(match["user"], prefix or None, late, None, f"{match['kind']}.html")


def _canvas(walk, folder):
    by_user = {}
    for entry, path, is_folder in walk.entries(folder):
        parsed = _canvas_name(entry)
        if parsed is None:
            walk.notes.add(f"{walk.rel(path)}: not named as Canvas names a submission's file "
                           "(<lastfirst>[_LATE]_<user id>_<file id>_<name>); left out")
            continue
        by_user.setdefault(parsed.key, []).append((parsed, path, is_folder))
    out = []
    for key, items in by_user.items():
        items = _without_superseded(items, walk)
        files = []
        for _, path, is_folder in items:
            files.extend(walk.files(path) if is_folder else [path])
        names = Counter(p.name for p, _, _ in items if p.name)
        name = names.most_common(1)[0][0] if names else None
        raw = key if key.startswith("anon_") or not name else f"{name}_{key}"
        first = min(walk.rel(path) for _, path, _ in items)
        out.append(_Student(raw, files, first, any(p.late for p, _, _ in items), name))
    return out


def _without_superseded(items, walk):
    """A student's files without those a later upload of the same name replaced: ``nb.ipynb`` and
    ``nb-1.ipynb`` are two versions of one file, of which the newer (larger file id) is kept.
    ``part-1.py`` and ``part-2.py`` without ``part.py`` are two files."""
    versions = {}
    for item in items:
        parsed = item[0]
        if parsed.file_id is None:
            continue
        match = _RESUBMITTED.fullmatch(parsed.original)
        base = match["base"] + (match["ext"] or "") if match else parsed.original
        versions.setdefault(base, []).append(item)
    dropped = set()
    for base, group in versions.items():
        if len(group) > 1 and any(p.original == base for p, _, _ in group):
            newest = max(group, key=lambda item: item[0].file_id)
            for item in group:
                if item is not newest:
                    dropped.add(item[1])
                    walk.notes.add(f"{walk.rel(item[1])}: an earlier upload of {base}, replaced by "
                                   f"{os.path.basename(newest[1])}; left out")
    return [item for item in items if item[1] not in dropped]


# --- Moodle -------------------------------------------------------------------------------------

_MOODLE = re.compile(r"(?P<prefix>.+?)_(?P<plugin>assign(?:submission|feedback)_[a-z0-9]+)(?:_(?P<rest>.*))?", re.S)
_MOODLE_PREFIX = re.compile(r"(?P<name>.*)_(?P<id>\d+)", re.S)


def _moodle(walk, folder):
    by_prefix = {}
    for entry, path, is_folder in walk.entries(folder):
        match = _MOODLE.fullmatch(entry)
        if not match or (not is_folder and not match["rest"]):
            walk.notes.add(f"{walk.rel(path)}: not named as Moodle names a submission "
                           "(<Full Name>_<id>_assignsubmission_<plugin>); left out")
        elif match["plugin"].startswith("assignfeedback_"):
            walk.notes.add(f"{walk.rel(path)}: the teacher's feedback, not a submission; left out")
        else:
            by_prefix.setdefault(match["prefix"], []).append((match["plugin"], path, is_folder))
    out = []
    for prefix, items in by_prefix.items():
        files = []
        for _, path, is_folder in items:
            files.extend(walk.files(path) if is_folder else [path])
        main = [walk.rel(p) for plugin, p, _ in items if plugin == "assignsubmission_file"]
        root = min(main or [walk.rel(p) for _, p, _ in items])
        named = _MOODLE_PREFIX.fullmatch(prefix)
        out.append(_Student(prefix, files, root, None, (named["name"] if named else prefix) or None))
    return out


# --- GitHub Classroom ---------------------------------------------------------------------------

_STARTER_NAMES = {"starter", "template", "starter-code", "starter_code", "starter-repo"}


def _classroom_prefix(names, root_name, assignment):
    """The ``<assignment>-`` prefix of the clones' folders, and how it was found (None, None when
    the folders share none)."""
    if assignment:
        prefix = assignment.rstrip("-") + "-"
        if any(n.startswith(prefix) and n != prefix for n in names):
            return prefix, "assignment"
    if root_name.endswith("-submissions"):  # gh classroom clone student-repos: <slug>-submissions/<slug>-<user>
        prefix = root_name[: -len("submissions")]
        if any(n.startswith(prefix) and n != prefix for n in names):
            return prefix, "folder name"
    counts = Counter()
    for name in names:
        counts.update({name[: i + 1] for i, ch in enumerate(name) if ch == "-" and 0 < i < len(name) - 1})
    if not counts:
        return None, None
    # the prefix most folders share; of those, the longest (assignment names hold dashes more often
    # than all of a class's usernames begin alike)
    prefix, shared = max(counts.items(), key=lambda item: (item[1], len(item[0])))
    return (prefix, "shared") if shared >= 2 else (None, None)


def _is_starter(name, prefix):
    slug = prefix[:-1]
    return name == slug or name in _STARTER_NAMES or any(name == f"{slug}-{s}" for s in _STARTER_NAMES)


def _classroom(walk, folder, assignment):
    entries = walk.entries(folder)
    names = [n for n, _, is_folder in entries if is_folder]
    prefix, _ = _classroom_prefix(names, os.path.basename(os.path.normpath(folder)), assignment)
    if prefix is None:
        raise LayoutError(f"{walk.root}: the folders share no '<assignment>-' prefix, as GitHub Classroom's clones "
                          "(<assignment>-<username>) do; give the assignment's name (the assignment option), "
                          "or read the folder as one folder per student (layout flat)")
    out = []
    for name, path, is_folder in entries:
        where = walk.rel(path)
        if not is_folder:
            walk.notes.add(f"{where}: a file where GitHub Classroom has one clone per student; left out")
        elif _is_starter(name, prefix):
            walk.notes.add(f"{where}: the assignment's starter code, not a student's; left out")
        elif not name.startswith(prefix) or name == prefix:
            walk.notes.add(f"{where}: not named {prefix}<username> as the other clones are; left out")
        else:
            out.append(_Student(name[len(prefix):], list(walk.files(path)), where))
    return out


# --- flat ---------------------------------------------------------------------------------------


def _flat(walk, folder):
    by_id = {}
    for entry, path, is_folder in walk.entries(folder):
        if is_folder:
            by_id.setdefault(entry, []).append((path, True))
        elif entry.lower().endswith(FLAT_SUFFIXES):
            stem = entry[: entry.rindex(".")]
            by_id.setdefault(stem or entry, []).append((path, False))
        else:
            walk.notes.add(f"{walk.rel(path)}: not a student's folder, notebook, .py file or .zip; left out")
    out = []
    for raw, items in by_id.items():
        files = []
        for path, is_folder in items:
            files.extend(walk.files(path) if is_folder else [path])
        places = sorted((not is_folder, walk.rel(path)) for path, is_folder in items)  # a folder first
        if len(places) > 1:
            walk.notes.add(f"{', '.join(p for _, p in places)}: one student's ('{raw}'), read as one submission")
        out.append(_Student(raw, files, places[0][1]))
    return out


# --- detection ----------------------------------------------------------------------------------

_READERS = {"canvas": _canvas, "moodle": _moodle, "flat": _flat}


def _guess(walk, folder, assignment, depth=0):
    """(layout, folder to read) for the tree at ``folder``, from its names only."""
    if _submitted_folder(folder):
        return "nbgrader", folder
    entries = walk.entries(folder)
    if not entries:
        raise LayoutError(f"{walk.root} holds no submissions (nothing but hidden or left-out files): give the folder "
                          "the class's download was extracted into")
    names = [n for n, _, _ in entries]
    folders = [(n, p) for n, p, is_folder in entries if is_folder]
    moodle = sum(1 for n in names if _MOODLE.fullmatch(n))
    canvas = sum(1 for n in names if _canvas_name(n))
    if moodle and 2 * moodle >= len(entries):
        return "moodle", folder
    if canvas and 2 * canvas >= len(entries):
        return "canvas", folder
    if _looks_like_classroom(folders, os.path.basename(os.path.normpath(folder)), assignment):
        return "classroom", folder
    if len(entries) == 1 and folders and depth < 3:  # a wrapper folder: read the layout inside, if it is one
        inner = _guess(walk, folders[0][1], assignment, depth + 1)
        if inner[0] != "flat":
            return inner
    return "flat", folder


def _looks_like_classroom(folders, root_name, assignment):
    if len(folders) < 2 and not (assignment or root_name.endswith("-submissions")):
        return False
    names = [n for n, _ in folders]
    prefix, how = _classroom_prefix(names, root_name, assignment)
    if prefix is None:
        return False
    clones = [(n, p) for n, p in folders if n.startswith(prefix) and n != prefix]
    others = [n for n in names if not n.startswith(prefix) and not _is_starter(n, prefix)]
    if how != "shared":
        return True
    # a shared prefix alone is not enough: read as flat, folders keep their whole names (no student is lost)
    gits = sum(1 for _, p in clones if os.path.lexists(os.path.join(p, ".git")))
    return 2 * len(clones) >= len(names) and 2 * gits >= len(clones) and len(others) < len(clones)


def detect(path, layout=None, assignment=None):
    """The :class:`Layout` of the class's submissions at ``path`` (a folder), recognised from its
    names (``layout``, one of :data:`LAYOUTS`, forces one). ``assignment`` chooses an nbgrader
    assignment (required when there are several) or gives GitHub Classroom's assignment prefix.
    Raises :class:`LayoutError` for a path that is not a folder of submissions, an unknown layout,
    a layout forced on a folder it does not fit, or a tree too large to be one class's."""
    if assignment is not None and (not assignment or assignment in (".", "..") or "/" in assignment
                                   or os.sep in assignment or "\0" in assignment):
        raise LayoutError(f"assignment '{assignment}' is not a folder's name: give the name of the assignment's "
                          "folder (nbgrader) or of the clones' prefix (GitHub Classroom)")
    if layout is not None and layout not in LAYOUTS:
        raise LayoutError(f"unknown layout '{layout}': choose one of {', '.join(LAYOUTS)} (or none, to detect it)")
    if not os.path.exists(path):
        raise LayoutError(f"{path} does not exist: give the folder of the class's submissions")
    if not os.path.isdir(path):
        hint = (f" (extract it first: unzip '{path}' -d FOLDER, and give FOLDER)"
                if str(path).lower().endswith(".zip") else "")
        raise LayoutError(f"{path} is a file: SUBMISSIONS is the folder of a class's submissions{hint}")
    walk = _Walk(path)
    if layout is None:
        layout, folder = _guess(walk, walk.root, assignment)
    else:
        folder = walk.root
    if layout == "nbgrader":
        students = _nbgrader(walk, folder, assignment)
    elif layout == "classroom":
        students = _classroom(walk, folder, assignment)
    else:
        students = _READERS[layout](walk, folder)
    return _finish(layout, students, walk)
