"""Hypothesis strategies for the harness's inputs. Nouns for what they make; keyword-only.

Dimensions are drawn pairwise distinct so that no transposed product can hide in a square
matrix. ``draw_examples`` turns a strategy into a derandomized list of examples for the engine.

>>> draw_examples(layer_dims(min_layers=3, max_layers=3), count=2, seed=0)  # doctest: +SKIP
[[4, 2, 6, 3], [5, 7, 2, 3]]
"""

from functools import partial

from nnconf.conformance.suites.lazy import lazy

st = lazy("hypothesis.strategies")  # imported when a strategy is built: never on a run the cache answers

# How many drawn examples per contract, and random directions per network gradient check.
PROFILES = {
    "fast": {"examples": 3, "directions": 1},
    "thorough": {"examples": 20, "directions": 3},
}


def distinct_dims(*, count, min_value=2, max_value=7):
    """``count`` pairwise-distinct integers in [min_value, max_value], e.g. (n_prev, n, m)."""
    if count > max_value - min_value + 1:
        raise ValueError(f"cannot draw {count} distinct dims from [{min_value}, {max_value}]")
    return st.lists(
        st.integers(min_value, max_value), min_size=count, max_size=count, unique=True
    ).map(tuple)


def layer_dims(*, min_layers=2, max_layers=4, min_units=2, max_units=8):
    """A network's [n0, n1, ..., nL] with pairwise-distinct sizes (L layers, n0 the input)."""
    if min_layers < 1 or max_layers < min_layers:
        raise ValueError("need 1 <= min_layers <= max_layers")
    return st.integers(min_layers, max_layers).flatmap(
        partial(_network_of, min_units=min_units, max_units=max_units)  # a partial: its repr shows the bounds
    )


def _network_of(L, *, min_units, max_units):
    return distinct_dims(count=L + 1, min_value=min_units, max_value=max_units).map(list)


def array_shapes(*, min_dims=1, max_dims=3, min_side=2, max_side=6):
    """An elementwise input's shape, sides pairwise distinct."""
    return st.integers(min_dims, max_dims).flatmap(
        partial(_sides_of, min_side=min_side, max_side=max_side)
    )


def _sides_of(d, *, min_side, max_side):
    return distinct_dims(count=d, min_value=min_side, max_value=max_side)


_DRAWN = {}


def draw_examples(strategy, *, count, seed):
    """``count`` examples of ``strategy``, the same ones for the same seed (no shrinking).

    Many contracts share a strategy; the examples are drawn once per (strategy, count, seed).
    """
    key = (repr(strategy), count, seed)  # strategies here are built without lambdas over variables
    if key not in _DRAWN:
        _DRAWN[key] = _draw(strategy, count, seed)
    return list(_DRAWN[key])


def _draw(strategy, count, seed):
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as hypothesis_seed

    found = []

    @hypothesis_seed(seed)
    @settings(
        max_examples=count,
        derandomize=False,
        database=None,
        phases=[Phase.generate],
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def collect(example):
        found.append(example)

    collect()
    unique = []
    for example in found:
        if example not in unique:
            unique.append(example)
    return unique[:count]
