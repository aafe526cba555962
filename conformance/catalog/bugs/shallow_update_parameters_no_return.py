"""update_parameters updates the arrays in place with -= and forgets `return parameters`: it
returns None. Class example."""
from nnconf.impl.shallow import *
import numpy as np


def update_parameters(parameters, grads, learning_rate=1.2):
    parameters['W1'] -= learning_rate * grads['dW1']
    parameters['b1'] -= learning_rate * grads['db1']
    parameters['W2'] -= learning_rate * grads['dW2']
    parameters['b2'] -= learning_rate * grads['db2']
