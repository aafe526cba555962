"""compute_cost with plain np.log: a saturated AL = 1 on label 1 gives 0 * log(0) = NaN where the
true cost is 0. Document 000's listing."""
from nnconf.impl.deep import *
import numpy as np


def compute_cost(AL, Y):
    m = Y.shape[1]  # Number of examples
    cost = - (1/m) * np.sum(Y * np.log(AL) + (1 - Y) * np.log(1 - AL))
    cost = np.squeeze(cost)
    return cost
