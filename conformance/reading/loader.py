"""One seam selects the code under test: a TARGET names where each suite's functions come from.

TARGET forms (``nnconf check TARGET``), resolved in the harness without running any target code:

- a path: a folder (a repository tree, a folder of notebooks, one module per suite), a ``.py``
  file, or a course notebook (``.ipynb``). Its suites are found from the names its files define
  (:mod:`nnconf.conformance.reading.discovery`). An existing path always wins over a package name;
- ``SUITE=PATH`` (repeatable, alone or beside a path): that suite is read from that file;
- a dotted package name (``mypkg.nn``) whose submodules are named after the suites (``mypkg.nn.deep``);
  the bundled implementation is checked only when named so: ``nnconf.impl``;
- nothing: the current folder, as pytest and ruff do.

A path target with several units (files that each hold a suite on their own) is a Target whose
``parts`` are one Target per unit; the run checks each and names it.

:func:`parse_target` makes a :class:`Target`; :func:`load_suite` imports one suite of it, in the
worker process only, through :class:`~nnconf.conformance.reading.sources.TreeImporter` (definitions only,
under names that never meet the harness's own modules, which all live under ``nnconf``).
"""

import dataclasses
import difflib
import importlib
import os
import re
import sys
import types
from dataclasses import dataclass, field

from nnconf.conformance.reading import discovery, sources
from nnconf.conformance.reading.names import ALIASES  # noqa: F401 - loader.ALIASES for its users

SUITES = ("activations", "logistic", "shallow", "deep", "init", "xor", "layers")
BUNDLED = "nnconf.impl"

# Functions handed over in a running kernel (nnconf.check): token -> {name: object}. A worker is
# forked from the kernel, so it finds them here as they are.
OBJECTS = {}


class UsageError(ValueError):
    """The command line named a target or suite that cannot be used (exit code 2)."""


class MissingSuite(ImportError):
    """The target has no code for this suite."""


class MissingName(AttributeError):
    """The target does not define this function or class."""

    def __init__(self, message, name=None):
        super().__init__(message)
        self.name = name


class SignatureError(TypeError):
    """The function cannot be called with the API's arguments."""


@dataclass(frozen=True)
class Target:
    spec: str  # as the user gave it
    kind: str  # "package" | "path" | "objects" (functions of a running kernel, under OBJECTS[package])
    package: str | None = None
    root: str | None = None  # the folder a path target's files are relative to
    sources: dict = field(default_factory=dict)  # suite -> discovery.SuiteSource (path targets)
    unclaimed: dict = field(default_factory=dict)  # suite -> files with too few of its names, not checked
    unreadable: dict = field(default_factory=dict)  # path -> why it could not be read (not checked)
    package_suites: tuple = ()
    package_folders: tuple = ()  # where a package target's modules are
    parts: tuple = ()  # the units of a path target with several (each a Target of its own)
    unit: str | None = None  # the unit's name: its file as the user would write it
    course_version: str | None = None  # "2021+", "older" or None (no evidence), for a unit
    version_evidence: str = ""  # what told the version ("public_tests.py beside W4A1.ipynb")
    copy_of: str | None = None  # the unit this one is a Jupyter copy of (``name-Copy1.ipynb``)
    trees: tuple = ()  # the folders a path target's files may come from (``root`` when empty)
    chosen: tuple = ()  # files the user named on the command line (SUITE=PATH, a file target)

    def units(self):
        """The units the run checks one by one: the parts of a tree, or the target itself."""
        return list(self.parts) or [self]

    def suites(self):
        """The suites the target implements, in the API's order."""
        if self.parts:
            return tuple(s for s in SUITES if any(s in u.suites() for u in self.parts))
        if self.kind in ("package", "objects"):
            return self.package_suites
        return tuple(s for s in SUITES if s in self.sources)

    def bundled(self):
        """Is this the harness's own code (the bundled implementation, or a file of its catalog)?"""
        if self.kind == "package":
            return sources.within(self.package, ("nnconf",))
        own = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "catalog") + os.sep
        return self.kind == "path" and bool(self.root) and os.path.abspath(self.root).startswith(own)

    def files(self):
        """The folders and files a worker must see to load this target (what the box binds back):
        the tree, and of the suites' files those that resolve inside it or that the user named.
        Nothing the tree names (a link, a ``pyproject.toml`` entry) takes a path out of it."""
        if self.kind == "package":
            return list(self.package_folders)
        if self.kind != "path":
            return []
        trees = list(self.trees or (self.root,))
        used = [p for u in self.units() for s in u.sources.values() for p in s.files()]
        return trees + [p for p in used if p in self.chosen or any(discovery.inside(p, t) for t in trees)]

    def relative(self, path):
        """``path`` as the user would write it (relative to the working folder when below it)."""
        if not path:
            return path
        relative = os.path.relpath(path)
        return path if relative.startswith(os.pardir) else relative

    def describe(self):
        """Lines that say where each suite comes from and why (printed before a run)."""
        if self.kind == "package":
            return [f"package {self.package}: {', '.join(self.suites())} (one module per suite)"]
        if self.kind == "objects":
            return [f"{', '.join(self.suites())}: {', '.join(sorted(OBJECTS.get(self.package, {})))}"]
        lines = []
        if self.parts:
            lines.append(f"{len(self.parts)} units, each checked on its own:")
            for unit in self.parts:
                lines += [f"unit {unit.label()}"] + [f"  {line}" for line in unit.describe()]
        for suite in self.suites() if not self.parts else ():
            source = self.sources[suite]
            evidence = ", ".join(source.evidence[:6]) + (" ..." if len(source.evidence) > 6 else "")
            lines.append(f"{suite:<12} {self.relative(source.primary)}  ({source.reason}: {evidence})")
            for name, path in sorted(source.names.items()):
                lines.append(f"{'':<12}   {name} from {self.relative(path)}")
        for suite, files in self.unclaimed.items():
            shown = ", ".join(files[:6]) + (f" and {len(files) - 6} more" if len(files) > 6 else "")
            lines.append(f"{suite:<12} not checked: {shown}: too few of the suite's names to tell "
                         f"(name a file to check it: {suite}=PATH)")
        for path, why in self.unreadable.items():
            lines.append(f"{'not checked':<12} {self.relative(path)}: {why}")
        if self.course_version and not self.parts:
            lines.append(f"{'version':<12} the {self.course_version} course ({self.version_evidence})")
        return lines

    def label(self):
        """The unit's name with what it is: ``W4A1-Copy1.ipynb (a Jupyter copy of W4A1.ipynb)``."""
        return self.unit + (f" (a Jupyter copy of {self.copy_of})" if self.copy_of else "")


