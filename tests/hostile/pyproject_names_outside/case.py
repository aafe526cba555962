"""Attempts: a submission's ``pyproject.toml`` that names, as its deep suite and as one of its
functions, files outside its tree (the learner's SSH key and AWS credentials in HOME), so that the
harness reads them or binds them into the box, where the code shows their text. Must: every path
of ``[tool.nnconf]`` must lie inside the tree: the run stops before anything is checked with a usage
error that says so (exit 2), and no secret is shown."""
SUITE = "activations"
FUNCTION = "sigmoid"
EXIT = 2
STDERR = "outside the tree"
