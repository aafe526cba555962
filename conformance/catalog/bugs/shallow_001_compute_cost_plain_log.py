"""compute_cost with plain np.log: a saturated A2 = 1 on label 1 gives 0 * log(0) = NaN where the
true cost is 0. Document 001's listing."""
from nnconf.impl.shallow import *
import numpy as np


def compute_cost(A2, Y):
    m = Y.shape[1]  # number of examples
    logprobs = Y * np.log(A2) + (1-Y) * np.log(1-A2)
    cost = -1/m * np.sum(logprobs)
    cost = float(np.squeeze(cost))  # makes sure cost is the dimension we expect.
    return cost