def parse_target(words):
    """Turn the TARGET words into a :class:`Target`, or raise :class:`UsageError`."""
    words = list(words)
    overrides, plain = {}, []
    for word in words:
        suite, sep, path = word.partition("=")
        if sep and suite in SUITES:
            if suite in overrides:
                raise UsageError(f"suite {suite!r} is given twice ({overrides[suite]} and {path}); give one file per suite")
            overrides[suite] = _source_file(word, path)
        elif sep and not os.path.exists(word) and suite.isidentifier():
            raise UsageError(f"unknown suite {suite!r} in {word!r}; suites are: {', '.join(SUITES)}")
        else:
            plain.append(word)
    if len(plain) > 1:
        raise UsageError(f"give one TARGET (a folder, a file, a notebook or a package), not {len(plain)}: {' '.join(plain)}")
    if not plain and not overrides:
        plain, words = [os.curdir], [os.curdir]
    if plain and not os.path.exists(plain[0]):
        if overrides:
            raise UsageError(f"{plain[0]!r}: no such file or folder")
        return _package_target(plain[0], plain[0])
    spec = " ".join(words)
    pyproject = True
    if plain:
        path = os.path.abspath(plain[0])
        if os.path.isdir(path):
            root, files = path, None
        else:
            root, files = os.path.dirname(path), [_source_file(plain[0], plain[0])]
        trees = (root,)
    else:  # each file named alone is a tree of its own (its folder): no common folder above them is
        trees = tuple(sorted({os.path.dirname(p) for p in overrides.values()}))  # read or shown to the box
        root, files, pyproject = os.path.commonpath(trees), [], len(trees) == 1
    chosen = tuple(sorted({*overrides.values(), *(files or ())}))
    try:
        found, unclaimed, unreadable = discovery.detect(root, files, overrides, pyproject=pyproject)
    except discovery.DetectionError as exc:
        raise UsageError(str(exc)) from None
    if not found:
        raise UsageError(_nothing_found(plain[0] if plain else spec, root, files, unclaimed, unreadable))
    units = [_unit(spec, root, sources_of_file, trees, chosen) for sources_of_file in found]
    units = [_with_copy_of(u, units) for u in units]
    if len(units) == 1:
        return dataclasses.replace(units[0], unclaimed=unclaimed, unreadable=unreadable)
    return Target(spec=spec, kind="path", root=root, unclaimed=unclaimed, unreadable=unreadable, parts=tuple(units),
                  trees=trees, chosen=chosen)


