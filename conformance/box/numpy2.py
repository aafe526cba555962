"""NumPy's removed aliases: code that was right for NumPy 1.x is judged behind the crash.

Learners' code of 2018-2022 writes ``np.float_``, ``np.int``, ``np.NaN`` or ``np.product``; NumPy
1.24 and 2.x removed them, so on today's NumPy that code stops with an AttributeError before its
real bugs (a rank-1 array, a missing 1/m) can show. Two halves, one table (:data:`REMOVED`):

- the worker (``serve.py``) puts each removed name back as NumPy 1.x had it
  (:func:`restore_aliases`, before it takes its snapshot of NumPy's namespace, so the aliases come
  back with every call like the rest of NumPy), and the function is judged with them;
- the harness reads the unit's files itself, never what the worker says (:func:`removed_uses`, an
  AST scan through the filter the worker loads them with), and reports each checked function
  that uses a removed name, directly or through a helper of its file, as a warning of its own
  (:func:`records`, bug class ``api.numpy2_removed``).
"""

import ast
from dataclasses import dataclass

import numpy as np

from nnconf.conformance.reading import sources


@dataclass(frozen=True)
class Removal:
    replacement: str  # what to write instead
    version: str  # the NumPy release that removed it
    old: object  # what NumPy 1.x had under the name


def _asfarray(a, dtype=np.float64):
    """NumPy 1.x's ``np.asfarray``: an array of a floating type (float64 unless ``dtype`` is one)."""
    if not np.issubdtype(dtype, np.inexact):
        dtype = np.float64
    return np.asarray(a, dtype=dtype)


def _msort(a):
    """NumPy 1.x's ``np.msort``: sorted along the first axis."""
    return np.sort(a, axis=0)


def _in1d(ar1, ar2, assume_unique=False, invert=False, *, kind=None):
    """NumPy 1.x's ``np.in1d``: ``np.isin`` of the flattened first argument."""
    return np.isin(np.asarray(ar1).ravel(), ar2, assume_unique=assume_unique, invert=invert, kind=kind)


def _asscalar(a):
    """NumPy 1.x's ``np.asscalar``: the Python scalar of a one-element array."""
    return a.item()


def _table():
    expired = {  # numpy/_expired_attrs_2_0.py, the names learners' code uses
        "float_": ("np.float64", np.float64), "complex_": ("np.complex128", np.complex128),
        "cfloat": ("np.complex128", np.complex128), "singlecomplex": ("np.complex64", np.complex64),
        "longfloat": ("np.longdouble", np.longdouble), "longcomplex": ("np.clongdouble", np.clongdouble),
        "clongfloat": ("np.clongdouble", np.clongdouble), "string_": ("np.bytes_", np.bytes_),
        "unicode_": ("np.str_", np.str_), "Inf": ("np.inf", np.inf), "Infinity": ("np.inf", np.inf),
        "infty": ("np.inf", np.inf), "PINF": ("np.inf", np.inf), "NINF": ("-np.inf", -np.inf),
        "PZERO": ("0.0", 0.0), "NZERO": ("-0.0", -0.0), "NaN": ("np.nan", np.nan),
        "round_": ("np.round", np.round), "alltrue": ("np.all", np.all), "sometrue": ("np.any", np.any),
        "asfarray": ("np.asarray(a, dtype=np.float64)", _asfarray), "mat": ("np.asmatrix", np.asmatrix),
        "product": ("np.prod", np.prod), "cumproduct": ("np.cumprod", np.cumprod),
        "msort": ("np.sort(a, axis=0)", _msort),
    }
    table = {name: Removal(new, "2.0", old) for name, (new, old) in expired.items()}
    table.update({  # the aliases of Python's types, deprecated in 1.20 (np.bool, np.long: NumPy types again in 2.0)
        name: Removal(name, "1.24", old)
        for name, old in (("float", float), ("int", int), ("complex", complex), ("object", object), ("str", str))})
    table["in1d"] = Removal("np.isin", "2.4", _in1d)
    if hasattr(np, "trapezoid"):
        table["trapz"] = Removal("np.trapezoid", "2.4", np.trapezoid)
    table["asscalar"] = Removal("a.item()", "1.23", _asscalar)
    table["rank"] = Removal("np.ndim", "1.18", np.ndim)
    return {name: removal for name, removal in table.items() if name not in vars(np)}  # only what this NumPy lacks


REMOVED = _table()


