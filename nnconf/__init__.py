"""nnconf: formula-by-formula checks of from-scratch NumPy neural-network code.

Everything the distribution installs lives under this one package, so that nothing of the harness
can shadow a user's own folders (``impl/``, ``reports/``, ...) or be shadowed by them:

- ``nnconf.impl``: the bundled NumPy implementation of every suite (the default target);
- ``nnconf.reference``: the same forward formulas in PyTorch, gradients from autograd;
- ``nnconf.conformance``: the engine, the command line (``nnconf check``) and the pytest plugin;
- ``nnconf.reports``: the HTML report and its CSV tables;
- ``nnconf.check``: the notebook door, the same checks on functions of a running kernel;
- ``nnconf.grade``: a whole class's submissions graded into one gradebook (``nnconf grade``).
"""

from nnconf.version import __version__  # noqa: F401 - nnconf.__version__


def check(*objects, suite=None, profile="fast", timeout=10.0, training=False, show=True):
    """Check functions defined in a running notebook: ``nnconf.check(linear_backward)``, or
    ``nnconf.check(globals())`` for every suite function it defines. Shows the result once in the
    cell and returns it; the result shows itself again as a later cell's value (HTML, or plain text:
    ``print(result)``), with what to change for each failing function. ``.ok``, ``.functions()``
    (one row per function) and ``.records`` (a pandas DataFrame, one row per check). A check with
    nothing to check says why. See ``nnconf.conformance.doors.notebook``."""
    from nnconf.conformance.doors.notebook import check as _check

    return _check(*objects, suite=suite, profile=profile, timeout=timeout, training=training, show=show)


def grade(submissions, out, **options):
    """Grade a class: every submission in the folder ``submissions`` (nbgrader, Canvas, Moodle,
    GitHub Classroom, or one file or folder per student) checked in its own box, into the folder
    ``out`` (grades.csv, findings.csv, class.html, students/, gradebook.sqlite). The options are
    those of ``nnconf grade`` (``helpers=``, ``points=``, ``layout=``, ``jobs=``, ``scheduler=``,
    ``max_time=``, ``training=``, ...). Returns a summary (``.students``, ``.files``, ``.text()``).
    See ``nnconf.conformance.doors.grade``."""
    from nnconf.conformance.doors.grade import grade as _grade

    return _grade(submissions, out, **options)
