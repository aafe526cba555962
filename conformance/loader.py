"""One seam selects the code under test: a TARGET names where each suite module comes from.

TARGET forms (SPEC Part 3): a dotted package name (``impl``, ``mypkg.nn``), a folder holding
suite modules (``activations.py``, ``deep.py``, ...), or ``SUITE=FILE.py`` pairs for single files.
:func:`parse_target` validates the words in the harness process without running target code;
:func:`load_suite` imports one suite module, in the worker process only.
"""

import importlib
import importlib.machinery
import importlib.util
import os
import sys
from dataclasses import dataclass, field

SUITES = ("activations", "logistic", "shallow", "deep", "init", "xor", "layers")

# Names a learner's code may use instead of the SPEC's, per suite (document 000 writes these).
ALIASES = {
    "deep": {
        "initialize_parameters_deep": ("initialize_parameters",),
        "L_model_forward": ("L_Model_Forward",),
        "L_model_backward": ("L_Model_Backward",),
    },
}

_PACKAGE_NAME = "_nnconf_target"


class UsageError(ValueError):
    """The command line named a target or suite that cannot be used (exit code 2)."""


class MissingSuite(ImportError):
    """The target has no module for this suite."""


class MissingName(AttributeError):
    """The suite module has no such function or class."""


class SignatureError(TypeError):
    """The function cannot be called with the SPEC's arguments."""


@dataclass(frozen=True)
class Target:
    spec: str
    kind: str  # "package" | "folder" | "files"
    package: str | None = None
    folder: str | None = None
    files: dict = field(default_factory=dict)

    def suites(self):
        """The suites this target may hold (files: only those named)."""
        return tuple(s for s in SUITES if s in self.files) if self.kind == "files" else SUITES


def parse_target(words):
    """Turn the ``--impl`` words into a :class:`Target`, or raise :class:`UsageError`."""
    words = list(words) or ["impl"]
    if all("=" in w for w in words):
        files = {}
        for word in words:
            suite, path = word.split("=", 1)
            if suite not in SUITES:
                raise UsageError(f"unknown suite {suite!r} in {word!r}; suites are: {', '.join(SUITES)}")
            if not os.path.isfile(path):
                raise UsageError(f"{word!r}: no such file {path!r}; give SUITE=path/to/file.py")
            if not path.endswith(".py"):
                raise UsageError(f"{word!r}: {path!r} is not a Python source file (.py)")
            if suite in files:
                raise UsageError(f"suite {suite!r} is given twice ({files[suite]} and {path}); give one file per suite")
            files[suite] = os.path.abspath(path)
        return Target(spec=" ".join(words), kind="files", files=files)
    if len(words) > 1:
        raise UsageError("give one package or folder, or only SUITE=FILE.py pairs (repeatable)")
    word = words[0]
    if _is_package_name(word) and os.path.isfile(os.path.join(word.replace(".", os.sep), "__init__.py")):
        return Target(spec=word, kind="package", package=word)  # e.g. `impl` from the project root
    if os.path.isdir(word):
        if not any(os.path.isfile(os.path.join(word, f"{s}.py")) for s in SUITES):
            raise UsageError(f"folder {word!r} holds none of the suite modules ({', '.join(s + '.py' for s in SUITES)})")
        return Target(spec=word, kind="folder", folder=os.path.abspath(word))
    if os.path.exists(word):
        raise UsageError(f"{word!r} is a file; name its suite: --impl SUITE={word}")
    if not all(part.isidentifier() for part in word.split(".")):
        raise UsageError(f"{word!r} is neither a folder nor a dotted package name")
    if importlib.util.find_spec(word.split(".")[0]) is None:
        raise UsageError(
            f"no package {word.split('.')[0]!r} can be imported (and no folder {word!r} exists); "
            "install it, add it to PYTHONPATH, or give a folder path"
        )
    return Target(spec=word, kind="package", package=word)


def _is_package_name(word):
    return all(part.isidentifier() for part in word.split(".")) and importlib.util.find_spec(word.split(".")[0]) is not None


def load_suite(target, suite):
    """Import the target's module for ``suite`` (in the worker). Raises :class:`MissingSuite`."""
    if target.kind == "package":
        name = f"{target.package}.{suite}"
        try:
            return importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name in (name, target.package):
                raise MissingSuite(f"package {target.package!r} has no module {suite!r}") from None
            raise
    if target.kind == "files":
        if suite not in target.files:
            raise MissingSuite(f"no file given for suite {suite!r}")
        path = target.files[suite]
        _add_path(os.path.dirname(path))
        return _load_file(suite, path)
    path = os.path.join(target.folder, f"{suite}.py")
    if not os.path.isfile(path):
        raise MissingSuite(f"folder {target.folder!r} has no {suite}.py")
    _add_path(target.folder)  # learners' files import each other as top-level modules
    _ensure_package(target.folder)  # ... or as a package, with relative imports
    return importlib.import_module(f"{_PACKAGE_NAME}.{suite}")


def resolve(module, suite, name):
    """The target's object for ``name`` (``Class.method`` gives the class), and the name used."""
    top = name.split(".")[0]
    for candidate in (top, *ALIASES.get(suite, {}).get(top, ())):
        if hasattr(module, candidate):
            return getattr(module, candidate), candidate
    raise MissingName(f"`{top}` is not defined in the {suite} module ({getattr(module, '__file__', module)})")


def _add_path(folder):
    if folder not in sys.path:
        sys.path.insert(0, folder)


def _load_file(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _ensure_package(folder):
    if _PACKAGE_NAME in sys.modules:
        return
    init = os.path.join(folder, "__init__.py")
    if os.path.isfile(init):
        spec = importlib.util.spec_from_file_location(_PACKAGE_NAME, init, submodule_search_locations=[folder])
    else:
        spec = importlib.machinery.ModuleSpec(_PACKAGE_NAME, None, is_package=True)
        spec.submodule_search_locations = [folder]
    package = importlib.util.module_from_spec(spec)
    sys.modules[_PACKAGE_NAME] = package
    if spec.loader is not None:
        spec.loader.exec_module(package)
