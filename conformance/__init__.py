"""nnconf's conformance engine: check any NumPy implementation of SPEC Part 2 against PyTorch
autograd and finite differences, layer by layer, and name each bug (``nnconf``)."""