def _unit(spec, root, sources_of_file, trees=(), chosen=()):
    """The Target of one unit: one file's suites, with the course version its files tell."""
    primary = next(iter(sources_of_file.values())).primary
    version, evidence = discovery.course_version(primary, sources.scan(primary))
    unit = Target(spec=spec, kind="path", root=root, sources=sources_of_file, course_version=version,
                  version_evidence=evidence, trees=tuple(trees), chosen=tuple(chosen))
    return dataclasses.replace(unit, unit=os.path.relpath(primary, root))


_COPY = re.compile(r"^(?P<stem>.+?)(?:[- ]Copy\d+| \(\d+\)| copy(?: \d+)?)$", re.IGNORECASE)


def _with_copy_of(unit, units):
    """Label a unit that is a copy of another (Jupyter's ``-Copy1``, a browser's `` (1)``)."""
    folder, name = os.path.split(unit.unit)
    stem, suffix = os.path.splitext(name)
    match = _COPY.match(stem)
    if not match:
        return unit
    original = os.path.join(folder, match["stem"] + suffix)
    if any(u.unit == original for u in units):
        return dataclasses.replace(unit, copy_of=original)
    return unit


def _source_file(word, path):
    """A file the user names (``SUITE=PATH``, a file target): any file, whose tree is its folder. A
    link there that leads out of that folder is the tree's doing, not the user's: refused, unread."""
    if not os.path.isfile(path):
        raise UsageError(f"{word!r}: no such file {path!r}; give a .py file or a notebook (.ipynb)")
    if not path.endswith((".py", sources.NOTEBOOK_SUFFIX)):
        raise UsageError(f"{word!r}: {path!r} is neither Python source (.py) nor a notebook (.ipynb)")
    full = os.path.abspath(path)
    if not discovery.inside(full, os.path.dirname(full)):
        raise UsageError(f"{word!r}: {path!r} is a link that leads out of its folder; it is not read "
                         "(name the file it links to, if that is the one to check)")
    return full


def _package_target(word, spec):
    """A dotted package name: its folders and suite modules found without importing any of it
    (``importlib.util.find_spec("a.b")`` would run ``a/__init__.py`` in the harness); only the
    worker imports the package."""
    if not all(part.isidentifier() for part in word.split(".")):
        raise UsageError(f"{word!r}: no such file or folder, and not a dotted package name")
    folders = package_folders(word)
    if not folders:
        raise UsageError(f"{word!r}: no such file or folder, and no package of that name can be imported "
                         "(install it, add it to PYTHONPATH, or give a path)")
    present = tuple(s for s in SUITES if any(_suite_module(f, s) for f in folders))
    if not present:
        raise UsageError(f"package {word!r} has none of the suite modules ({', '.join(SUITES)}); "
                         "to find your functions by their names, give its folder instead")
    return Target(spec=spec, kind="package", package=word, package_suites=present, package_folders=tuple(folders))


def package_folders(name):
    """The folders of the package ``name`` (dotted), found as the import system would find them but
    without importing it or its parents: the top-level package through the finders of
    ``sys.meta_path`` (a path entry, an editable install's mapping: finders only find), each further
    part as a folder among those of the part before (``mypkg/nn/``, with or without ``__init__.py``),
    else through the finders (an installer's mapping, as ``nnconf.impl``). A part already imported
    (the harness's own ``nnconf``) gives its ``__path__``. A folder that is a link out of the
    folder it sits in (``mypkg -> ~/.ssh``, ``mypkg/nn -> /etc``) is no package. [] when there is
    no such package."""
    folders = None
    for depth, part in enumerate(name.split(".")):
        fullname = ".".join(name.split(".")[:depth + 1])
        module = sys.modules.get(fullname)
        if module is not None:
            found = [str(f) for f in getattr(module, "__path__", None) or []]
        elif folders is None:
            found = _find_folders(fullname, None)
        else:
            on_disk = [os.path.join(f, part) for f in folders if os.path.isdir(os.path.join(f, part))]
            regular = [f for f in on_disk if os.path.isfile(os.path.join(f, "__init__.py"))]
            found = regular[:1] or on_disk or _find_folders(fullname, folders)
        if module is None and not all(discovery.inside(f, os.path.dirname(os.path.abspath(f))) for f in found):
            return []  # a folder of the package that is a link out of the folder it sits in
        if not found:
            return []
        folders = found
    return folders


