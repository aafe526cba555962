"""Groups of identical code: a fingerprint of each function a file defines, the same for two
students whose function differs only in the names of its own variables, its comments, its
docstrings and its layout.

A function's fingerprint is a hash of its syntax tree (never of its text, never run), normalised:

- docstrings and every statement that is only a constant (a string used as a comment, ``...``),
  ``pass``, annotations and type comments are left out; comments and whitespace are not in a
  syntax tree;
- each name *bound inside the function* (its parameters, local variables, loop and ``with``
  targets, ``except ... as`` names, imports, nested functions, the variables of comprehensions and
  nested functions) is renamed by the order of its first appearance (the first ``%0``, then
  ``%1``, ...), each scope's own names apart. Names that are not the function's own keep theirs:
  globals (``np``, another function of the file, a builtin), names declared ``global``, a nested
  class's attributes, attributes (``cache.W``), keyword arguments of calls. The renaming is one to
  one, so two functions with the same fingerprint are the same code up to the names of their own
  variables;
- the function's own name is left out (the fingerprint is keyed by it); its decorators and
  defaults are kept.

So any change of an operator, a constant, a call, an attribute, an argument's order or the code's
order gives another fingerprint. A file is read as the harness reads it (``sources.chunks``,
``sources.keep``: a notebook's code cells in order, magics left out, definitions only, a later
definition replacing an earlier one); a function whose cell or file does not parse has none.
"""

import ast
import copy
import hashlib
import os

from nnconf.conformance.reading.sources import NOTEBOOK_SUFFIX, Chunk, bound_names, chunks, keep, unparsed

DIGEST_CHARS = 16  # of a SHA-256: 64 bits, no accidental collision in a class of thousands


def function_fingerprints(path_or_source, names=None):
    """{name: fingerprint} for each top-level function (``name``) and method of a top-level class
    (``Class.method``) that ``path_or_source`` defines: a ``.py`` file or notebook (a path), or
    Python source (a string holding a newline, or naming no file). ``names`` keeps only those
    names (a class's name keeps all its methods). Nothing is run. Raises OSError or ValueError for
    a file the harness does not read (see ``sources.chunks``)."""
    found = {}
    bound = set()
    for chunk in _chunks(path_or_source):
        try:
            tree = ast.parse(chunk.source, chunk.filename)
        except SyntaxError:
            broken = unparsed(chunk)
            for name in broken.names if broken else ():
                _forget(found, name)  # its last definition does not parse: no fingerprint
            continue
        except (ValueError, RecursionError, MemoryError):  # nested past what the parser takes
            continue
        for node in tree.body:
            kept = keep(node, bound)
            if kept is not None:
                bound |= bound_names(kept)
                _visit_statement(kept, found)
    if names is not None:
        wanted = set(names)
        found = {k: v for k, v in found.items() if k in wanted or k.partition(".")[0] in wanted}
    return found


def identical_groups(fingerprints):
    """{function: [students, ...]} from {student: {function: fingerprint}}: for each function, the
    groups (sorted tuples, largest first) of two or more students whose function has the same
    fingerprint. Short functions (``sigmoid`` in one line) are often the same by necessity."""
    by_print = {}
    for student, prints in fingerprints.items():
        for function, digest in prints.items():
            by_print.setdefault((function, digest), []).append(student)
    out = {}
    for (function, _), students in sorted(by_print.items()):
        if len(students) > 1:
            out.setdefault(function, []).append(tuple(sorted(students)))
    for groups in out.values():
        groups.sort(key=lambda group: (-len(group), group))
    return out


def _chunks(path_or_source):
    if isinstance(path_or_source, os.PathLike):
        return chunks(os.fspath(path_or_source))
    text = str(path_or_source)
    if "\n" not in text and (os.path.isfile(text) or text.endswith((".py", NOTEBOOK_SUFFIX))):
        return chunks(text)
    return [Chunk(text, "<source>")]


