"""Reading a user's code as it is: course notebooks as downloaded, and ``.py`` files whose top level
runs tests or training.

A file is taken as *definitions*: its imports, functions, classes, constant assignments and
additions to ``sys.path`` (the book's chapters import ``common`` after ``sys.path.append(os.pardir)``).
Every other top-level statement (a test call such as ``linear_forward_test(linear_forward)``, plotting,
data loading, a training run, ``if __name__ == "__main__":``) is left out, and so are IPython's
line magics, ``!`` shell lines and cells of other languages (``%%bash``) in notebooks; the body of a
``%%time``, ``%%capture``, ``%%prun`` or ``%%debug`` cell is read as the Python it is (IPython's own
reader tells, where IPython is installed: :func:`as_python`). An import that fails (a package that is
not installed, such as ``h5py``) binds its names to a stand-in that raises when it is used, and becomes a note:
it matters only to a checked function that uses that name.

:func:`scan` reads a file's top-level names without running anything (the harness uses it to
find suites); :class:`TreeImporter` imports a user's files through the same filter (the worker
uses it, so that ``from common.layers import *`` of one user file loads the other filtered too).
"""

import ast
import copy
import functools
import importlib.abc
import importlib.machinery
import importlib.util
import json
import linecache
import os
import re
import sys
from dataclasses import dataclass, field

NOTEBOOK_SUFFIX = ".ipynb"
# Folders that hold no user code: environments, caches, checkpoints, builds (and hidden folders).
SKIPPED_FOLDERS = {"__pycache__", ".ipynb_checkpoints", "node_modules", "site-packages", "venv", "env", "build",
                   "dist", ".git", ".venv", ".tox", ".nox"}
MAX_SOURCE_BYTES = 20 * 2**20  # a notebook with its outputs may be large; its code is not
# The code of one file (a .py file, or a notebook's code cells together). Parsing takes memory in
# proportion to it, and a lot of it: the syntax tree of 4 MB of dense code (``T = [0,0,...]``) is 2 GB and
# 25 s, of 256 KB ~130 MB and seconds (each of the harness and the worker parses it).
# A course's largest notebook holds about 60 KB of code, the book's largest file 20 KB.
MAX_CODE_BYTES = 256 * 2**10

# Calls a kept top-level assignment may make: building a constant, not loading data or drawing
# random numbers (``EPS = np.float64(1e-8)``, ``relu_v = np.vectorize(relu)``, ``DIMS = list(...)``).
_CONSTANT_CALLS = {"dict", "list", "tuple", "set", "frozenset", "float", "int", "str", "bool", "range",
                   "len", "min", "max", "abs", "round", "sorted", "zip", "enumerate", "object"}
_CONSTANT_MODULES = {"np", "numpy", "math"}
_NOT_CONSTANT = {"random", "load", "loadtxt", "genfromtxt", "fromfile", "memmap", "save", "savez", "savetxt"}


# --- reading ------------------------------------------------------------------------------------


@dataclass
class Chunk:
    """One piece of source to run: a whole .py file, or one notebook cell."""

    source: str
    filename: str  # what tracebacks show: the file, or ``NOTEBOOK#cellN``
    cell: int | None = None


def chunks(path):
    """The code of ``path`` as chunks: one for a .py file, one per code cell of a notebook (read by
    :func:`as_python`: IPython's syntax blanked so that line numbers stay those of the cell). Raises
    ValueError, naming the file, for a file that is not read: over MAX_SOURCE_BYTES, over
    MAX_CODE_BYTES of code, or a notebook that is not one; memory stays in proportion to the code (a
    notebook's outputs are dropped as they are parsed)."""
    size = os.path.getsize(path)
    if not path.endswith(NOTEBOOK_SUFFIX):
        if size > MAX_CODE_BYTES:
            raise ValueError(_too_large(path, size, MAX_CODE_BYTES, "a source file"))
        with open(path, "rb") as handle:
            source = _decode(handle.read(MAX_CODE_BYTES + 1), path)
        if not _parses(source):  # a notebook copied by hand keeps its magics: read it as the notebook it was
            source = as_python(source)
        return [Chunk(source, path)]
    if size > MAX_SOURCE_BYTES:
        raise ValueError(_too_large(path, size, MAX_SOURCE_BYTES, "a notebook, outputs included"))
    out, code, budget = [], 0, [IPYTHON_BUDGET]
    for index, cell in enumerate(_notebook_cells(path), start=1):
        if cell.get("cell_type") == "code":
            source = _cell_text(cell, path)
            code += len(source)
            if code > MAX_CODE_BYTES:
                raise ValueError(_too_large(path, code, MAX_CODE_BYTES, "the code of a notebook", at_least=True))
            out.append(Chunk(as_python(source, budget), f"{path}#cell{index}", index))
    return out


