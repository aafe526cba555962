"""Attempts: a submission whose ``deep.py`` and ``keys`` are links out of its tree, to the learner's
SSH key and to the ``.aws`` folder of HOME, next to a wrong sigmoid: if the harness follows them, it
reads the key as a deep suite (its text shown in a syntax error) and binds the folder into the box.
Must: a link out of the tree is never followed, read or bound (it is named as not checked): the key
appears nowhere, the wrong sigmoid fails on its values, exit 1."""
SUITE = "activations"
FUNCTION = "sigmoid"
LINKS = {"deep.py": "../.ssh/id_rsa", "keys": "../.aws"}
DIAGNOSIS = ("value.wrong", "value.scale", "value.sign", "value.activation_derivative")