def _forget(found, name):
    for key in [k for k in found if k == name or k.startswith(name + ".")]:
        del found[key]


def _visit_statement(node, found):
    """Record the definitions of a kept top-level statement, in order (a later one replaces an
    earlier one; an import or assignment of the same name replaces a definition)."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        _forget(found, node.name)
        digest = fingerprint(node)
        if digest is not None:
            found[node.name] = digest
    elif isinstance(node, ast.ClassDef):
        _forget(found, node.name)
        for item in node.body:
            if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                digest = fingerprint(item)
                if digest is not None:
                    found[f"{node.name}.{item.name}"] = digest
                else:
                    found.pop(f"{node.name}.{item.name}", None)
    elif isinstance(node, (ast.If, ast.Try)):
        for field in ("body", "handlers", "orelse", "finalbody"):
            for child in getattr(node, field, []):
                for statement in (child.body if isinstance(child, ast.ExceptHandler) else [child]):
                    _visit_statement(statement, found)
    else:
        for name in bound_names(node) - {"*"}:
            _forget(found, name)


def fingerprint(function):
    """The fingerprint of one function's syntax tree (``ast.FunctionDef``), or None for a tree too
    deep to walk."""
    try:
        tree = _Strip().visit(copy.deepcopy(function))
        tree.name = ""
        _rename_locals(tree)
        text = ast.dump(tree, annotate_fields=True, include_attributes=False)
    except RecursionError:
        return None
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:DIGEST_CHARS]


class _Strip(ast.NodeTransformer):
    """What does not change what the code does: constant statements (docstrings), ``pass``,
    annotations, type comments, string prefixes."""

    def generic_visit(self, node):
        super().generic_visit(node)
        for field in ("body", "orelse", "finalbody"):
            block = getattr(node, field, None)
            if isinstance(block, list):
                setattr(node, field, [s for s in block if not _inert(s)])
        if hasattr(node, "type_comment"):
            node.type_comment = None
        return node

    def visit_arg(self, node):
        node.annotation = None
        node.type_comment = None
        return node

    def visit_FunctionDef(self, node):
        node.returns = None
        return self.generic_visit(node)

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_AnnAssign(self, node):
        self.generic_visit(node)
        if node.value is not None:
            return ast.copy_location(ast.Assign(targets=[node.target], value=node.value, type_comment=None), node)
        node.annotation = ast.Constant(None)  # ``x: int`` alone still makes ``x`` local
        return node

    def visit_Constant(self, node):
        node.kind = None
        return node


def _inert(statement):
    return isinstance(statement, ast.Pass) or (isinstance(statement, ast.Expr)
                                               and isinstance(statement.value, ast.Constant))


# --- renaming a function's own names ------------------------------------------------------------


class _Scope:
    """A function, lambda, comprehension or class scope inside the fingerprinted function."""

    def __init__(self, kind, parent):
        self.kind, self.parent = kind, parent
        self.bound, self.globals, self.nonlocals = set(), set(), set()

    def nearest_function(self):
        scope = self
        while scope is not None and scope.kind == "comprehension":
            scope = scope.parent
        return scope


_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)


def _occurrences(function):
    """(node, scope) for every node of ``function`` that may hold a name, in a fixed order, with
    the scope it is evaluated in (None: the module's, where the function's decorators and defaults
    are evaluated)."""
    out = []

    def visit(node, scope):
        out.append((node, scope))
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            for child in getattr(node, "decorator_list", []):
                visit(child, scope)
            for child in node.args.defaults + [d for d in node.args.kw_defaults if d is not None]:
                visit(child, scope)
            inner = _Scope("function", scope)
            arguments = node.args
            for arg in arguments.posonlyargs + arguments.args + [arguments.vararg] + arguments.kwonlyargs \
                    + [arguments.kwarg]:
                if arg is not None:
                    out.append((arg, inner))
            for child in (node.body if isinstance(node.body, list) else [node.body]):
                visit(child, inner)
        elif isinstance(node, ast.ClassDef):
            for child in node.decorator_list + node.bases + node.keywords:
                visit(child, scope)
            inner = _Scope("class", scope)
            for child in node.body:
                visit(child, inner)
        elif isinstance(node, _COMPREHENSIONS):
            generators = node.generators
            visit(generators[0].iter, scope)  # the first iterable is evaluated outside
            inner = _Scope("comprehension", scope)
            for index, generator in enumerate(generators):
                visit(generator.target, inner)
                if index:
                    visit(generator.iter, inner)
                for condition in generator.ifs:
                    visit(condition, inner)
            for child in ([node.key, node.value] if isinstance(node, ast.DictComp) else [node.elt]):
                visit(child, inner)
        elif isinstance(node, ast.NamedExpr):  # binds in the function around a comprehension
            visit(node.target, scope.nearest_function() if scope is not None else None)
            visit(node.value, scope)
        else:
            for child in ast.iter_child_nodes(node):
                visit(child, scope)

    visit(function, None)
    return out


def _bound_name(node):
    """The name a node binds in its scope (None for none)."""
    if isinstance(node, ast.Name):
        return node.id if isinstance(node.ctx, (ast.Store, ast.Del)) else None
    if isinstance(node, ast.arg):
        return node.arg
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return node.name
    if isinstance(node, ast.alias):
        return None if node.name == "*" else (node.asname or node.name.split(".")[0])
    if isinstance(node, (ast.ExceptHandler, ast.MatchAs, ast.MatchStar)):
        return node.name
    if isinstance(node, ast.MatchMapping):
        return node.rest
    return None


def _resolve(scope, name):
    """The scope whose variable ``name`` is, seen from ``scope`` (None: a global)."""
    first = True
    while scope is not None:
        if name in scope.globals:
            return None
        if scope.kind == "class":  # a class's names are seen only from its own body
            if first and name in scope.bound:
                return scope
        elif first and name in scope.nonlocals:
            pass
        elif name in scope.bound:
            return scope
        scope, first = scope.parent, False
    return None


def _rename_locals(function):
    """Rename, in place, every name that is a variable of a function, lambda or comprehension
    scope inside ``function`` to ``%N``, N by order of first appearance."""
    occurrences = _occurrences(function)
    for node, scope in occurrences:
        if scope is None:
            continue
        if isinstance(node, ast.Global):
            scope.globals.update(node.names)
        elif isinstance(node, ast.Nonlocal):
            scope.nonlocals.update(node.names)
        else:
            name = _bound_name(node)
            if name is not None:
                scope.bound.add(name)
    canonical = {}

    def renamed(scope, name):
        owner = _resolve(scope, name)
        if owner is None or owner.kind == "class":
            return name
        return canonical.setdefault((id(owner), name), f"%{len(canonical)}")

    for node, scope in occurrences:
        if scope is None:
            continue
        if isinstance(node, ast.Name):
            node.id = renamed(scope, node.id)
        elif isinstance(node, ast.arg):
            node.arg = renamed(scope, node.arg)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            node.name = renamed(scope, node.name)
        elif isinstance(node, ast.alias) and node.name != "*":
            # ``import a.b`` binds ``a``, ``import a.b as x`` binds ``a.b``: the mark keeps them apart
            mark = "" if node.asname or "." not in node.name else "^"
            node.asname = renamed(scope, node.asname or node.name.split(".")[0]) + mark
        elif isinstance(node, (ast.ExceptHandler, ast.MatchAs, ast.MatchStar)) and node.name:
            node.name = renamed(scope, node.name)
        elif isinstance(node, ast.MatchMapping) and node.rest:
            node.rest = renamed(scope, node.rest)
        elif isinstance(node, ast.Nonlocal):
            node.names = [renamed(scope, n) for n in node.names]