def _too_large(path, size, limit, what, at_least=False):
    """The note for a file that is not read because of its size (the run names it 'not checked')."""
    def amount(n):
        return f"{n / 2**20:.1f} MB" if n >= 2**20 else f"{n / 2**10:.0f} KB"
    return (f"{path} not read: {'more than ' if at_least else ''}{amount(size)}, past the {amount(limit)} the harness "
            f"reads of {what} (is it really source code?)")


def _notebook_cells(path):
    """The cells of a notebook (format 4, or 3's worksheets), read as JSON with every cell's outputs
    and attachments dropped as soon as they are parsed: the harness never holds a notebook's
    outputs (most of its bytes; images in base64) in memory at once, and never runs nbformat's
    validation (its schema walk costs many times the file's size)."""
    try:
        with open(path, "rb") as handle:
            notebook = json.loads(handle.read(MAX_SOURCE_BYTES + 1), object_pairs_hook=_without_outputs)
    except (ValueError, RecursionError, UnicodeDecodeError) as exc:
        raise ValueError(f"{path} cannot be read as a Jupyter notebook ({type(exc).__name__}: {exc})") from None
    if not isinstance(notebook, dict):
        raise ValueError(f"{path} cannot be read as a Jupyter notebook (not a JSON object)")
    if isinstance(notebook.get("cells"), list):
        cells = notebook["cells"]
    elif isinstance(notebook.get("worksheets"), list):  # format 3: cells in worksheets, code in "input"
        cells = [c for w in notebook["worksheets"] if isinstance(w, dict) and isinstance(w.get("cells"), list)
                 for c in w["cells"]]
    else:
        raise ValueError(f"{path} cannot be read as a Jupyter notebook (it has no cells)")
    return [c for c in cells if isinstance(c, dict)]


def _without_outputs(pairs):
    """A JSON object of a notebook without what is never code: an output is replaced by None at once
    (so its data is freed before the next is parsed), a cell loses its outputs and attachments."""
    keys = {k for k, _ in pairs}
    if "output_type" in keys:
        return None
    if "cell_type" in keys:
        return {k: v for k, v in pairs if k not in ("outputs", "attachments")}
    return dict(pairs)


def _cell_text(cell, path):
    """A code cell's source (format 4's ``source``, format 3's ``input``), a string or a list of lines."""
    source = cell.get("source", cell.get("input", ""))
    if isinstance(source, list) and all(isinstance(line, str) for line in source):
        return "".join(source)
    if isinstance(source, str):
        return source
    raise ValueError(f"{path} cannot be read as a Jupyter notebook (a cell whose source is not text)")


def _decode(data, path):
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")


# --- IPython's syntax in notebook cells ------------------------------------------------------------

# Cell magics whose body is Python that IPython runs in the notebook's own namespace, so that what the
# body defines stays defined after the cell (IPython 9's ``%%time``, ``%%capture``, ``%%prun`` and
# ``%%debug``). ``%%timeit`` is not one: it runs its body inside a function of its own, and a ``def``
# there is gone after the cell. Any other cell magic (``%%bash``, ``%%writefile``, ``%%html``, and
# ``%%python``, which runs in another process) makes its cell not Python.
PYTHON_CELL_MAGICS = frozenset({"time", "capture", "prun", "debug"})
MAX_CELL_MAGICS = 8  # ``%%capture`` over ``%%time`` over ...: deeper than this, the cell is not read

# What may be IPython's syntax: an escape at the start of a line (``%magic``, ``!shell``, ``?help``,
# ``,f a`` and ``;f a`` autoquote, ``/f a`` autocall, prompts), help at its end (``obj?``), ``x = !ls``,
# ``x = %time f()``; and a cell whose first line is indented (IPython dedents it). A cell with none of
# these is Python as it stands; one with some is read as IPython only if it does not parse as Python.
_MAYBE_IPYTHON = re.compile(r"^[ \t]*(?:[%!?,;/]|>>>|In \[\d*\]:)|\?[ \t]*$|=[ \t]*[%!]", re.MULTILINE)

