"""Running untrusted code in its box. The harness's side starts and talks to worker processes
(``worker``, inside bubblewrap and control groups from ``sandbox``); the worker's side
(``serve``, and the ``probes`` it calls next to the code under check) loads the target and sends
back answers as data only (``channel``). Inputs live in memory the harness owns (``shared``);
``protocol`` is what both sides agree on; ``numpy2`` lets NumPy 1 code run on NumPy 2.

Nothing a worker sends is trusted: it is data to judge, never code or a verdict. May import
``reading`` and ``judging``; never the suites, the run, the PyTorch reference or torch.
"""
