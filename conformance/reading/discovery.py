"""Which suite lives where in a user's code: found from the names each file defines.

The harness reads every ``.py`` file and notebook of the target by its syntax only (nothing runs)
and assembles each suite from where its names are defined:

- a name that only one suite has (``linear_backward``: deep) is evidence for that suite; a name
  that several suites have (``sigmoid``, ``predict``) decides nothing on its own;
- a file *claims* a suite when it defines two or more of the suite's own names, or one when the
  suite's names make up at least half of the file's public functions and classes (a learner's
  one-function file), or when the file is named after the suite (``deep.py``);
- every claiming file is a *unit*, checked and named on its own (two students' notebooks, a
  notebook and its Jupyter ``-Copy1``, a draft beside the finished one), except a file that another
  claiming file of the suite imports: that is a helper, whose names reach the unit through the
  unit's imports (the book's ``common/layers.py`` under ``ch05/two_layer_net.py``);
- a unit takes each name of the suite from its own namespace (what it defines and imports) first,
  then from a file it imports that defines it; in a tree with one unit, also from another file
  that defines it (a claiming file, or for a name only this suite has any file). A name several
  files define, none linked to the unit, is not taken: it is never a reason to stop;
- ``SUITE=PATH`` on the command line and a ``[tool.nnconf]`` table in the tree's ``pyproject.toml``
  make the file they name the suite's only unit, and ``[tool.nnconf.names]`` names one name's file.
"""

import os
import re
from dataclasses import dataclass, field

from nnconf.conformance.reading.names import suite_names
from nnconf.conformance.reading.sources import NOTEBOOK_SUFFIX, SKIPPED_FOLDERS, scan

MAX_FILES = 5000


class DetectionError(ValueError):
    """The target's code cannot be assigned to suites without help from the user."""


@dataclass
class SuiteSource:
    """Where one suite of a path target comes from."""

    suite: str
    primary: str  # the file whose namespace the suite's names are read from first
    names: dict = field(default_factory=dict)  # name -> file, for names taken from another file
    evidence: list = field(default_factory=list)  # the suite's own names the primary defines
    reason: str = ""  # why: "detected", "SUITE=PATH", "[tool.nnconf]", "file name"

    def files(self):
        return [self.primary] + sorted(set(self.names.values()) - {self.primary})


def distinctive_names():
    """suite -> the names only that suite has (their evidence)."""
    owners = {}
    for suite, names in suite_names().items():
        for name in names:
            owners.setdefault(name, set()).add(suite)
    return {suite: {n for n in names if owners[n] == {suite}} for suite, names in suite_names().items()}


def python_files(root):
    """Every .py file and notebook below ``root`` (hidden, cache, checkpoint and environment
    folders left out), in the order of a walk of sorted folders (:func:`walk`)."""
    return walk(root)[0]


# How far a walk goes: a tree deeper or wider than a learner's is cut there, and the run says so.
MAX_DEPTH = 64
MAX_FOLDERS = 20000
MAX_NOTES = 20  # skipped places named one by one; the rest counted
OUTSIDE = "links outside the tree"


def inside(path, root):
    """Whether ``path``, resolved (every symlink followed), is ``root`` (resolved) or below it."""
    real, base = os.path.realpath(path), os.path.realpath(root)
    return real == base or real.startswith(os.path.join(base, ""))


def walk(root):
    """(files, skipped) of the tree at ``root``: every .py file and notebook below it, and
    {path: why} for what is not read.

    The walk keeps its own stack (no recursion: a folder chain thousands deep is a note, not a
    crash), never follows a symlinked folder, and takes a symlinked file only when its real
    path lies inside the tree: a link ``deep.py`` to ``~/.ssh/id_rsa`` or ``/etc`` is named
    (:data:`OUTSIDE`) and never read. Folders deeper than :data:`MAX_DEPTH`, and any beyond the
    first :data:`MAX_FOLDERS`, are skipped and named; more than :data:`MAX_FILES` files is a
    :class:`DetectionError`."""
    found, skipped, more = [], {}, [0]
    base = os.path.realpath(root)

    def note(path, why):
        if len(skipped) < MAX_NOTES:
            skipped[path] = why
        else:
            more[0] += 1

    stack, folders = [(root, 0)], 0
    while stack:
        folder, depth = stack.pop()
        folders += 1
        if folders > MAX_FOLDERS:
            note(folder, f"the walk stops after {MAX_FOLDERS} folders: this one and the rest are not read "
                         "(point nnconf at the folder of your code)")
            break
        try:
            with os.scandir(folder) as listing:
                entries = sorted(listing, key=lambda e: e.name)
        except OSError as exc:
            note(folder, f"cannot be read ({exc.strerror or exc})")
            continue
        subfolders = []
        for entry in entries:
            if entry.name.startswith("."):
                continue
            try:
                link = entry.is_symlink()
                is_folder = entry.is_dir(follow_symlinks=False)
            except OSError:
                continue
            code = entry.name.endswith((".py", NOTEBOOK_SUFFIX))
            if link:
                if not inside(entry.path, base):
                    if code or os.path.isdir(entry.path):
                        note(entry.path, OUTSIDE)
                    continue
                if not code or os.path.isdir(entry.path):
                    continue  # a link to a folder of the tree: never followed (the folder is walked itself)
            elif is_folder:
                if entry.name not in SKIPPED_FOLDERS:
                    subfolders.append(entry.path)
                continue
            if code:
                found.append(entry.path)
                if len(found) > MAX_FILES:
                    raise DetectionError(f"{root} holds more than {MAX_FILES} Python files and notebooks; "
                                         "point nnconf at the folder of your code")
        if subfolders and depth >= MAX_DEPTH:
            note(folder, f"its folders are more than {MAX_DEPTH} levels deep: not read")
            continue
        stack.extend((sub, depth + 1) for sub in reversed(subfolders))
    if more[0]:
        skipped[os.path.join(root, "...")] = f"and {more[0]} more places not read (deeper, wider or outside the tree)"
    return found, skipped