def _find_folders(fullname, parent_folders):
    """A package's folders from the finders of ``sys.meta_path``, asked as the import system asks
    them, without importing the parent. Finders only find: none runs the module."""
    for finder in sys.meta_path:
        find = getattr(finder, "find_spec", None)
        if find is None:
            continue
        try:
            spec = find(fullname, parent_folders, None)
            folders = [str(f) for f in (spec.submodule_search_locations or [])] if spec is not None else []
        except Exception:  # noqa: BLE001 - a finder that cannot answer without the parent imported: the next one
            continue
        if spec is not None:
            return folders
    return []


def _suite_module(folder, suite):
    """Whether the package folder ``folder`` holds the module ``suite`` (``deep.py`` or
    ``deep/__init__.py``) whose real path lies inside the folder (a link out is not the package's)."""
    for candidate in (os.path.join(folder, suite + ".py"), os.path.join(folder, suite, "__init__.py")):
        if os.path.isfile(candidate) and discovery.inside(candidate, folder):
            return True
    return False


def _nothing_found(word, root, files, unclaimed, unreadable=None):
    scanned = files if files else discovery.python_files(root)
    skipped = "; ".join(f"{os.path.relpath(p, root)}: {why}" for p, why in (unreadable or {}).items())
    if not scanned:
        return f"{word}: no Python file (.py) or notebook (.ipynb) here" + (f" (not checked: {skipped})" if skipped else "")
    defined = sorted({n for p in scanned for n in sources.scan(p).public})
    text = (f"{word}: none of the suites' functions is defined here ({len(scanned)} file(s) read; they define "
            f"{', '.join(defined[:12]) or 'no function'}{' ...' if len(defined) > 12 else ''})")
    if unclaimed:
        text += "; seen but not enough to tell: " + "; ".join(f"{s} in {', '.join(n)}" for s, n in unclaimed.items())
        text += ". Name the file with SUITE=PATH"
    if skipped:
        text += f"; not checked: {skipped}"
    return text + ". The functions each suite checks: nnconf list"


# --- in the worker -----------------------------------------------------------------------------


def load_suite(target, suite):
    """The target's namespace for ``suite`` (in the worker). Raises :class:`MissingSuite`."""
    if suite not in target.suites():
        raise MissingSuite(f"{target.spec} does not implement the {suite} suite")
    if target.kind == "package":
        return importlib.import_module(f"{target.package}.{suite}")
    if target.kind == "objects":
        namespace = types.ModuleType(f"nnconf_target_{suite}", f"the {suite} functions of a running kernel")
        vars(namespace).update(OBJECTS[target.package])
        return namespace
    source = target.sources[suite]
    files = source.files()
    roots = [target.root] + [d for p in files for d in (os.path.dirname(p), sources.module_name(p)[1])]
    sources.TreeImporter(dict.fromkeys(roots)).install()
    primary = _import_file(source.primary)
    namespace = types.ModuleType(f"nnconf_target_{suite}", f"the {suite} suite of {target.spec}")
    namespace.__file__ = source.primary
    namespace.__nnconf_notes__ = list(getattr(primary, "__nnconf_notes__", []))
    vars(namespace).update({k: v for k, v in vars(primary).items() if not k.startswith("__")})
    for name, path in source.names.items():
        owner = _import_file(path)
        if hasattr(owner, name):
            setattr(namespace, name, getattr(owner, name))
        namespace.__nnconf_notes__ += [n for n in getattr(owner, "__nnconf_notes__", []) if n not in namespace.__nnconf_notes__]
    return namespace


def _import_file(path):
    """Import one of the target's files: by the name Python would give it (so that its relative
    imports and other files' ``import`` of it find the same module), or a name of its own."""
    name, base = sources.module_name(path)
    module = sys.modules.get(name)
    if module is not None and getattr(module, "__file__", None) == path:
        return module
    if path.endswith(".py") and name not in sys.modules:
        if base not in sys.path:
            sys.path.insert(0, base)
        module = importlib.import_module(name)
        if os.path.realpath(getattr(module, "__file__", "") or "") == os.path.realpath(path):
            return module
    return sources.load_file(path, f"_nnconf_file_{abs(hash(path))}_{name.replace('.', '_')}")


