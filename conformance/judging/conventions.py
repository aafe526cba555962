"""The accepted conventions of course versions and of the book, in one table.

Learners' code follows the version of the course or book they had. A function that follows one of
these is judged by its values under that convention and the run reports it as a ``note``, never as a
failure. Each suite's contracts take their note texts from here; ``docs/findings.md`` is generated
from this table and :data:`nnconf.conformance.judging.severity.WARNINGS`.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Convention:
    key: str
    functions: str  # the functions it applies to
    text: str  # what the note says
    how: str  # how the harness judges such a function


CONVENTIONS = (
    Convention("self-seeding initializer", "initializers of `deep`, `shallow`, `init`",
               "calls np.random.seed(k) inside the function, as the course templates do (k = 1, 2, 3, ...)",
               "compared with the reference drawn after the same seed (k from 0 to 99)"),
    Convention("course initializations", "`initialize_parameters_deep`",
               "randn * 0.01 (the step-by-step assignment) or randn / sqrt(n[l-1]) (the course's dnn_app_utils)",
               "compared with the reference of that scale"),
    Convention("compute_cost with parameters", "`shallow.compute_cost`",
               "compute_cost(A2, Y, parameters) of the 2017-2020 course (which may read parameters['W1'], ['W2'])",
               "called with the parameters of a network whose output has A2's shape, also in the training loop; "
               "only where the code's version allows it: a 2021+ notebook (public_tests.py beside it) fails"),
    Convention("only parameters", "`L_layer_model`, `two_layer_model`",
               "returns only `parameters`, not `(parameters, costs)` (the course until 2020)",
               "its parameters are judged, there are no costs to compare; only where the code's version allows "
               "it: a 2021+ notebook, whose own test unpacks (parameters, costs), fails"),
    Convention("own start", "`L_layer_model`, `two_layer_model`, `nn_model`",
               "trains from its own initial parameters (whatever its initializer)",
               "a zero-iteration call shows the start; the reference trains from it"),
    Convention("older dA keys", "`L_model_backward`",
               "the older grads keys: grads['dA' + str(l)] holds the gradient with respect to A[l-1] "
               "(keys dA1..dAL instead of dA0..dA(L-1), as the course's dnn_app_utils_v2 writes them)",
               "the keys are read shifted by one; only where the code's version allows it: a 2021+ notebook "
               "fails (its own test cell raises KeyError 'dA0'); the note names the evidence of the version"),
    Convention("no defaults", "`optimize`, `model`, `nn_model`, `L_layer_model`, `two_layer_model`, `update_parameters`",
               "no default for a documented argument (the course before 2021 gave none)",
               "called with every argument; a default of another value fails where the course's graders rely "
               "on it, and is a warning where they pass the value (see the warning rules)"),
    Convention("book chapter 4", "`TwoLayerNet` (`layers`)",
               "the book's chapter-4 TwoLayerNet: sigmoid hidden layer, softmax predict",
               "told from chapter 5 by what its predict returns on a probe (softmax(sigmoid(x W1 + b1) W2 + b2), "
               "rows that sum to 1, or a sigmoid hidden layer), then judged against the PyTorch reference of "
               "ch04/two_layer_net.py: predict returns the probabilities, loss = cross_entropy_error(predict(x), t), "
               "the gradients are the loss's; its training curve against that net's; a net the probe cannot place "
               "is judged as chapter 5"),
    Convention("attribute names", "`layers.Affine.backward`",
               "keeps its gradients under a name that differs from the API's only in case",
               "the attribute of that name is read and judged; the note names it"),
    Convention("book single example", "`layers.cross_entropy_error`",
               "the book's single-example cross_entropy_error of section 4.2.2 (-np.sum(t * np.log(y + delta)), "
               "one-hot t, no batch handling): right for one example; on a batch it returns the sum of the "
               "examples' losses, not their mean",
               "told by its values: the sum on one-hot batches while integer labels make it raise (a loss that "
               "takes labels and still sums is missing its 1/batch, and fails); judged by its values on single "
               "examples and as that sum on batches; integer labels do not apply to it (a skip that says so)"),
    Convention("book 1-D numerical_gradient", "`layers.numerical_gradient`",
               "the book's numerical_gradient of section 4.4 (for idx in range(x.size): tmp_val = x[idx] ...), "
               "written for a 1-D x (the book's later gradient_2d.py and common/gradient.py take any shape)",
               "where it raises on a 2-D x, judged row by row on 1-D vectors (each row with its own f) against "
               "autograd, x restored bitwise; a note, not a warning: it is right for its section, and a net whose "
               "numerical_gradient needs 2-D weights fails in its own check"),
    Convention("method names", "methods of the `layers` classes (`TwoLayerNet.numerical_gradient`, ...)",
               "a method under a name that differs from the API's in case or by a known near-miss "
               "(numeric_gradient for numerical_gradient)",
               "the one method of such a name is called and judged (two candidates: neither); the note names it"),
)

TEXT = {c.key: c.text for c in CONVENTIONS}


def note(key, detail=""):
    """The note text of convention ``key``, with what this function did (a seed, a scale)."""
    return TEXT[key] + (f" ({detail})" if detail else "")