def claims(scan_result, own, all_names):
    """The suites this file claims, each with its evidence (the suite's own names it defines)."""
    stem = os.path.splitext(os.path.basename(scan_result.path))[0]
    return claims_of_names(set(scan_result.defined), scan_result.public, own, all_names, stem)


# Names the course's own assignments define beside a suite's functions, which nnconf does not
# check: they count toward "the suite's names make up half of the file" (the application notebook
# defines L_layer_model beside two_layer_model and plot_costs).
COMPANIONS = {"deep": {"plot_costs", "print_mislabeled_images"}}


def claims_of_names(defined, public, own, all_names, stem=None):
    """The suites a set of defined names claims (the rules of this module's docstring)."""
    out = {}
    public = public or defined
    for suite, names in own.items():
        evidence = sorted(defined & names)
        mostly = len(defined & (all_names[suite] | COMPANIONS.get(suite, set()))) * 2 >= len(public)
        if stem == suite:
            out[suite] = evidence or sorted(defined & all_names[suite]) or [f"the file name {stem}.py"]
        elif len(evidence) >= 2 or (evidence and mostly):
            out[suite] = evidence
    return out


def detect(root, files=None, overrides=None, pyproject=True):
    """The units of the tree at ``root`` (or of the given ``files`` in it).

    A *unit* is one file that holds a suite's functions on its own: a notebook, a learner's module,
    a chapter's ``two_layer_net.py``. Every claiming file is a unit, except one that another
    claiming file of the same suite imports (directly or through others): that one is a helper, and
    its names reach the unit through the unit's imports. Two students' notebooks, a notebook and its
    Jupyter ``-Copy1``, a draft beside a finished notebook: each is a unit, checked and named.

    ``overrides``: suite -> path, from ``SUITE=PATH`` words and ``[tool.nnconf]`` (each makes that
    file the suite's only unit). Returns (units, unclaimed, unreadable): ``units`` a list of
    {suite: :class:`SuiteSource`}, one per file, in path order; ``unclaimed`` maps a suite to the
    files (``"ch04/gradient.py (numerical_gradient)"``) that define a few of its own names, too few
    to tell, and that no unit uses, ``unreadable`` a file to why it is not
    checked (a broken notebook, a file ``[tool.nnconf.names]`` leaves out, a link out of the tree, a
    folder too deep), so that the run says so.

    Nothing outside the tree is read: a path from ``pyproject.toml`` must resolve inside ``root``
    (else :class:`DetectionError`), and the walk takes no link out of it (:func:`walk`). The
    ``overrides`` and ``files`` the user gives are taken as given.
    """
    overrides = dict(overrides or {})
    names_table = {}
    if pyproject:
        table = read_tool_table(root)
        for suite, path in table.get("suites", {}).items():
            overrides.setdefault(suite, _under(root, path, "[tool.nnconf]"))
        names_table = {name: _under(root, path, "[tool.nnconf.names]") for name, path in table.get("names", {}).items()}
    skipped = {}
    if files is None:
        files, skipped = walk(root)
    scans = {path: scan(path) for path in sorted(set(files) | set(overrides.values()) | set(names_table.values()))}
    own, all_names = distinctive_names(), suite_names()
    claimed = {path: claims(s, own, all_names) for path, s in scans.items()}
    importers = _importers(scans, root)
    reach = {path: _reached(path, scans, root) for path in scans}
    by_file, unclaimed, left_out = {}, {}, {}
    for suite in all_names:
        if suite in overrides:
            path = overrides[suite]
            by_file.setdefault(path, {})[suite] = SuiteSource(
                suite, path, evidence=sorted(set(scans[path].defined) & all_names[suite]),
                reason="named on the command line or in [tool.nnconf]")
            continue
        candidates = [p for p in claimed if suite in claimed[p]]
        if not candidates:
            continue
        helpers = {p for p in candidates if any(p in reach[q] for q in candidates if q != p)}
        units = [p for p in candidates if p not in helpers]
        if not units:  # files that import each other in a circle: the one with the most evidence
            units = sorted(candidates, key=lambda p: (-len(claimed[p][suite]), not p.endswith(NOTEBOOK_SUFFIX),
                                                      len(importers.get(p, ())), p))[:1]
        named = {n: p for n, p in names_table.items() if n in all_names[suite]}
        narrowed = [p for p in units if not any(n in scans[p].defined and f != p for n, f in named.items())]
        for path in set(units) - set(narrowed) if narrowed else ():
            name = next(n for n, f in named.items() if n in scans[path].defined and f != path)
            left_out[path] = (f"left out: [tool.nnconf.names] takes {name} from "
                              f"{os.path.relpath(named[name], root)}")
        units = narrowed or units
        for primary in units:
            source = SuiteSource(suite, primary, evidence=claimed[primary][suite], reason="detected")
            pool = reach[primary] if len(units) > 1 else set(scans) - {primary}
            _fill(source, suite, scans, pool, names_table, claimed, root, importers)
            by_file.setdefault(primary, {})[suite] = source
    for suite in all_names:  # files with a few of a suite's own names that no unit uses: named, not silent
        used = {p for sources_of_file in by_file.values() if suite in sources_of_file
                for p in [*sources_of_file[suite].files(), *reach[sources_of_file[suite].primary]]}
        lone = [f"{os.path.relpath(p, root)} ({', '.join(sorted(set(scans[p].defined) & own[suite]))})"
                for p in sorted(scans) if p not in used and set(scans[p].defined) & own[suite]]
        if lone:
            unclaimed[suite] = lone
    unreadable = {path: s.error for path, s in scans.items() if s.error}
    unreadable.update(skipped)
    unreadable.update({path: why for path, why in left_out.items() if path not in by_file})
    return [by_file[path] for path in sorted(by_file)], unclaimed, unreadable


