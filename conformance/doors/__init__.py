"""The front doors, where users come in: the command line (``cli``: ``nnconf check``, ``list``,
``report``, ``api``, ``catalog``), the pytest plugin (``pytest_plugin``, collected through
``nnconf.conformance.checks``), the notebook door (``notebook``: ``nnconf.check(fn)`` in a
kernel), the class gradebook (``grade``: ``nnconf grade``, ``nnconf.grade``), the generated API
page (``api``) and the catalog score (``catalog_score``).

Everything points down from here: no other part of the harness imports a front door.
"""
