"""binary_cross_entropy with plain np.log: a saturated YHat = 1 on label 1 gives 0 * log(0) = NaN
where the true loss is 0. Document 003's listing."""
from nnconf.impl.xor import *
import numpy as np


def binary_cross_entropy(Y, YHat):
    N = Y.shape[1]  # 총 샘플의 수
    loss = -(1/N) * np.sum(Y * np.log(YHat) + (1 - Y) * np.log(1 - YHat))
    return loss
