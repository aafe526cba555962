"""sigmoid turns on np.seterr(all="raise") "to see overflows" before the naive 1/(1 + e^-z): for
large |z| the exp overflows (or underflows) and raises FloatingPointError. Class example."""
from nnconf.impl.xor import *
import numpy as np


def sigmoid(z):
    np.seterr(all="raise")
    temp = np.exp(-z)
    return 1 / (1 + temp)