def restore_aliases(numpy=np):
    """Put NumPy 1.x's removed names back into ``numpy``'s namespace (the worker's side; never the
    harness's own NumPy). Not added to ``__all__``: ``from numpy import *`` still binds none of
    them (``float`` and ``int`` would shadow Python's)."""
    for name, removal in REMOVED.items():
        vars(numpy).setdefault(name, removal.old)


# --- the harness's side: which functions use a removed name -------------------------------------


@dataclass(frozen=True)
class Use:
    alias: str  # as written: ``np.float_``, ``numpy.int`` (``numpy.NaN`` for ``from numpy import NaN``)
    where: str  # ``file:line`` or ``file, cell N, line M``
    via: str | None = None  # the helper of the same file it is reached through (None: the function's own code)


def removed_uses(path, relative=None):
    """{qualified name: [Use, ...]} of the top-level functions and class methods (``Affine.backward``)
    of ``path`` (a .py file or a notebook) that use a removed NumPy name: in their own code,
    through a helper function or class of the same file they refer to, or through a top-level
    constant built with one. ``where`` names the file through ``relative`` (default: as given).
    Only what the worker would load is read (the statements :func:`sources.definitions` keeps);
    a cell that does not parse is left out; a file that cannot be read gives {}."""
    try:
        pieces = sources.chunks(path)
    except (OSError, ValueError):
        return {}
    shown = relative(path) if relative else path
    trees, bound = [], set()
    for chunk in pieces:
        tree = sources.definitions(chunk, bound)
        if tree is not None:
            trees.append((chunk.cell, tree))
    numpy_names, imported = set(), {}  # file-wide: a notebook imports NumPy in one cell and uses it in others
    for _, tree in trees:
        _numpy_bindings(tree, numpy_names, imported)
    units = {}  # name -> _Unit; a later definition wins, as in the loaded module
    for cell, tree in trees:
        scope = _Scope(numpy_names, imported, lambda line, cell=cell: f"{shown}:{line}" if cell is None
                       else f"{shown}, cell {cell}, line {line}")
        for guarded in tree.body:
            _collect(guarded.body[0], units, scope)
    found = {}
    for name, unit in units.items():
        if unit.function:
            uses = _reach(name, units)
            if uses:
                found[name] = uses
    return found


@dataclass
class _Unit:
    function: bool  # a function or method (reported), or another name (a class, a constant)
    uses: list  # Use of its own code
    reads: set  # the names of other units it refers to


@dataclass
class _Scope:
    numpy_names: set  # names bound to NumPy: np, numpy
    imported: dict  # {local name: removed name} of ``from numpy import float_ as f``
    where: object  # line -> text


def _numpy_bindings(tree, numpy_names, imported):
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == "numpy" or (alias.asname is None and alias.name.startswith("numpy.")):
                    numpy_names.add(alias.asname or "numpy")
        elif isinstance(node, ast.ImportFrom) and node.module == "numpy" and not node.level:
            imported.update({a.asname or a.name: a.name for a in node.names if a.name in REMOVED})


def _direct_uses(nodes, scope):
    found = []
    for node in nodes:
        for sub in ast.walk(node):
            if (isinstance(sub, ast.Attribute) and sub.attr in REMOVED and isinstance(sub.value, ast.Name)
                    and sub.value.id in scope.numpy_names):
                found.append(Use(f"{sub.value.id}.{sub.attr}", scope.where(sub.lineno)))
            elif isinstance(sub, ast.ImportFrom) and sub.module == "numpy" and not sub.level:
                found += [Use(f"numpy.{a.name}", scope.where(sub.lineno)) for a in sub.names if a.name in REMOVED]
            elif isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Load) and sub.id in scope.imported:
                found.append(Use(f"numpy.{scope.imported[sub.id]}", scope.where(sub.lineno)))
    return found


