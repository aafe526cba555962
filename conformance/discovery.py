"""Which suite lives where in a user's code: found from the names each file defines.

The harness reads every ``.py`` file and notebook of the target by its syntax only (nothing runs)
and assembles each suite from where its names are defined:

- a name that only one suite has (``linear_backward``: deep) is evidence for that suite; a name
  that several suites have (``sigmoid``, ``predict``) decides nothing on its own;
- a file *claims* a suite when it defines two or more of the suite's own names, or one when the
  suite's names make up at least half of the file's public functions and classes (a learner's
  one-function file), or when the file is named after the suite (``deep.py``);
- the suite's *primary* file is the claiming file with the most evidence (a notebook before a
  ``.py`` helper, a file that nothing imports before a library); every name of the suite is taken
  from the primary file's namespace (what it defines and imports) first, then from another
  claiming file that defines it (one the primary imports or that imports the primary first, then
  the one the tree imports most); a name only this suite has may also come from a file that
  claims no suite (the course's application notebook defines ``L_layer_model`` beside helpers);
- ``SUITE=PATH`` on the command line and a ``[tool.nnconf]`` table in the tree's ``pyproject.toml``
  override the detection; where it stays ambiguous, the usage error says how to settle it.
"""

import os
from dataclasses import dataclass, field

from nnconf.conformance.sources import NOTEBOOK_SUFFIX, SKIPPED_FOLDERS, scan
from nnconf.conformance.suites import suite_names

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
    folders left out), sorted."""
    found = []
    for folder, subfolders, files in os.walk(root):
        subfolders[:] = sorted(d for d in subfolders if d not in SKIPPED_FOLDERS and not d.startswith("."))
        for name in sorted(files):
            if name.endswith((".py", NOTEBOOK_SUFFIX)) and not name.startswith("."):
                found.append(os.path.join(folder, name))
                if len(found) > MAX_FILES:
                    raise DetectionError(f"{root} holds more than {MAX_FILES} Python files and notebooks; "
                                         "point nnconf at the folder of your code")
    return found


def claims(scan_result, own, all_names):
    """The suites this file claims, each with its evidence (the suite's own names it defines)."""
    stem = os.path.splitext(os.path.basename(scan_result.path))[0]
    return claims_of_names(set(scan_result.defined), scan_result.public, own, all_names, stem)


# Names the course's own assignments define beside a suite's functions, which nnconf does not
# check: they count toward "the suite's names make up half of the file" (the application notebook
# defines L_layer_model beside two_layer_model and plot_costs).
COMPANIONS = {"deep": {"two_layer_model", "plot_costs", "print_mislabeled_images"}}


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
    """suite -> :class:`SuiteSource` for the tree at ``root`` (or the given ``files`` in it).

    ``overrides``: suite -> path, from ``SUITE=PATH`` words (they win over everything).
    Returns (sources, unclaimed, unreadable): ``unclaimed`` maps a suite to the lone names seen
    for it that were not enough evidence, ``unreadable`` a file to why it could not be read (a
    broken notebook), so that the run can say so.
    """
    overrides = dict(overrides or {})
    names_table = {}
    if pyproject:
        table = read_tool_table(root)
        for suite, path in table.get("suites", {}).items():
            overrides.setdefault(suite, _under(root, path, "[tool.nnconf]"))
        names_table = {name: _under(root, path, "[tool.nnconf.names]") for name, path in table.get("names", {}).items()}
    files = files if files is not None else python_files(root)
    scans = {path: scan(path) for path in sorted(set(files) | set(overrides.values()) | set(names_table.values()))}
    own, all_names = distinctive_names(), suite_names()
    claimed = {path: claims(s, own, all_names) for path, s in scans.items()}
    importers = _importers(scans, root)
    sources, unclaimed = {}, {}
    for suite in all_names:
        if suite in overrides:
            path = overrides[suite]
            sources[suite] = SuiteSource(suite, path, evidence=sorted(set(scans[path].defined) & all_names[suite]),
                                         reason="named on the command line or in [tool.nnconf]")
            continue
        candidates = [p for p in claimed if suite in claimed[p]]
        if not candidates:
            seen = sorted({n for s in scans.values() for n in s.defined if n in own[suite]})
            if seen:
                unclaimed[suite] = seen
            continue
        candidates.sort(key=lambda p: (-len(claimed[p][suite]), not p.endswith(NOTEBOOK_SUFFIX),
                                       len(importers.get(p, ())), p))
        primary = candidates[0]
        source = SuiteSource(suite, primary, evidence=claimed[primary][suite], reason="detected")
        for name in sorted(all_names[suite] - set(scans[primary].defined) - scans[primary].imported):
            if name in names_table:
                source.names[name] = names_table[name]
                continue
            defining = [p for p in candidates[1:] if name in scans[p].defined]
            if not defining and name in own[suite]:  # a name only this suite has, in a file claiming none
                defining = [p for p in scans if p != primary and name in scans[p].defined]
            if defining and not _reaches(scans[primary], name, scans, root):
                source.names[name] = _choose(name, suite, defining, primary, scans, importers, root)
        sources[suite] = source
    unreadable = {path: s.error for path, s in scans.items() if s.error}
    return sources, unclaimed, unreadable


def _choose(name, suite, defining, primary, scans, importers, root):
    """One file for ``name`` among several that define it, or a DetectionError that says how to choose."""
    if len(defining) == 1:
        return defining[0]
    linked = [p for p in defining if primary in _imports_of(p, scans, root) or p in _imports_of(primary, scans, root)]
    if len(linked) == 1:
        return linked[0]
    pool = linked or defining
    counts = sorted(((len(importers.get(p, ())), p) for p in pool), reverse=True)
    if counts[0][0] > counts[1][0]:
        return counts[0][1]
    where = ", ".join(os.path.relpath(p, root) for p in pool)
    raise DetectionError(
        f"`{name}` ({suite}) is defined in several files ({where}) and nothing tells which one is yours. "
        f"Name it in {os.path.join(root, 'pyproject.toml')}:\n\n[tool.nnconf.names]\n"
        f'{name} = "{os.path.relpath(pool[0], root)}"\n\nor give the whole suite: {suite}=PATH')


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


def read_tool_table(root):
    """The ``[tool.nnconf]`` table of ``root/pyproject.toml``: {"suites": {suite: path}, "names": {name: path}}."""
    path = os.path.join(root, "pyproject.toml")
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
    full = os.path.normpath(os.path.join(root, path))
    if not os.path.isfile(full):
        raise DetectionError(f"{where} in {os.path.join(root, 'pyproject.toml')} names {path!r}, which is not a file under {root}")
    return full
