"""Correct implementations written in other styles pass every check: no false alarm.

- ``alt_style``: @, einsum, float32-preserving, np.where sigmoid, learner-style imports;
- ``course_style``: as the Coursera notebooks and the book write it (np.dot, asserts, prints,
  copy.deepcopy, np.nditer, the book's 1e-7 delta, a sigmoid that warns on overflow);
- ``package_style``: a package with relative imports and a private helper module.
The last two were written by an independent reviewer from SPEC Part 2 alone.
"""

import os

import pytest

from nnconf.conformance.run import engine

from nnconf.conformance.reading import loader
TARGETS = os.path.join(os.path.dirname(__file__), "targets")
ALT = os.path.join(TARGETS, "alt_style")


@pytest.mark.parametrize("suite", loader.SUITES)
@pytest.mark.parametrize("style", ["alt_style", "course_style", "package_style"])
def test_correct_code_passes_every_check(style, suite):
    results = engine.run(loader.parse_target([os.path.join(TARGETS, style)]), [suite], training=False)
    bad = [r for r in results["records"] if r["status"] in ("fail", "error")]
    assert results["records"], "no check ran"
    assert not bad, "\n".join(f"[{r['diagnosis']}] {r['message']}" for r in bad[:5])


def test_alt_style_trains_in_lockstep_with_the_reference():
    results = engine.run(loader.parse_target([ALT]), ["logistic", "xor"], training=True)
    curves = results["curves"]
    assert {c["system"] for c in curves} == {"logistic", "xor"}
    assert all(c["status"] == "pass" for c in curves), [c["message"] for c in curves]