def _fill(source, suite, scans, pool, names_table, claimed, root, importers):
    """Give ``source`` the suite's names its primary file neither defines nor imports: from the
    ``[tool.nnconf.names]`` table, else from a file of ``pool`` that defines it (a claiming file,
    or for a name only this suite has any file). A name that several files define, none of them
    linked to the primary, is left out: the unit then reports it not implemented, and the files
    that define it are units of their own or named in the run's listing."""
    primary = scans[source.primary]
    all_names, own = suite_names()[suite], distinctive_names()[suite]
    for name in sorted(all_names - set(primary.defined) - primary.imported):
        if name in names_table:
            source.names[name] = names_table[name]
            continue
        defining = sorted(p for p in pool if name in scans[p].defined
                          and (suite in claimed[p] or name in own))
        if defining and not _reaches(primary, name, scans, root):
            chosen = _choose(defining, source.primary, scans, importers, root)
            if chosen is not None:
                source.names[name] = chosen


def _choose(defining, primary, scans, importers, root):
    """One file among several that define a name: the only one, the one linked to the primary by an
    import, or the one the tree imports most; None when nothing tells."""
    if len(defining) == 1:
        return defining[0]
    linked = [p for p in defining if primary in _imports_of(p, scans, root) or p in _imports_of(primary, scans, root)]
    if len(linked) == 1:
        return linked[0]
    pool = linked or defining
    counts = sorted(((len(importers.get(p, ())), p) for p in pool), reverse=True)
    return counts[0][1] if counts[0][0] > counts[1][0] else None


def _reached(path, scans, root):
    """The files of the tree that ``path`` imports, directly or through others."""
    seen, todo = set(), [path]
    while todo:
        for found in _imports_of(todo.pop(), scans, root):
            if found not in seen and found != path:
                seen.add(found)
                todo.append(found)
    return seen


def _resolve(module, importer, scans, root):
    """The file of the tree that ``import module`` in ``importer`` loads, as Python would with the
    importer's own folder and the tree's root on the path (a folder needs no ``__init__.py``)."""
    parts = module.split(".")
    for base in (os.path.dirname(importer), root):
        for candidate in (os.path.join(base, *parts) + ".py", os.path.join(base, *parts, "__init__.py")):
            if candidate in scans:
                return candidate
    return None