def resolve(module, suite, name):
    """The target's object for ``name`` (``Class.method`` gives the class), and the name used."""
    top = name.split(".")[0]
    for candidate in (top, *ALIASES.get(suite, {}).get(top, ())):
        value = getattr(module, candidate, None)
        if value is not None and not isinstance(value, sources.Unavailable):
            return value, candidate
        if isinstance(value, sources.Unavailable) and value._forbidden:
            value._fail()
        if isinstance(value, sources.Unavailable):
            raise MissingName(f"`{top}` could not be loaded: {value._reason}", top)
    variant = _variant(module, top)
    if variant is not None:
        return getattr(module, variant), variant
    near = difflib.get_close_matches(top, [n for n in dir(module) if not n.startswith("_")], n=1, cutoff=0.85)
    hint = f"; `{near[0]}` is defined: a misspelling?" if near else ""
    raise MissingName(f"`{top}` is not implemented (not defined in {getattr(module, '__file__', module)}){hint}", top)


def defined_under(suite, top, defined):
    """The name of ``defined`` (names a unit's files define) that holds the API's ``top``: ``top``
    itself, else its one older name (``ALIASES``), else its one spelling as learners write it
    (:func:`is_variant`); None when there is none, or more than one."""
    if top in defined:
        return top
    older = [a for a in ALIASES.get(suite, {}).get(top, ()) if a in defined]
    found = older or [n for n in defined if is_variant(n, top)]
    return found[0] if len(found) == 1 else None


def _variant(module, top):
    """The one name of ``module`` that is ``top`` as learners write it (:func:`is_variant`), or
    None; for a class, also a class derived from one named ``top``."""
    wants_class = top[:1].isupper()
    names = [n for n in dir(module) if not n.startswith("_")
             and isinstance(getattr(module, n, None), type) == wants_class
             and not isinstance(getattr(module, n, None), sources.Unavailable)]
    found = [n for n in names if is_variant(n, top)]
    if not found and wants_class:
        found = [n for n in names if any(b.__name__ == top for b in getattr(module, n).__mro__[1:])]
    return found[0] if len(found) == 1 else None


# Classes a learner may extend under a longer name (``TwoLayerNetBackPropagation``); a layer's name is
# not among them: ``SigmoidWithLoss`` is not a ``Sigmoid``.
EXTENDED_CLASSES = ("TwoLayerNet",)


def is_variant(name, top):
    """Is ``name`` the API's ``top`` as learners write it: the same in another case (``ReLu`` for
    ``Relu``), or a network class under a longer name (``TwoLayerNetBackPropagation``)?"""
    if name == top or name[:1].isupper() != top[:1].isupper():  # a function relu is no class Relu
        return False
    return name.lower() == top.lower() or (top in EXTENDED_CLASSES and name.startswith(top))


# Names learners write for the API's methods and attributes, besides another case.
NEAR_MISSES = {"numerical_gradient": ("numeric_gradient",)}


def near_names(names, name):
    """The names among ``names`` that are the API's method or attribute ``name`` as learners write
    it: the same in another case (``dw`` for ``dW``, ``Numerical_Gradient``) or a known near-miss
    (``numeric_gradient``). The caller reads one only where there is exactly one."""
    misses = NEAR_MISSES.get(name, ())
    return sorted(n for n in names if n != name and (n.lower() == name.lower() or n in misses))


def put_standins(module, suite, names, table):
    """Replace the target's ``names`` by working stand-ins (suites.standins: ``table`` holds their
    sources) wherever the target's code looks them up: the suite's namespace, the globals of its
    functions (a notebook's, a helper file's), any module of the target holding the same object.
    A name the target lacks (its cell does not parse) is put where its callers look for it."""
    import numpy

    scope = {"np": numpy, "__name__": "nnconf_standins"}
    for source in table.values():
        exec(compile(source, "<nnconf stand-in>", "exec"), scope)  # noqa: S102 - the harness's own code (engine.STANDIN_FILE)
    functions = [v for v in vars(module).values() if isinstance(v, types.FunctionType)]
    for name in names:
        original = getattr(module, name, None)
        spaces = [vars(module), *(f.__globals__ for f in functions)]
        if original is not None:
            spaces += [vars(m) for m in list(sys.modules.values()) if getattr(m, "__dict__", None) is not None]
        for space in spaces:
            if original is None or space.get(name) is original:
                space[name] = scope[name]


def implemented(module, suite, name):
    """Whether ``name`` (``Class.method`` too) is defined, and the reason when it is not."""
    try:
        value, _ = resolve(module, suite, name)
    except MissingName as exc:
        return False, str(exc)
    method = name.split(".", 1)[1] if "." in name else None
    if method and not callable(getattr(value, method, None)):
        near = [n for n in near_names([n for n in dir(value) if not n.startswith("_")], method)
                if callable(getattr(value, n, None))]
        if len(near) != 1:
            return False, f"`{name.split('.')[0]}` has no method `{method}`"
    return True, ""