# IPython re-tokenises the whole cell once per piece of IPython syntax it rewrites (seconds for a large
# cell with many magics): at most this many characters, (pieces + 1) x the cell's length, are spent
# per file; past it, the rest of the file's IPython syntax is read by _IPYTHON_LINE.
IPYTHON_BUDGET = 256 * 2**10

# Without IPython (it is not a dependency of nnconf), the lines that are IPython by this regex.
_IPYTHON_LINE = re.compile(r"""^\s*(
    [%!]                      # %magic, !shell
  | [\w.]+\?{1,2}\s*$        # obj? and obj?? (help)
  | [\w., ]+=\s*!            # files = !ls
)""", re.VERBOSE)


def as_python(source, budget=None):
    """``source`` (a notebook cell, or a .py file that does not parse) as the Python that IPython runs
    of it, line for line, so that line numbers stay those of the cell: the body of a cell magic of
    PYTHON_CELL_MAGICS is read as a cell of its own; a cell under any other cell magic is blank;
    line magics, ``!shell`` lines, ``x = !ls`` and help (``obj?``) are left out (``pass`` where they
    stood in a block). IPython's own reader (``IPython.core.inputtransformer2``) decides what is
    IPython where it is installed, within ``budget`` (a one-element list, the characters left to
    it in this file; IPYTHON_BUDGET if None); elsewhere a regex, with the same result for the usual
    magics."""
    budget = [IPYTHON_BUDGET] if budget is None else budget
    return "\n".join(_python_lines(source.splitlines(), budget))


def _python_lines(lines, budget, depth=0):
    """``lines`` (without their ends) as Python, as many lines."""
    start = next((i for i, line in enumerate(lines) if line.strip()), len(lines))
    text = "\n".join(lines)
    if start == len(lines) or not (_MAYBE_IPYTHON.search(text) or lines[start][:1].isspace()) or _parses(text):
        return lines
    reader = _ipython()
    try:
        read = None if reader is None else _ipython_lines(reader, lines[start:], budget, depth)
    except Exception:  # noqa: BLE001 - text IPython's reader cannot take (what tokenize raises): the regex reads it
        read = None
    if read is None:
        read = _regex_lines(lines[start:], budget, depth)
    return [""] * start + read


def _parses(text):
    try:
        ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


def _ipython_lines(reader, lines, budget, depth):
    """``lines`` (the first one not blank) read by IPython's TransformerManager ``reader``; None
    where the budget is spent or IPython did not keep one line per line."""
    cell = [line + "\n" for line in lines]
    for transform in reader.cleanup_transforms:  # a dedent and the prompts (>>>, In [1]:), line for line
        cell = transform(cell)
    magic = cell
    for transform in reader.line_transforms:  # a cell magic: get_ipython().run_cell_magic(name, line, body)
        magic = transform(magic)
    if magic != cell:
        call = ast.parse("".join(magic)).body[0].value
        name, _, body = (ast.literal_eval(argument) for argument in call.args)
        return _cell_magic(name, body.splitlines(), len(lines), budget, depth)
    cost = (len(_MAYBE_IPYTHON.findall("".join(cell))) + 1) * sum(map(len, cell))
    if cost > budget[0]:
        return None
    budget[0] -= cost
    ran = reader.do_token_transforms(cell)
    if len(ran) != len(cell):
        return None
    out = []
    for before, after in zip(cell, ran):
        if before == after:
            out.append(before[:-1] if before.endswith("\n") else before)
        else:  # IPython's call where the magic stood (at its indent), or a continuation line of it
            text = after.rstrip("\n")
            indent = text[:len(text) - len(text.lstrip())]
            out.append(indent + "pass" if indent else "")
    return out


def _cell_magic(name, body, count, budget, depth):
    """The ``count`` lines of a cell under cell magic ``name`` whose lines after the first are ``body``."""
    if name not in PYTHON_CELL_MAGICS or depth >= MAX_CELL_MAGICS:
        return [""] * count
    return ([""] + _python_lines(body, budget, depth + 1) + [""] * count)[:count]


def _regex_lines(lines, budget, depth):
    """``lines`` (the first one not blank) read without IPython."""
    first = lines[0].strip()
    if first.startswith("%%"):
        name = (first[2:].split() or [""])[0]
        return _cell_magic(name, lines[1:], len(lines), budget, depth)
    return ["" if _IPYTHON_LINE.match(line) else line for line in lines]


