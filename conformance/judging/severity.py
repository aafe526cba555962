"""Three levels of finding, in one table: ``fail``, ``warn`` and ``note``.

- ``fail``: wrong on ordinary inputs (values, shapes, a crash on a valid ordinary input). A
  crash is reported as ``error`` (the harness could not judge the result); both make exit 1.
- ``warn``: right on ordinary inputs, fragile at an edge. Exit 0 unless ``--strict``.
- ``note``: an accepted convention of a course version or of the book; never changes the exit
  code.

A failing observation is a warning when one of the rules of :data:`WARNINGS` says so; otherwise it
keeps its status. The table is the documentation: ``nnconf api`` and docs/api.md print it.
"""

from dataclasses import dataclass

EDGE_CASES = ("saturated",)  # inputs at an edge: z of magnitude 20 to 1000, probabilities of exactly 0 and 1
ZERO_ITERATIONS = "0 iterations"
DEFAULT_PASSED = "defaults, passed by the graders"  # a documented default the course's graders pass explicitly
ONE_HOT_T = ", one-hot t"  # appended to the label of a case whose one-hot t a labels-only loss cannot take


@dataclass(frozen=True)
class Rule:
    name: str
    level: str
    when: str  # in words, for the documentation
    why: str

    def applies(self, stage, quantity, case, diagnosis, status):
        return _PREDICATES[self.name](stage, quantity, case, diagnosis, status)


WARNINGS = (
    Rule("nonfinite at saturation", "warn",
         "NaN or inf on a saturated case (z of magnitude 20 to 1000, A of exactly 0 or 1) where the true value is finite",
         "the course's own cost Y log A + (1-Y) log(1-A) does this; right on ordinary inputs"),
    Rule("float32 not kept", "warn",
         "a float64 result for float32 input (`type.dtype`)",
         "right values in the wrong precision"),
    Rule("writes into an argument", "warn",
         "an input array changed by the call (`side_effect.mutates_input`), e.g. the book's `Relu.backward` "
         "writing into `dout`",
         "harmless where the caller never reads it again; where it corrupts a result the caller stored, "
         "the caller's value check fails"),
    Rule("ignores dout", "warn",
         "`SoftmaxWithLoss.backward(dout)` that returns (y - t) / batch whatever `dout` is (off by the "
         "factor `dout` on the case dout=2.5)",
         "the book's listing does this; right for its only use, dout = 1"),
    Rule("one-hot targets only", "warn",
         "`SoftmaxWithLoss` or `TwoLayerNet` that fails only when the targets are integer labels (N,) "
         "instead of one-hot (N, C)",
         "the book's chapter 5 text handles one-hot targets only; its repository added labels later"),
    Rule("crash at zero iterations", "warn",
         "a training or optimize loop that raises when asked for zero iterations",
         "the course templates build `grads` after the loop; every real run has iterations"),
    Rule("changed default", "warn",
         "a documented default changed by the learner (`model(..., learning_rate=0.9)`) where the course's graders "
         "pass that argument explicitly (where they rely on the default, another value fails)",
         "the graders, and the checks, call with the value; the function is judged with it passed explicitly"),
    Rule("removed from NumPy", "warn",
         "a checked function that uses a name NumPy 1.24 or 2.x removed (`np.float_`, `np.int`, `np.float`, `np.NaN`, "
         "`np.Inf`, `np.product`, ...; `api.numpy2_removed`), in its own code or through a helper or constant of its "
         "file: read from the file by the harness, one warning per function",
         "the code was right for the NumPy 1.x it was written for and stops with an AttributeError on NumPy 2; the "
         "worker puts NumPy 1.x's aliases back, so the function is judged behind that crash and its real bugs fail"),
    Rule("integer labels only", "warn",
         "`cross_entropy_error` that raises on one-hot targets (N, C) and gives the right loss for the same targets "
         "as integer labels (N,) (the book's section 4.2.4 listing 'when t is a label', `y[np.arange(batch_size), t]`)",
         "the book writes it for labels; the mirror of one-hot targets only, and its values are judged on labels"),
)


_PREDICATES = {
    "nonfinite at saturation": lambda stage, q, case, diag, status:
        diag == "value.nonfinite" and case in EDGE_CASES,
    "float32 not kept": lambda stage, q, case, diag, status: diag == "type.dtype" and case == "float32",
    "writes into an argument": lambda stage, q, case, diag, status:
        diag == "side_effect.mutates_input" and q != "numpy",
    "ignores dout": lambda stage, q, case, diag, status: case == "dout=2.5" and diag == "value.scale",
    "one-hot targets only": lambda stage, q, case, diag, status: case == "labels",
    "crash at zero iterations": lambda stage, q, case, diag, status:
        case == ZERO_ITERATIONS and diag == "crash.exception",  # a hang there is no edge: it fails
    "changed default": lambda stage, q, case, diag, status: case == DEFAULT_PASSED and diag == "api.signature",
    "removed from NumPy": lambda stage, q, case, diag, status: diag == "api.numpy2_removed",
    "integer labels only": lambda stage, q, case, diag, status:
        case.endswith(ONE_HOT_T) and diag == "crash.exception",
}


def level(stage, quantity, case, diagnosis, status):
    """``warn`` (and the rule) when a failing observation is only fragile at an edge, else
    ``status`` unchanged (and None)."""
    if status not in ("fail", "error"):
        return status, None
    for rule in WARNINGS:
        if rule.applies(stage, quantity, case, diagnosis, status):
            return "warn", rule
    return status, None


LEVELS = (
    ("fail", "wrong on ordinary inputs: values, shapes, a result of the wrong structure", "1"),
    ("error", "the harness could not judge: a crash or a hang on a valid ordinary input", "1"),
    ("warn", "right on ordinary inputs, fragile at an edge (the rules below)", "0 (1 with --strict)"),
    ("note", "an accepted convention of a course version or of the book (the table below)", "0"),
    ("skip", "not implemented (`api.missing`; a fail with --require), or a check that does not apply", "0"),
    ("pass", "the check passed", "0"),
)


def markdown():
    """docs/findings.md: the levels, the warning rules and the accepted conventions."""
    from nnconf.conformance.judging.conventions import CONVENTIONS

    lines = ["# Levels of finding", "",
             "Generated from `conformance/judging/severity.py` and `conformance/judging/conventions.py` "
             "(`python -m nnconf.conformance.judging.severity > docs/findings.md`).", "",
             "| status | meaning | exit code |", "|---|---|---|"]
    lines += [f"| `{status}` | {meaning} | {code} |" for status, meaning, code in LEVELS]
    lines += ["", "## Warnings", "", "A failing check is a warning, not a failure, when one of these rules applies:", "",
              "| rule | when | why a warning |", "|---|---|---|"]
    lines += [f"| {r.name} | {r.when} | {r.why} |" for r in WARNINGS]
    lines += ["", "## Accepted conventions (notes)", "",
              "A function that follows one of these is judged under it and reported as a note:", "",
              "| convention | functions | what the code does | how it is judged |", "|---|---|---|---|"]
    lines += [f"| {c.key} | {c.functions} | {c.text} | {c.how} |" for c in CONVENTIONS]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(markdown(), end="")
