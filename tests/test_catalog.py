"""Test the tester: every buggy implementation of the catalog is caught, on the function that
holds the bug, and diagnosed with the expected class; correct-but-noisy code passes."""

import pytest

from nnconf.conformance.catalog import BUGS, CORRECT_BUT_NOISY
from nnconf.conformance.doors.catalog_score import judge


@pytest.mark.parametrize("bug", BUGS, ids=[b.id for b in BUGS])
def test_bug_is_caught_and_diagnosed(bug):
    row = judge(bug)
    assert row["caught"], f"{bug.id}: no failing check of {bug.function}; {row['first_message']}"
    assert row["diagnosed"], f"{bug.id}: expected {bug.diagnosis}, found {row['found']}: {row['first_message']}"


@pytest.mark.parametrize("noisy", CORRECT_BUT_NOISY, ids=[b.id for b in CORRECT_BUT_NOISY])
def test_correct_but_noisy_code_passes(noisy):
    row = judge(noisy)
    assert row["caught"], f"{noisy.id} is correct but was failed: {row['first_message']}"


def test_catalog_covers_every_bug_class_code_can_produce():
    produced = {b.diagnosis for b in BUGS}
    code_classes = {
        "shape.rank1", "shape.transposed", "shape.broadcast", "shape.other", "value.transposed",
        "value.scale_m", "value.scale", "value.sign", "value.activation_derivative", "value.kink",
        "value.stale_state", "value.nonfinite", "value.wrong", "side_effect.mutates_input",
        "type.not_scalar", "type.dtype", "crash.exception", "crash.timeout",
    }
    assert code_classes <= produced, sorted(code_classes - produced)