@functools.lru_cache(maxsize=1)
def _ipython():
    """IPython's reader of cells, each of its rewrites padded to keep the cell's line count (a
    ``!cmd \\`` continued over lines becomes one call); None where IPython cannot be imported."""
    try:
        from IPython.core.inputtransformer2 import TransformerManager
    except Exception:  # noqa: BLE001 - not installed (not a dependency), or broken: the regex reads the cells
        return None
    reader = TransformerManager()
    reader.token_transformers = [_line_for_line(t) for t in reader.token_transformers]
    return reader


def _line_for_line(transformer):
    """IPython's token transformer class ``transformer``, its rewrite followed by blank lines for the
    lines it joined."""
    def transform(self, lines):
        out = transformer.transform(self, lines)
        joined = len(lines) - len(out)
        return out[:self.start_line + 1] + ["\n"] * joined + out[self.start_line + 1:]
    return type(transformer.__name__, (transformer,), {"transform": transform})


# --- which top-level statements are definitions -------------------------------------------------


def keep(node, bound=None):
    """The top-level statement ``node`` filtered to its definitions, or None (left out). With
    ``bound`` (the names defined so far), an assignment is kept only when every name it reads is
    bound or a builtin: ``train_x = train_x_flatten / 255.`` after a data cell left out is not."""
    if isinstance(node, (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return node
    if isinstance(node, ast.Delete) and all(isinstance(t, ast.Name) for t in node.targets):
        return node  # ``del helper``: the namespace the user's code leaves behind
    if isinstance(node, ast.Expr) and _extends_sys_path(node.value):
        return node  # ``sys.path.append(os.pardir)``, as the book's chapters do before their imports
    if isinstance(node, (ast.Assign, ast.AnnAssign)):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        value = node.value
        if value is not None and all(_plain_target(t) for t in targets) and _constant_expression(value) \
                and (bound is None or "*" in bound or _reads(value) <= bound | _BUILTINS):
            return node
        return None
    if isinstance(node, ast.If):
        if _is_main_guard(node.test) or not _constant_expression(node.test):
            return None
        return _with_bodies(node, ("body", "orelse"))
    if isinstance(node, ast.Try):
        return _with_bodies(node, ("body", "orelse", "finalbody"), handlers=True)
    return None


_BUILTINS = set(dir(__import__("builtins")))


def _reads(node):
    """Names an expression reads (a lambda's own parameters left out)."""
    names = {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    params = {a.arg for n in ast.walk(node) if isinstance(n, ast.Lambda) for a in ast.walk(n.args) if isinstance(a, ast.arg)}
    return names - params


def _with_bodies(node, fields, handlers=False):
    for name in fields:
        setattr(node, name, [kept for kept in map(keep, getattr(node, name)) if kept is not None])
    if handlers:
        for handler in node.handlers:
            handler.body = [kept for kept in map(keep, handler.body) if kept is not None] or [ast.Pass()]
    if not node.body:
        return None
    if isinstance(node, ast.Try) and not node.handlers and not node.finalbody:
        node.finalbody = [ast.Pass()]
    return node


def _extends_sys_path(call):
    """``sys.path.append(...)``, ``sys.path.insert(...)`` or ``sys.path.extend(...)``."""
    func = getattr(call, "func", None)
    return (isinstance(call, ast.Call) and isinstance(func, ast.Attribute) and func.attr in ("append", "insert", "extend")
            and isinstance(func.value, ast.Attribute) and func.value.attr == "path"
            and isinstance(func.value.value, ast.Name) and func.value.value.id == "sys")


def _plain_target(target):
    if isinstance(target, ast.Name):
        return True
    return isinstance(target, (ast.Tuple, ast.List)) and all(_plain_target(t) for t in target.elts)


def _is_main_guard(test):
    names = {n.id for n in ast.walk(test) if isinstance(n, ast.Name)}
    return "__name__" in names


def _constant_expression(node):
    """No call but ones that build a constant (see _CONSTANT_CALLS), no comprehension over data."""
    for sub in ast.walk(node):
        if isinstance(sub, (ast.Await, ast.Yield, ast.YieldFrom, ast.NamedExpr)):
            return False
        if isinstance(sub, ast.Lambda):
            continue
        if isinstance(sub, ast.Call) and not _constant_call(sub.func):
            return False
    return True


def _constant_call(func):
    if isinstance(func, ast.Name):
        return func.id in _CONSTANT_CALLS
    parts = []
    while isinstance(func, ast.Attribute):
        parts.append(func.attr)
        func = func.value
    return isinstance(func, ast.Name) and func.id in _CONSTANT_MODULES and not _NOT_CONSTANT & set(parts)


# --- compiling the definitions ------------------------------------------------------------------

_GUARD = "__nnconf_guard__"


def definitions(chunk, bound=None):
    """The chunk's definitions as a module AST, each statement guarded: an import or assignment that
    fails calls ``__nnconf_guard__(names, line, exception)`` instead of stopping the rest. None when
    the chunk is not Python (a cell of another language). ``bound``, the names defined by earlier
    chunks, grows with this chunk's."""
    bound = set() if bound is None else bound
    try:
        tree = ast.parse(chunk.source, chunk.filename)
    except SyntaxError:
        return None
    body = []
    for node in tree.body:
        kept = keep(node, bound)
        if kept is not None:
            bound |= bound_names(kept)
            body.append(_guarded(kept))
    module = ast.Module(body=body, type_ignores=[])
    return ast.fix_missing_locations(module)


def _guarded(node):
    names = sorted(bound_names(node))
    imports = [n for n in ast.walk(node) if isinstance(n, (ast.Import, ast.ImportFrom))]
    star = [n.module for n in imports if isinstance(n, ast.ImportFrom) and any(a.name == "*" for a in n.names)]
    call = ast.Expr(ast.Call(
        func=ast.Name(_GUARD, ast.Load()),
        args=[ast.Constant(tuple(names)), ast.Constant(node.lineno), ast.Name("__nnconf_error__", ast.Load()),
              ast.Constant(bool(imports)), ast.Constant(tuple(filter(None, star)))],
        keywords=[]))
    handler = ast.ExceptHandler(type=ast.Name("Exception", ast.Load()), name="__nnconf_error__", body=[call])
    return ast.copy_location(ast.Try(body=[node], handlers=[handler], orelse=[], finalbody=[]), node)


def bound_names(node):
    """The names a top-level statement binds (``*`` for a star import)."""
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return {"*" if a.name == "*" else (a.asname or a.name.split(".")[0]) for a in node.names}
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return {node.name}
    if isinstance(node, (ast.Assign, ast.AnnAssign)):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        return {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}
    found = set()
    for field_name in ("body", "orelse", "finalbody"):
        for child in getattr(node, field_name, []):
            found |= bound_names(child)
    for handler in getattr(node, "handlers", []):
        for child in handler.body:
            found |= bound_names(child)
    return found


class UnavailableError(ImportError):
    """A checked function used a name whose import (or definition) failed when its file loaded."""


class ForbiddenImport(ImportError):
    """The code under check imported the harness's own reference (or PyTorch, which the reference
    is built on): an answer copied from the harness is a finding, not something to check."""


class Unavailable:
    """Stands for a name whose import failed; using it raises :class:`UnavailableError` (or
    :class:`ForbiddenImport` again, for a name that came from the harness's reference)."""

    def __init__(self, name, reason, forbidden=False):
        self._name, self._reason, self._forbidden = name, reason, forbidden

    def _fail(self, *args, **kwargs):
        error = ForbiddenImport if self._forbidden else UnavailableError
        raise error(f"`{self._name}` is not available: {self._reason}")

    __call__ = _fail

    def __getattr__(self, attribute):
        if attribute.startswith("__"):
            raise AttributeError(attribute)
        self._fail()

    def __repr__(self):
        return f"<unavailable {self._name}: {self._reason}>"


# Libraries a notebook imports for plots, files and images, and which checked functions rarely call:
# loaded on first use, not when the file's definitions run (matplotlib.pyplot alone takes 0.7 s, in
# every worker of every submission). Only where installed: a missing one stays a failed import.
LAZY_IMPORTS = frozenset({"matplotlib", "h5py", "PIL", "scipy", "sklearn", "pandas", "seaborn", "imageio", "cv2",
                          "skimage", "IPython", "tensorflow", "keras", "tqdm"})
_LAZY = "__nnconf_lazy__"


class LazyImport:
    """Stands for ``module`` (or its ``attribute``, as ``from module import attribute`` binds it)
    until first used: then the import happens, as the original statement would have done it."""

    def __init__(self, module, attribute=None):
        object.__setattr__(self, "_nnconf_target", (module, attribute))

    def _nnconf_resolve(self):
        module, attribute = object.__getattribute__(self, "_nnconf_target")
        imported = importlib.import_module(module)
        if attribute is None:
            return imported
        try:
            return getattr(imported, attribute)
        except AttributeError:
            return importlib.import_module(f"{module}.{attribute}")

    def __getattr__(self, name):
        return getattr(self._nnconf_resolve(), name)

    def __setattr__(self, name, value):
        setattr(self._nnconf_resolve(), name, value)

    def __call__(self, *args, **kwargs):
        return self._nnconf_resolve()(*args, **kwargs)

    def __repr__(self):
        module, attribute = object.__getattribute__(self, "_nnconf_target")
        return f"<lazy import {module}{'.' + attribute if attribute else ''}>"


def _lazy_imports(tree):
    """``tree`` with each guarded top-level import of an installed :data:`LAZY_IMPORTS` library
    replaced by bindings to :class:`LazyImport` (``import matplotlib.pyplot as plt``, ``from PIL
    import Image``; never a star import)."""
    def lazy(node):
        if isinstance(node, ast.Import):
            pairs = [(a.asname or a.name.split(".")[0], a.name if a.asname else a.name.split(".")[0], None)
                     for a in node.names]
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            if any(a.name == "*" for a in node.names):
                return None
            pairs = [(a.asname or a.name, node.module, a.name) for a in node.names]
        else:
            return None
        roots = {module.split(".")[0] for _, module, _ in pairs}
        if not roots <= LAZY_IMPORTS or any(importlib.util.find_spec(r) is None for r in roots):
            return None
        return [ast.copy_location(ast.Assign(
            targets=[ast.Name(name, ast.Store())],
            value=ast.Call(ast.Name(_LAZY, ast.Load()), [ast.Constant(module), ast.Constant(attribute)], [])), node)
            for name, module, attribute in pairs]

    for statement in tree.body:
        if isinstance(statement, ast.Try) and len(statement.body) == 1:
            replaced = lazy(statement.body[0])
            if replaced:
                statement.body = replaced
    return ast.fix_missing_locations(tree)


def run_definitions(module, path):
    """Run the definitions of ``path`` in ``module``'s namespace (a notebook cell by cell); failed
    imports and constants go to ``module.__nnconf_notes__``."""
    namespace = module.__dict__
    notes = namespace.setdefault("__nnconf_notes__", [])
    failed_star = namespace.setdefault("__nnconf_failed_star__", [])

    def guard(names, line, error, is_import, star):
        where = f"{os.path.basename(path)}:{line}"
        reason = f"{type(error).__name__}: {error}"
        if is_import:  # a constant made from data the filter left out is no news
            notes.append(f"{where}: {', '.join(names) or 'a statement'} left undefined ({reason})")
        for module in star:
            failed_star.append(f"`from {module} import *` ({where}) failed: {reason}")
        for name in names:
            if name != "*":
                namespace[name] = Unavailable(name, f"{where} failed ({reason})", isinstance(error, ForbiddenImport))

    namespace[_GUARD] = guard
    namespace[_LAZY] = LazyImport
    bound = set()
    try:
        for chunk in chunks(path):
            tree = definitions(chunk, bound)
            if tree is None:
                broken = unparsed(chunk)
                notes.append(f"{chunk.filename}: " + (f"does not parse ({broken.where}: SyntaxError: {broken.message}); "
                                                      f"{', '.join(broken.names)} left undefined" if broken
                                                      else "not Python (left out)"))
                continue
            linecache.cache[chunk.filename] = (len(chunk.source), None, chunk.source.splitlines(True), chunk.filename)
            exec(compile(_lazy_imports(tree), chunk.filename, "exec"), namespace)  # noqa: S102 - the user's definitions
    finally:
        namespace.pop(_GUARD, None)
        namespace.pop(_LAZY, None)
        namespace.pop("__nnconf_error__", None)


# --- scanning without running ------------------------------------------------------------------


@dataclass
class Scan:
    """What a file defines and imports at top level, read from its syntax only."""

    path: str
    defined: dict = field(default_factory=dict)  # name -> (line or "cellN:line")
    public: set = field(default_factory=set)  # public top-level functions and classes
    imports: set = field(default_factory=set)  # dotted module names imported at top level
    star: set = field(default_factory=set)  # modules imported with ``from M import *``
    imported: set = field(default_factory=set)  # names bound by an import (``from dnn_utils import relu``)
    loads: dict = field(default_factory=dict)  # top-level name -> the names its definition reads (its body's)
    broken: list = field(default_factory=list)  # :class:`Unparsed` code: a cell or file with a syntax error
    error: str | None = None

    @property
    def is_notebook(self):
        return self.path.endswith(NOTEBOOK_SUFFIX)


@dataclass(frozen=True)
class Unparsed:
    """A notebook cell or a file that is not valid Python, and the names it would define."""

    where: str  # "cell 39, line 3, column 27" or "line 3, column 27"
    message: str  # the SyntaxError's own words
    names: tuple  # the functions and classes its top-level ``def``/``class`` lines name


_TOP_LEVEL_DEFINITION = re.compile(r"^(?:async\s+def|def|class)\s+([A-Za-z_]\w*)", re.MULTILINE)


def unparsed(chunk):
    """:class:`Unparsed` for a chunk that does not parse; None when it parses, or when it is not
    Python at all (a cell of another language defines nothing)."""
    try:
        ast.parse(chunk.source, chunk.filename)
        return None
    except SyntaxError as exc:
        names = tuple(dict.fromkeys(_TOP_LEVEL_DEFINITION.findall(chunk.source)))
        if not names:
            return None
        place = f"line {exc.lineno}, column {exc.offset}" if exc.lineno else "somewhere"
        where = f"cell {chunk.cell}, {place}" if chunk.cell is not None else place
        return Unparsed(where, exc.msg, names)


_SCANS = {}  # (path, size, mtime, ctime, inode) -> Scan: discovery, the loader, the engine and numpy2 ask again
MAX_SCANS = 4096


def scan(path):
    """:class:`Scan` of ``path`` (a .py file or a notebook); never runs any of it. A file is parsed
    once while it stays the same (its syntax tree may cost seconds: see MAX_CODE_BYTES)."""
    try:
        stat = os.stat(path)
        key = (path, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino)
    except OSError:
        return _scan(path)
    if key not in _SCANS:
        if len(_SCANS) >= MAX_SCANS:
            _SCANS.pop(next(iter(_SCANS)))
        _SCANS[key] = _scan(path)
    return copy.deepcopy(_SCANS[key])  # callers may change theirs


def _scan(path):
    result = Scan(path)
    try:
        pieces = chunks(path)
    except (OSError, ValueError) as exc:
        result.error = str(exc)
        return result
    bound = set()
    for chunk in pieces:
        tree = definitions(chunk, bound)
        if tree is None:
            broken = unparsed(chunk)
            if broken is not None:
                result.broken.append(broken)
                for name in broken.names:
                    result.defined.setdefault(name, broken.where)
                    result.public.add(name)
            continue
        for guarded in tree.body:
            node = guarded.body[0]
            where = node.lineno if chunk.cell is None else f"cell {chunk.cell}, line {node.lineno}"
            names = bound_names(node) - {"*"}
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                result.imported |= names
            else:
                read = {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
                for name in names:
                    result.defined.setdefault(name, where)
                    result.loads.setdefault(name, set()).update(read)
            if isinstance(node, (ast.Import, ast.ImportFrom, ast.Try, ast.If)):
                _note_imports(result, node)
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and not node.name.startswith("_"):
                result.public.add(node.name)
    return result


def reachable(scans, name):
    """The names ``name``'s definition reads, and theirs for those the ``scans`` define, and so on:
    every name a call of ``name`` can reach through the files' own top-level definitions (by their
    syntax; a name looked up by a string is not seen)."""
    seen, stack = set(), [name]
    while stack:
        current = stack.pop()
        for scan in scans:
            for read in scan.loads.get(current, ()):
                if read not in seen:
                    seen.add(read)
                    stack.append(read)
    return seen


def _note_imports(result, node):
    for sub in ast.walk(node):
        if isinstance(sub, ast.Import):
            result.imports |= {a.name for a in sub.names}
        elif isinstance(sub, ast.ImportFrom) and sub.module and not sub.level:
            result.imports.add(sub.module)
            if any(a.name == "*" for a in sub.names):
                result.star.add(sub.module)


# --- importing a user's tree through the filter --------------------------------------------------


class FilteredLoader(importlib.machinery.SourceFileLoader):
    """Loads a user's .py file as definitions only. Never reads or writes bytecode caches, so a
    filtered module is never mistaken for the whole file by a later plain import."""

    def exec_module(self, module):
        run_definitions(module, self.path)


class NotebookLoader(importlib.abc.Loader):
    """Loads a notebook (cell by cell, definitions only) as a module."""

    def __init__(self, path):
        self.path = path

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        run_definitions(module, self.path)


class TreeImporter(importlib.abc.MetaPathFinder):
    """Finds modules on ``sys.path`` as usual, and loads those that live under one of ``roots`` (the
    user's tree) with :class:`FilteredLoader`."""

    def __init__(self, roots):
        self.roots = [os.path.join(os.path.realpath(r), "") for r in roots]

    def owns(self, path):
        """Whether ``path`` is the user's code: under a root, and not in an environment or cache
        folder inside it (a project's own ``.venv`` holds installed packages, imported as they are)."""
        real = os.path.realpath(path)
        for root in self.roots:
            if real.startswith(root):
                parts = real[len(root):].split(os.sep)[:-1]
                return not any(p in SKIPPED_FOLDERS or p.startswith(".") or p == "dist-packages" for p in parts)
        return False

    def find_spec(self, fullname, path=None, target=None):
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or not spec.origin or not spec.origin.endswith(".py") or not self.owns(spec.origin):
            return None  # not the user's: the finders after this one decide (the worker's refusals first)
        spec.loader = FilteredLoader(fullname, spec.origin)
        return spec

    def install(self):
        """Put the roots first on ``sys.path`` and this finder first on ``sys.meta_path``; drop any
        module already imported under a name that the tree defines, so that the user's wins."""
        sys.dont_write_bytecode = True
        for root in reversed(self.roots):
            folder = root.rstrip(os.sep) or os.sep
            if folder in sys.path:
                sys.path.remove(folder)
            sys.path.insert(0, folder)
        sys.meta_path.insert(0, self)
        for name in self.top_level_names():
            module = sys.modules.get(name)
            if module is not None and not self.owns(getattr(module, "__file__", None) or "/nonexistent"):
                for loaded in [m for m in sys.modules if within(m, (name,))]:
                    del sys.modules[loaded]
        importlib.invalidate_caches()

    def top_level_names(self):
        names = set()
        for root in self.roots:
            try:
                entries = os.listdir(root)
            except OSError:
                continue
            for entry in entries:
                stem, suffix = os.path.splitext(entry)
                if suffix == ".py" and stem.isidentifier():
                    names.add(stem)
                elif not suffix and entry.isidentifier() and os.path.isdir(os.path.join(root, entry)):
                    names.add(entry)
        return names - _PROTECTED


# The worker's own dependencies: a user's file or folder of the same name does not replace them.
_PROTECTED = {"numpy", "nnconf"} | set(sys.stdlib_module_names)


def within(module, packages):
    """Whether ``module`` is one of ``packages`` or a submodule of one."""
    return any(module == p or module.startswith(p + ".") for p in packages)


def load_file(path, name):
    """Import ``path`` (a .py file or a notebook) as module ``name``, definitions only."""
    if name in sys.modules and getattr(sys.modules[name], "__file__", None) == path:
        return sys.modules[name]
    loader = NotebookLoader(path) if path.endswith(NOTEBOOK_SUFFIX) else FilteredLoader(name, path)
    spec = importlib.util.spec_from_file_location(name, path, loader=loader)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(name, None)
        raise
    return module


def module_name(path):
    """The name Python would import ``path`` by, as pytest's default import mode does: the file's
    stem, prefixed by every enclosing folder that holds an ``__init__.py``; and the folder that
    name is relative to. A notebook's name is its stem made an identifier."""
    folder, filename = os.path.split(os.path.abspath(path))
    stem = os.path.splitext(filename)[0]
    if path.endswith(NOTEBOOK_SUFFIX) or not stem.isidentifier():
        return "_nnconf_nb_" + "".join(ch if ch.isalnum() else "_" for ch in stem), folder
    parts = [] if stem == "__init__" else [stem]
    while os.path.isfile(os.path.join(folder, "__init__.py")) and os.path.basename(folder).isidentifier():
        folder, package = os.path.split(folder)
        parts.insert(0, package)
    return ".".join(parts), folder

