"""The correct course-style code, function by function, and small writing helpers."""

import ast
import functools
import os
import textwrap

COURSE_STYLE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "targets", "course_style")


@functools.lru_cache(maxsize=None)
def _module(suite):
    path = os.path.join(COURSE_STYLE, f"{suite}.py")
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    return text, ast.parse(text)


def function(suite, name):
    """The source of top-level function or class ``name`` of tests/targets/course_style/SUITE.py."""
    text, tree = _module(suite)
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and node.name == name:
            return ast.get_source_segment(text, node) + "\n"
    raise KeyError(f"{name} is not defined in course_style/{suite}.py")


def functions(suite, *names):
    """Several definitions of the same file, separated by blank lines."""
    return "\n\n".join(function(suite, n) for n in names)


def replace_line(source, old, new):
    """``source`` with the one line whose stripped text is ``old`` replaced by ``new`` (same indent)."""
    lines = source.splitlines()
    hits = [i for i, line in enumerate(lines) if line.strip() == old]
    assert len(hits) == 1, f"{old!r} occurs {len(hits)} times"
    indent = lines[hits[0]][: len(lines[hits[0]]) - len(lines[hits[0]].lstrip())]
    lines[hits[0]] = indent + new
    return "\n".join(lines) + "\n"


def write(folder, relative, text):
    """Write ``text`` (dedented) to ``folder/relative``, making its folders; the path."""
    path = os.path.join(str(folder), relative)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(textwrap.dedent(text).lstrip("\n"))
    return path