def _imports_of(path, scans, root):
    """The files of the tree that ``path`` imports at top level."""
    return {found for module in scans[path].imports if (found := _resolve(module, path, scans, root))}


def _reaches(primary_scan, name, scans, root):
    """Whether the primary file gets ``name`` through a star import of a file of the tree
    (``from common.functions import *``): then the name is the primary's, as its code sees it."""
    for module in primary_scan.star:
        path = _resolve(module, primary_scan.path, scans, root)
        if path is not None and name in scans[path].defined:
            return True
    return False


def _importers(scans, root):
    """path -> the files of the tree that import it."""
    out = {}
    for path in scans:
        for target in _imports_of(path, scans, root):
            if target != path:
                out.setdefault(target, set()).add(path)
    return out


# What tells a course version apart: the graders the course ships beside a notebook since 2021, and
# the versioned helper files (dnn_utils_v2.py, testCases_v4a.py) and notebook names (... v8.ipynb)
# of the versions before.
NEWER_HELPERS = ("public_tests", "test_utils")
OLDER_NAME = re.compile(r"(?:_|\b)v\d+[a-z]?$")


def course_version(path, scanned=None):
    """("2021+" | "older" | None, the evidence) for the course version of the file ``path``: from
    what it imports first, then from the helper files beside it, then from its own name; the
    2021+ graders (public_tests.py, test_utils.py) win over a versioned helper."""
    folder = os.path.dirname(path)
    name = os.path.basename(path)
    try:
        beside = sorted(os.path.splitext(n)[0] for n in os.listdir(folder) if n.endswith(".py") and n != name)
    except OSError:
        beside = []
    imported = sorted({m.split(".")[0] for m in (scanned.imports if scanned else ())})
    for modules, words in ((imported, "{name} imports {module}"), (beside, "{module}.py beside {name}")):
        newer = [m for m in modules if m in NEWER_HELPERS]
        older = [m for m in modules if OLDER_NAME.search(m)]
        if newer or older:  # the 2021+ graders win: that course still ships testCases_v2.py, dnn_app_utils_v3.py
            return ("2021+" if newer else "older"), words.format(name=name, module=(newer or older)[0])
    if OLDER_NAME.search(os.path.splitext(name)[0].replace("+", " ").strip()):
        return "older", f"the versioned name {name}"
    return None, ""


def read_tool_table(root):
    """The ``[tool.nnconf]`` table of ``root/pyproject.toml``: {"suites": {suite: path}, "names": {name: path}}."""
    path = os.path.join(root, "pyproject.toml")
    if not os.path.lexists(path):
        return {}
    if not inside(path, root):
        raise DetectionError(f"{path} links outside the tree of {root}; it is not read "
                             "(replace the link by the file itself)")
    if not os.path.isfile(path):
        return {}
    try:
        import tomllib
    except ImportError:  # Python 3.10
        import tomli as tomllib
    try:
        with open(path, "rb") as handle:
            table = tomllib.load(handle).get("tool", {}).get("nnconf", {})
    except (OSError, ValueError) as exc:
        raise DetectionError(f"{path} cannot be read: {exc}") from None
    known = set(suite_names())
    suites = {k: v for k, v in table.items() if k in known}
    unknown = [k for k in table if k not in known and k != "names"]
    if unknown or not all(isinstance(v, str) for v in suites.values()):
        raise DetectionError(
            f"{path}: [tool.nnconf] takes SUITE = \"path\" for the suites {', '.join(sorted(known))}, and a "
            f"[tool.nnconf.names] table of NAME = \"path\"; it has {', '.join(map(repr, unknown)) or 'a value that is not a path'}")
    names = table.get("names", {})
    if not isinstance(names, dict) or not all(isinstance(v, str) for v in names.values()):
        raise DetectionError(f"{path}: [tool.nnconf.names] takes NAME = \"path/to/file.py\" lines")
    return {"suites": suites, "names": names}


def _under(root, path, where):
    """The file a ``pyproject.toml`` entry names: it must resolve (links followed) inside ``root``
    (``../secret.py``, ``/etc/passwd`` or a link out of the tree are refused, and never read)."""
    full = os.path.normpath(os.path.join(root, path))
    if not inside(full, root):
        raise DetectionError(f"{where} in {os.path.join(root, 'pyproject.toml')} names {path!r}, which lies outside "
                             f"the tree of {root}; only files of the tree are read (to check another file, name it "
                             "on the command line: SUITE=PATH)")
    if not os.path.isfile(full):
        raise DetectionError(f"{where} in {os.path.join(root, 'pyproject.toml')} names {path!r}, which is not a file under {root}")
    return full
