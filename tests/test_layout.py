"""The layout stays true to ARCHITECTURE.md: the harness's imports point one way, with no cycle.

The imports are read from the source (ast), as Python resolves ``nnconf.*`` (relative imports,
``from package import module``, imports inside functions, and the strings handed to ``lazy`` and
``importlib.import_module``), for every module of the four folders and of ``nnconf/``.
"""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = {"nnconf": "nnconf", "impl": "nnconf.impl", "reference": "nnconf.reference",
           "conformance": "nnconf.conformance", "reports": "nnconf.reports"}

# Each part of the harness, the parts it may import (besides itself), as ARCHITECTURE.md's codemap
# gives them. The longest matching prefix of a module's name is its part.
MAY_IMPORT = {
    "nnconf": {"nnconf.conformance.doors"},  # the package's front door: nnconf.check, python -m nnconf
    "nnconf.conformance.checks": {"nnconf.conformance.doors"},  # the pytest module users collect by name
    "nnconf.conformance.doors": {"nnconf", "nnconf.conformance.run", "nnconf.conformance.suites",
                                 "nnconf.conformance.box", "nnconf.conformance.judging", "nnconf.conformance.reading",
                                 "nnconf.conformance.catalog", "nnconf.reports", "nnconf.impl"},
    "nnconf.reports": {"nnconf.conformance.judging"},
    "nnconf.conformance.run": {"nnconf.conformance.suites", "nnconf.conformance.box", "nnconf.conformance.judging",
                               "nnconf.conformance.reading", "nnconf.reference", "nnconf.impl.data",
                               "nnconf.impl.systems"},
    "nnconf.conformance.suites": {"nnconf.conformance.box", "nnconf.conformance.judging",
                                  "nnconf.conformance.reading", "nnconf.reference"},
    "nnconf.conformance.box": {"nnconf.conformance.judging", "nnconf.conformance.reading"},
    "nnconf.conformance.judging": set(),
    "nnconf.conformance.reading": set(),
    "nnconf.conformance.catalog": {"nnconf.impl"},  # known-bad implementations, each a copy of impl with one bug
    "nnconf.conformance": set(),  # the package's __init__: a docstring and hypothesis' folder
    "nnconf.reference": set(),
    "nnconf.impl": set(),
}
THIRD_PARTY_ONLY_IN = {"torch": ("nnconf.reference", "nnconf.conformance.suites")}  # the box never loads torch


def modules():
    """{dotted name: path} of every module of the installed package's folders."""
    found = {}
    for folder, package in FOLDERS.items():
        for path in sorted((ROOT / folder).rglob("*.py")):
            if "__pycache__" in path.parts:
                continue
            parts = list(path.relative_to(ROOT / folder).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join([package, *parts])] = path
    return found


MODULES = modules()


def _known(name):
    """The module ``name`` is, or the package that holds it (``nnconf.x.y.attribute`` -> ``nnconf.x.y``)."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def _absolute(module, node, is_package):
    if not node.level:
        return node.module or ""
    base = module.split(".")
    base = base[: len(base) - node.level + (1 if is_package else 0)]
    return ".".join(base + ([node.module] if node.module else []))


def imports_of(module):
    """(imported module, line) for each import of ``module``, at any depth, resolved as Python does."""
    path = MODULES[module]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    is_package = path.name == "__init__.py"
    found = []
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(module, node, is_package)
            names = [f"{base}.{a.name}" if f"{base}.{a.name}" in MODULES else base for a in node.names]
        elif (isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant)
              and isinstance(node.args[0].value, str)
              and getattr(node.func, "attr", getattr(node.func, "id", None)) in ("lazy", "import_module")):
            names = [node.args[0].value]
        for name in names:
            top = name.split(".")[0]
            target = _known(name) if top == "nnconf" else top
            if target and target != module:
                found.append((target, node.lineno))
    return found


def part_of(module):
    return max((p for p in MAY_IMPORT if module == p or module.startswith(p + ".")), key=len)


def test_every_module_has_a_part():
    assert "nnconf.conformance.run.engine" in MODULES and "nnconf.conformance.box.worker" in MODULES
    for module in MODULES:
        assert part_of(module), f"{module} belongs to no part of MAY_IMPORT: add its folder to ARCHITECTURE.md"


def _allowed(importer, imported):
    own, other = part_of(importer), part_of(imported)
    return own == other or any(other == p or other.startswith(p + ".") for p in MAY_IMPORT[own]) or any(
        imported == p or imported.startswith(p + ".") for p in MAY_IMPORT[own])


def test_imports_point_the_declared_way():
    wrong = [f"{MODULES[m].relative_to(ROOT)}:{line}: {m} ({part_of(m)}) imports {target} ({part_of(target)})"
             for m in MODULES for target, line in imports_of(m)
             if target.startswith("nnconf") and not _allowed(m, target)]
    assert not wrong, "imports against ARCHITECTURE.md's direction:\n" + "\n".join(wrong)


def test_torch_stays_on_the_reference_side():
    for module in MODULES:
        for target, line in imports_of(module):
            if target in THIRD_PARTY_ONLY_IN:
                assert part_of(module) in THIRD_PARTY_ONLY_IN[target], \
                    f"{MODULES[module].relative_to(ROOT)}:{line}: {module} imports {target}"


def cycles(edges):
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index, low, on_stack, stack, found, counter = {}, {}, set(), [], [], [0]
    for root in edges:
        if root in index:
            continue
        work = [(root, iter(sorted(edges[root])))]
        index[root] = low[root] = counter[0]
        counter[0] += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter[0]
                    counter[0] += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_no_two_modules_import_each_other():
    edges = {m: {t for t, _ in imports_of(m) if t in MODULES} for m in MODULES}
    assert not cycles(edges), "modules that import each other, directly or through others: " + repr(cycles(edges))


@pytest.mark.parametrize("edges, expected", [
    ({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}, [["a", "b", "c"]]),
    ({"a": {"b"}, "b": set()}, []),
])
def test_the_cycle_finder_finds_cycles(edges, expected):
    assert cycles(edges) == expected


def test_the_import_reader_sees_every_form(tmp_path, monkeypatch):
    """Relative, aliased, in-function and lazy imports all count, resolved to the module."""
    source = ("from . import loader\nfrom ..judging.records import Record\nimport nnconf.conformance.box.worker as w\n"
              "def f():\n    from nnconf.conformance.run import engine\n"
              "ref = lazy('nnconf.reference.deep')\n")
    path = tmp_path / "probe.py"
    path.write_text(source)
    monkeypatch.setitem(MODULES, "nnconf.conformance.reading.probe", path)
    assert {t for t, _ in imports_of("nnconf.conformance.reading.probe")} == {
        "nnconf.conformance.reading.loader", "nnconf.conformance.judging.records", "nnconf.conformance.box.worker",
        "nnconf.conformance.run.engine", "nnconf.reference.deep"}
    assert not _allowed("nnconf.conformance.reading.probe", "nnconf.conformance.run.engine")


def test_each_part_says_what_it_owns():
    """Each folder of the harness opens with a docstring, and ARCHITECTURE.md names every folder."""
    codemap = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
    for folder in sorted(p for p in (ROOT / "conformance").iterdir() if (p / "__init__.py").is_file()):
        tree = ast.parse((folder / "__init__.py").read_text(encoding="utf-8"))
        assert ast.get_docstring(tree), f"conformance/{folder.name}/__init__.py has no docstring"
        assert re.search(rf"`conformance/{folder.name}/`", codemap), f"ARCHITECTURE.md does not name conformance/{folder.name}/"
