"""nnconf's own from-scratch NumPy implementation of every suite of SPEC Part 2.

One module per suite (``activations``, ``logistic``, ``shallow``, ``deep``, ``init``, ``xor``,
``layers``), plus ``data`` (the datasets) and ``systems`` (the documents' systems, trained end to
end: ``python -m nnconf.impl.systems``). It is the default target of ``nnconf check``.
"""

SUITES = ("activations", "logistic", "shallow", "deep", "init", "xor", "layers")
