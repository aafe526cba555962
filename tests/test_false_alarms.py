"""A correct implementation written in another style (@, einsum, float32-preserving, np.where
sigmoid, learner-style imports between files) passes every check: no false alarm."""

import os

import pytest

from conformance import engine, loader

ALT = os.path.join(os.path.dirname(__file__), "targets", "alt_style")


@pytest.mark.parametrize("suite", loader.SUITES)
def test_alt_style_passes_every_check(suite):
    results = engine.run(loader.parse_target([ALT]), [suite], training=False)
    bad = [r for r in results["records"] if r["status"] in ("fail", "error")]
    assert results["records"], "no check ran"
    assert not bad, "\n".join(f"[{r['diagnosis']}] {r['message']}" for r in bad[:5])


def test_alt_style_trains_in_lockstep_with_the_reference():
    results = engine.run(loader.parse_target([ALT]), ["logistic", "xor"], training=True)
    curves = results["curves"]
    assert {c["system"] for c in curves} == {"logistic", "xor"}
    assert all(c["status"] == "pass" for c in curves), [c["message"] for c in curves]