def _reads(nodes):
    return {n.id for node in nodes for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


def _collect(node, units, scope):
    """The units a kept top-level statement defines."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        units[node.name] = _Unit(True, _direct_uses([node], scope), _reads([node]))
    elif isinstance(node, ast.ClassDef):
        methods = [n for n in node.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
        rest = [n for n in node.body if n not in methods] + node.bases + node.keywords + node.decorator_list
        body = f"{node.name}#body"  # what defining the class runs: every method needs it, none needs __init__
        units[body] = _Unit(False, _direct_uses(rest, scope), _reads(rest))
        units[node.name] = _Unit(False, [], {body} | ({f"{node.name}.__init__"}
                                                       if any(m.name == "__init__" for m in methods) else set()))
        for method in methods:
            own = {f"{node.name}.{a.attr}" for a in ast.walk(method) if isinstance(a, ast.Attribute)
                   and isinstance(a.value, ast.Name) and a.value.id in ("self", "cls", node.name)}
            units[f"{node.name}.{method.name}"] = _Unit(True, _direct_uses([method], scope),
                                                        _reads([method]) | own | {body})
    elif isinstance(node, (ast.If, ast.Try)):
        for field_name in ("body", "orelse", "finalbody"):
            for child in getattr(node, field_name, []):
                _collect(child, units, scope)
        for handler in getattr(node, "handlers", []):
            for child in handler.body:
                _collect(child, units, scope)
    elif isinstance(node, ast.ImportFrom) and node.module == "numpy" and not node.level:
        for alias in node.names:  # ``from numpy import float_``: each use of the name is a use (_direct_uses)
            units[alias.asname or alias.name] = _Unit(False, [], set())
    else:  # an import, a constant, a del: each name it binds carries what it used
        uses, reads = _direct_uses([node], scope), _reads([node])
        for name in sources.bound_names(node) - {"*"}:
            units[name] = _Unit(False, uses, reads)


def _reach(name, units):
    """The Uses of ``name``'s own code and of every unit it reaches through the names it reads."""
    found, seen, stack = [], {name}, [(name, None)]
    while stack:
        current, via = stack.pop()
        unit = units[current]
        found += [Use(u.alias, u.where, via) for u in unit.uses]
        for read in sorted(unit.reads - seen):
            if read in units:
                seen.add(read)
                stack.append((read, via or read.split("#")[0]))  # Affine#body is reached through Affine
    return sorted(dict.fromkeys(found), key=lambda u: (u.via is not None, u.via or ""))  # its own code first


# --- the findings -------------------------------------------------------------------------------


def records(suite, names, files, relative=None):
    """The warnings of the checked functions ``names`` (``linear_backward``, ``Affine.backward``) of
    ``suite`` that use a removed NumPy name, read from ``files`` (the unit's files; the first that
    defines a name is the one read): one ``warn`` Record each, bug class ``api.numpy2_removed``. A
    name is looked up as the API writes it, else under the documents' older names
    (``L_Model_Forward``), else as learners write it (``ReLu.forward``), as the loader does."""
    from nnconf.conformance.judging.bug_classes import explain
    from nnconf.conformance.judging.severity import WARNINGS
    from nnconf.conformance.reading import loader

    rule = next(r for r in WARNINGS if r.name == RULE)
    scanned, out = {}, []
    for name in dict.fromkeys(names):
        top, dot, rest = name.partition(".")
        for path in files:
            if path not in scanned:
                scanned[path] = (list(sources.scan(path).defined), removed_uses(path, relative))
            defined, uses = scanned[path]
            read = loader.defined_under(suite, top, defined)
            if read is None:
                continue
            found = uses.get(read + dot + rest)
            if found:
                out.append(_record(suite, name, read + dot + rest, found, rule, explain))
            break
    return out


def unit_records(target, suite, names):
    """:func:`records` for a suite of a loaded target (nothing for a package or a kernel's objects,
    whose files the discovery did not name)."""
    if target.kind != "path" or suite not in target.sources:
        return []
    return records(suite, names, target.sources[suite].files(), target.relative)


RULE = "removed from NumPy"  # the rule of severity.WARNINGS its records carry


def _record(suite, name, read, found, rule, explain):
    from nnconf.conformance.judging.records import Record

    parts = []
    for alias in dict.fromkeys(u.alias for u in found):
        removal = REMOVED[alias.rpartition(".")[2]]
        at = [u.where + (f" in {u.via}, which it uses" if u.via else "") for u in found if u.alias == alias]
        parts.append(f"{alias} (removed in NumPy {removal.version}; use {removal.replacement}) at "
                     + ", ".join(at[:3]) + (f" and {len(at) - 3} more" if len(at) > 3 else ""))
    shown = name if read == name else f"{name} (read as {read})"
    message = (f"warning ({rule.name}): {shown} uses {'; '.join(parts)}. On NumPy 2 it crashes (AttributeError); "
               "the code was right for NumPy 1.x, so it is judged with NumPy 1.x's aliases in place")
    return Record(
        suite=suite, function=name, check=f"numpy2:{name}", stage="smoke", status="warn",
        diagnosis="api.numpy2_removed", diagnosis_text=explain("api.numpy2_removed"), message=message,
        extra={"rule": rule.name, "source": found[0].where,
               "numpy2": [{"alias": u.alias, "where": u.where, "via": u.via} for u in found]},
    )
