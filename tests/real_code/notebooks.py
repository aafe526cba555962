"""Course notebooks as a learner downloads and fills them in, with the helper files beside them.

Layouts follow the 2021+ Deep Learning Specialization downloads: ``W4A1/`` (deep, step by step),
``W2A2/`` (logistic regression), ``W3A1/`` (planar data, exported by nbconvert), and the
"Python Basics with Numpy" notebook. Every top-level statement that the harness must never run
(data loading, training, test calls) either fails loudly or writes a marker file, so that a test
can tell that nothing of it ran.
"""

import copy
import os
import textwrap

import nbformat

from real_code.sources import function, functions, write

MARKER = "EXECUTED_TOP_LEVEL"

SHALLOW_GRADED = ("layer_sizes", "initialize_parameters", "forward_propagation", "compute_cost",
                  "backward_propagation", "update_parameters", "nn_model", "predict")


class Notebook:
    """Cells in order; remembers, for each graded function, its cell number (1-based over every
    cell, markdown too, as the harness numbers them) and the line of its ``def`` in that cell."""

    def __init__(self):
        self.nb = nbformat.v4.new_notebook()
        self.nb.metadata = {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python", "version": "3.7.6"},
            "coursera": {"schema_names": ["DLSC1W4-A1"]},
        }
        self.graded = {}  # name -> (cell number, line of its def)
        self._ids = 0

    def markdown(self, text):
        self.nb.cells.append(nbformat.v4.new_markdown_cell(textwrap.dedent(text).strip("\n")))

    def code(self, text, graded=False, test=False, outputs=(), execution_count=None):
        self._ids += 1
        cell = nbformat.v4.new_code_cell(textwrap.dedent(text).strip("\n"), execution_count=execution_count,
                                         outputs=list(outputs))
        if graded:
            cell.metadata = {"deletable": False, "nbgrader": {
                "cell_type": "code", "checksum": f"{self._ids:032x}", "grade": False,
                "grade_id": f"cell-{self._ids:016x}", "locked": False, "schema_version": 3,
                "solution": True, "task": False}}
        elif test:
            cell.metadata = {"deletable": False, "editable": False, "nbgrader": {
                "cell_type": "code", "checksum": f"{self._ids:032x}", "grade": True,
                "grade_id": f"cell-{self._ids:016x}", "locked": True, "points": 10,
                "schema_version": 3, "solution": False, "task": False}}
        self.nb.cells.append(cell)
        return len(self.nb.cells)

    def graded_function(self, name, body, helpers=""):
        """A ``# GRADED FUNCTION: name`` cell holding ``helpers`` (if any) then the learner's def."""
        head = f"# GRADED FUNCTION: {name}\n\n" + (helpers.rstrip("\n") + "\n\n\n" if helpers else "")
        text = head + body
        number = self.code(text, graded=True, execution_count=None)
        line = head.count("\n") + 1
        assert text.splitlines()[line - 1].startswith(f"def {name}(")
        self.graded[name] = (number, line)
        return number

    def write(self, path):
        nbformat.validate(self.nb)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        nbformat.write(self.nb, path)
        return path


def _stdout(text):
    return nbformat.v4.new_output("stream", name="stdout", text=text)


def _loud(marker_path, what):
    """Top-level code that, if anything ran it, leaves a marker and then fails loudly."""
    return (f"open({marker_path!r}, 'a').write({what!r} + '\\n')\n"
            "with open('/nonexistent/datasets/train_catvnoncat.h5', 'rb') as handle:\n"
            "    raw = handle.read()\n"
            "raise SystemExit(9)\n")


# --- W4A1: Building your Deep Neural Network, Step by Step ----------------------------------------

DNN_UTILS = ("sigmoid", "relu", "relu_backward", "sigmoid_backward")


def build_w4a1(folder, marker_path):
    """``folder/W4A1/`` as downloaded and completed; returns (notebook path, Notebook)."""
    base = os.path.join(str(folder), "W4A1")
    write(base, "dnn_utils.py", "import numpy as np\n\n\n" + functions("deep", *DNN_UTILS))
    write(base, "test_utils.py", """
        import numpy as np
        from termcolor import colored


        def datatype_check(expected_output, target_output, error):
            success = 0
            if isinstance(target_output, dict):
                for key in target_output.keys():
                    try:
                        success += datatype_check(expected_output[key], target_output[key], error)
                    except:
                        print("Error: {} in variable {}. Got {} but expected type {}".format(
                            error, key, type(target_output[key]), type(expected_output[key])))
                return 1 if success == len(target_output.keys()) else 0
            return 1 if isinstance(target_output, type(expected_output)) else 0


        def single_test(test_cases, target):
            success = 0
            for test_case in test_cases:
                try:
                    if test_case['name'] == "datatype_check":
                        assert isinstance(target(*test_case['input']), test_case["expected"])
                        success += 1
                    if test_case['name'] == "equation_output_check":
                        assert np.allclose(test_case["expected"], target(*test_case['input']))
                        success += 1
                except:
                    print(colored("Error: " + test_case['error'], "red"))
            if success == len(test_cases):
                print("\\033[92m All tests passed.")
            else:
                raise AssertionError("Not all tests were passed for {}. Check your equations.".format(target.__name__))


        def multiple_test(test_cases, target):
            single_test(test_cases, target)
        """)
    write(base, "testCases.py", """
        import numpy as np


        def linear_forward_test_case():
            np.random.seed(1)
            A = np.random.randn(3, 2)
            W = np.random.randn(1, 3)
            b = np.random.randn(1, 1)
            return A, W, b


        def linear_activation_forward_test_case():
            np.random.seed(2)
            A_prev = np.random.randn(3, 2)
            W = np.random.randn(1, 3)
            b = np.random.randn(1, 1)
            return A_prev, W, b


        def L_model_forward_test_case_2hidden():
            np.random.seed(6)
            X = np.random.randn(5, 4)
            parameters = {"W1": np.random.randn(4, 5), "b1": np.random.randn(4, 1),
                          "W2": np.random.randn(3, 4), "b2": np.random.randn(3, 1),
                          "W3": np.random.randn(1, 3), "b3": np.random.randn(1, 1)}
            return X, parameters


        def compute_cost_test_case():
            Y = np.asarray([[1, 1, 0]])
            aL = np.array([[.8, .9, 0.4]])
            return Y, aL


        def linear_backward_test_case():
            np.random.seed(1)
            dZ = np.random.randn(3, 4)
            A = np.random.randn(5, 4)
            W = np.random.randn(3, 5)
            b = np.random.randn(3, 1)
            linear_cache = (A, W, b)
            return dZ, linear_cache


        def L_model_backward_test_case():
            np.random.seed(3)
            AL = np.random.randn(1, 2)
            Y = np.array([[1, 0]])
            A1 = np.random.randn(4, 2)
            W1 = np.random.randn(3, 4)
            b1 = np.random.randn(3, 1)
            Z1 = np.random.randn(3, 2)
            linear_cache_activation_1 = ((A1, W1, b1), Z1)
            A2 = np.random.randn(3, 2)
            W2 = np.random.randn(1, 3)
            b2 = np.random.randn(1, 1)
            Z2 = np.random.randn(1, 2)
            linear_cache_activation_2 = ((A2, W2, b2), Z2)
            caches = (linear_cache_activation_1, linear_cache_activation_2)
            return AL, Y, caches


        def print_grads(grads):
            print("dW1 = " + str(grads["dW1"]))
            print("db1 = " + str(grads["db1"]))
            print("dA1 = " + str(grads["dA1"]))
        """)
    write(base, "public_tests.py", """
        import numpy as np
        from test_utils import single_test, multiple_test
        from testCases import *


        def linear_forward_test(target):
            t_A, t_W, t_b = linear_forward_test_case()
            t_linear_cache = (t_A, t_W, t_b)
            expected_Z = np.array([[3.26295337, -1.23429987]])
            test_cases = [
                {"name": "datatype_check", "input": [t_A, t_W, t_b], "expected": tuple,
                 "error": "Datatype mismatch"},
                {"name": "equation_output_check", "input": [t_A, t_W, t_b], "expected": (expected_Z, t_linear_cache),
                 "error": "Wrong output"},
            ]
            multiple_test(test_cases, target)


        def linear_backward_test(target):
            t_dZ, t_linear_cache = linear_backward_test_case()
            test_cases = [{"name": "datatype_check", "input": [t_dZ, t_linear_cache], "expected": tuple,
                           "error": "Data type mismatch"}]
            multiple_test(test_cases, target)


        def compute_cost_test(target):
            t_Y, t_AL = compute_cost_test_case()
            test_cases = [{"name": "equation_output_check", "input": [t_AL, t_Y], "expected": 0.2797765635793422,
                           "error": "Wrong output"}]
            single_test(test_cases, target)
        """)

    nb = Notebook()
    nb.markdown("""
        # Building your Deep Neural Network: Step by Step

        Welcome to your week 4 assignment (part 1 of 2)! You're about to build a deep neural network.
        """)
    nb.markdown("""
        <a name='1'></a>
        ## 1 - Packages
        """)
    nb.code("""
        import numpy as np
        import h5py
        import matplotlib.pyplot as plt
        from testCases import *
        from dnn_utils import sigmoid, sigmoid_backward, relu, relu_backward
        from public_tests import *

        %matplotlib inline
        plt.rcParams['figure.figsize'] = (5.0, 4.0) # set default size of plots
        plt.rcParams['image.interpolation'] = 'nearest'
        plt.rcParams['image.cmap'] = 'gray'

        %load_ext autoreload
        %autoreload 2

        np.random.seed(1)
        """, execution_count=1)
    nb.code("!ls\nfiles = !ls datasets\nnp.random.seed?", execution_count=2,
            outputs=[_stdout("dnn_utils.py  public_tests.py  testCases.py  test_utils.py\n")])
    nb.markdown("""
        <a name='3'></a>
        ## 3 - Initialization

        <a name='ex-1'></a>
        ### Exercise 1 - initialize_parameters
        """)
    nb.graded_function("initialize_parameters", function("shallow", "initialize_parameters"))
    nb.code("""
        parameters = initialize_parameters(3,2,1)

        print("W1 = " + str(parameters["W1"]))
        print("b1 = " + str(parameters["b1"]))

        initialize_parameters_test(initialize_parameters)
        """, test=True)
    nb.markdown("### Exercise 2 - initialize_parameters_deep")
    nb.graded_function("initialize_parameters_deep", function("deep", "initialize_parameters_deep"))
    nb.code("""
        parameters = initialize_parameters_deep([5,4,3])

        print("W1 = " + str(parameters["W1"]))
        print("b1 = " + str(parameters["b1"]))

        initialize_parameters_deep_test(initialize_parameters_deep)
        """, test=True)
    nb.markdown("## 4 - Forward Propagation Module\n\n### Exercise 3 - linear_forward")
    nb.graded_function("linear_forward", function("deep", "linear_forward"))
    nb.code("""
        t_A, t_W, t_b = linear_forward_test_case()
        t_Z, t_linear_cache = linear_forward(t_A, t_W, t_b)
        print("Z = " + str(t_Z))

        linear_forward_test(linear_forward)
        """, test=True, execution_count=7, outputs=[_stdout("Z = [[ 3.26295337 -1.23429987]]\n")])
    nb.markdown("### Exercise 4 - linear_activation_forward")
    nb.graded_function("linear_activation_forward", function("deep", "linear_activation_forward"))
    nb.code("""
        t_A_prev, t_W, t_b = linear_activation_forward_test_case()

        t_A, t_linear_activation_cache = linear_activation_forward(t_A_prev, t_W, t_b, activation = "sigmoid")
        print("With sigmoid: A = " + str(t_A))

        t_A, t_linear_activation_cache = linear_activation_forward(t_A_prev, t_W, t_b, activation = "relu")
        print("With ReLU: A = " + str(t_A))

        linear_activation_forward_test(linear_activation_forward)
        """, test=True)
    nb.markdown("### Exercise 5 - L_model_forward")
    nb.graded_function("L_model_forward", function("deep", "L_model_forward"))
    nb.code("""
        t_X, t_parameters = L_model_forward_test_case_2hidden()
        t_AL, t_caches = L_model_forward(t_X, t_parameters)

        print("AL = " + str(t_AL))

        L_model_forward_test(L_model_forward)
        """, test=True)
    nb.markdown("## 5 - Cost Function\n\n### Exercise 6 - compute_cost")
    nb.graded_function("compute_cost", function("deep", "compute_cost"))
    nb.code("""
        t_Y, t_AL = compute_cost_test_case()
        t_cost = compute_cost(t_AL, t_Y)

        print("Cost: " + str(t_cost))

        compute_cost_test(compute_cost)
        """, test=True)
    nb.markdown("## 6 - Backward Propagation Module\n\n### Exercise 7 - linear_backward")
    nb.graded_function("linear_backward", function("deep", "linear_backward"))
    nb.code("""
        t_dZ, t_linear_cache = linear_backward_test_case()
        t_dA_prev, t_dW, t_db = linear_backward(t_dZ, t_linear_cache)

        print("dA_prev: " + str(t_dA_prev))
        print("dW: " + str(t_dW))
        print("db: " + str(t_db))

        linear_backward_test(linear_backward)
        """, test=True)
    nb.markdown("### Exercise 8 - linear_activation_backward")
    nb.graded_function("linear_activation_backward", function("deep", "linear_activation_backward"))
    nb.code("""
        t_dAL, t_linear_activation_cache = linear_activation_backward_test_case()

        t_dA_prev, t_dW, t_db = linear_activation_backward(t_dAL, t_linear_activation_cache, activation = "sigmoid")
        print("With sigmoid: dA_prev = " + str(t_dA_prev))

        linear_activation_backward_test(linear_activation_backward)
        """, test=True)
    nb.markdown("### Exercise 9 - L_model_backward")
    nb.graded_function("L_model_backward", function("deep", "L_model_backward"))
    nb.code("""
        t_AL, t_Y_assess, t_caches = L_model_backward_test_case()
        grads = L_model_backward(t_AL, t_Y_assess, t_caches)

        print("dA0 = " + str(grads['dA0']))
        print("dA1 = " + str(grads['dA1']))

        L_model_backward_test(L_model_backward)
        """, test=True)
    nb.markdown("### Exercise 10 - update_parameters")
    nb.graded_function("update_parameters", function("deep", "update_parameters"))
    nb.code("""
        t_parameters, grads = update_parameters_test_case()
        t_parameters = update_parameters(t_parameters, grads, 0.1)

        print ("W1 = "+ str(t_parameters["W1"]))

        update_parameters_test(update_parameters)
        """, test=True)
    nb.markdown("Congrats! You've implemented all the functions required for building a deep neural network.")
    nb.code("""
        %%time
        parameters, costs = L_layer_model(train_x, train_y, layers_dims, num_iterations = 2500, print_cost = True)
        """)
    nb.code(_loud(marker_path, "W4A1 training cell"))
    path = nb.write(os.path.join(base, "Building_your_Deep_Neural_Network_Step_by_Step.ipynb"))
    # Jupyter's autosave of an earlier, wrong attempt (db without keepdims): never the learner's code
    earlier = copy.deepcopy(nb.nb)
    cell = earlier.cells[nb.graded["linear_backward"][0] - 1]
    right = "db = 1 / m * np.sum(dZ, axis=1, keepdims=True)"
    assert right in cell.source
    cell.source = cell.source.replace(right, "db = 1 / m * np.sum(dZ, axis=1)")
    os.makedirs(os.path.join(base, ".ipynb_checkpoints"))
    nbformat.write(earlier, os.path.join(base, ".ipynb_checkpoints",
                                         "Building_your_Deep_Neural_Network_Step_by_Step-checkpoint.ipynb"))
    return path, nb


# --- W2A2: Logistic Regression with a Neural Network mindset -------------------------------------


def build_w2a2(folder, marker_path):
    """``folder/W2A2/`` with lr_utils.py (which imports h5py); returns (notebook path, Notebook)."""
    base = os.path.join(str(folder), "W2A2")
    write(base, "lr_utils.py", """
        import numpy as np
        import h5py


        def load_dataset():
            train_dataset = h5py.File('datasets/train_catvnoncat.h5', "r")
            train_set_x_orig = np.array(train_dataset["train_set_x"][:]) # your train set features
            train_set_y_orig = np.array(train_dataset["train_set_y"][:]) # your train set labels

            test_dataset = h5py.File('datasets/test_catvnoncat.h5', "r")
            test_set_x_orig = np.array(test_dataset["test_set_x"][:]) # your test set features
            test_set_y_orig = np.array(test_dataset["test_set_y"][:]) # your test set labels

            classes = np.array(test_dataset["list_classes"][:]) # the list of classes

            train_set_y_orig = train_set_y_orig.reshape((1, train_set_y_orig.shape[0]))
            test_set_y_orig = test_set_y_orig.reshape((1, test_set_y_orig.shape[0]))

            return train_set_x_orig, train_set_y_orig, test_set_x_orig, test_set_y_orig, classes
        """)
    write(base, "public_tests.py", """
        import numpy as np
        from copy import deepcopy


        def sigmoid_test(target):
            x = np.array([0, 2])
            output = target(x)
            assert type(output) == np.ndarray, "Wrong type. Expected np.ndarray"
            assert np.allclose(output, [0.5, 0.88079708]), f"Wrong value. {output} != [0.5, 0.88079708]"
            print('\\033[92mAll tests passed!')


        def initialize_with_zeros_test_1(target):
            dim = 3
            w, b = target(dim)
            assert type(b) == float, f"Wrong type for b. {type(b)} != float"
            assert w.shape == (dim, 1), f"Wrong shape for w. {w.shape} != {(dim, 1)}"
            print('\\033[92mFirst test passed!')
        """)
    nb = Notebook()
    nb.markdown("""
        # Logistic Regression with a Neural Network mindset

        Welcome to your first (required) programming assignment! You will build a logistic regression classifier to recognize cats.
        """)
    nb.markdown("## 1 - Packages ##")
    nb.code("""
        import numpy as np
        import copy
        import matplotlib.pyplot as plt
        import h5py
        import scipy
        from PIL import Image
        from scipy import ndimage
        from lr_utils import load_dataset
        from public_tests import *

        %matplotlib inline
        %load_ext autoreload
        %autoreload 2
        """, execution_count=1)
    nb.markdown("## 2 - Overview of the Problem set ##")
    nb.code("""
        # Loading the data (cat/non-cat)
        train_set_x_orig, train_set_y, test_set_x_orig, test_set_y, classes = load_dataset()
        """, execution_count=2)
    nb.code("""
        # Example of a picture
        index = 25
        plt.imshow(train_set_x_orig[index])
        print ("y = " + str(train_set_y[:, index]) + ", it's a '" + classes[np.squeeze(train_set_y[:, index])].decode("utf-8") +  "' picture.")
        """)
    nb.code("""
        #(≈ 3 lines of code)
        # m_train =
        # m_test =
        # num_px =
        # YOUR CODE STARTS HERE
        m_train = train_set_x_orig.shape[0]
        m_test = test_set_x_orig.shape[0]
        num_px = train_set_x_orig.shape[1]
        # YOUR CODE ENDS HERE
        """, graded=True)
    nb.code("""
        # Reshape the training and test examples
        train_set_x_flatten = train_set_x_orig.reshape(train_set_x_orig.shape[0], -1).T
        test_set_x_flatten = test_set_x_orig.reshape(test_set_x_orig.shape[0], -1).T
        """, graded=True)
    nb.code("""
        train_set_x = train_set_x_flatten / 255.
        test_set_x = test_set_x_flatten / 255.
        """)
    nb.markdown("## 4 - Building the parts of our algorithm ##\n\n### Exercise 3 - sigmoid")
    nb.graded_function("sigmoid", function("activations", "sigmoid"))
    nb.code("""
        print ("sigmoid([0, 2]) = " + str(sigmoid(np.array([0,2]))))

        sigmoid_test(sigmoid)
        """, test=True)
    nb.graded_function("initialize_with_zeros", function("logistic", "initialize_with_zeros"))
    nb.code("""
        dim = 2
        w, b = initialize_with_zeros(dim)

        assert type(b) == float
        print ("w = " + str(w))
        print ("b = " + str(b))

        initialize_with_zeros_test_1(initialize_with_zeros)
        """, test=True)
    nb.graded_function("propagate", function("logistic", "propagate"), helpers=function("logistic", "_xlogy"))
    nb.code("""
        w =  np.array([[1.], [2]])
        b = 1.5
        X = np.array([[1., -2., -1.], [3., 0.5, -3.2]])
        Y = np.array([[1, 1, 0]])
        grads, cost = propagate(w, b, X, Y)

        print ("dw = " + str(grads["dw"]))
        print ("cost = " + str(cost))

        propagate_test(propagate)
        """, test=True)
    nb.graded_function("optimize", function("logistic", "optimize"))
    nb.code("""
        params, grads, costs = optimize(w, b, X, Y, num_iterations=100, learning_rate=0.009, print_cost=False)

        print ("w = " + str(params["w"]))

        optimize_test(optimize)
        """, test=True)
    nb.graded_function("predict", function("logistic", "predict"))
    nb.code("""
        w = np.array([[0.1124579], [0.23106775]])
        b = -0.3
        X = np.array([[1., -1.1, -3.2],[1.2, 2., 0.1]])
        print ("predictions = " + str(predict(w, b, X)))

        predict_test(predict)
        """, test=True)
    nb.graded_function("model", function("logistic", "model"))
    nb.code("""
        from public_tests import *

        model_test(model)
        """, test=True)
    nb.code(f"""
        open({marker_path!r}, "a").write("W2A2 training cell\\n")
        logistic_regression_model = model(train_set_x, train_set_y, test_set_x, test_set_y, num_iterations=2000, learning_rate=0.005, print_cost=True)
        """)
    nb.code("""
        # Plot learning curve (with costs)
        costs = np.squeeze(logistic_regression_model['costs'])
        plt.plot(costs)
        plt.ylabel('cost')
        plt.xlabel('iterations (per hundreds)')
        plt.title("Learning rate =" + str(logistic_regression_model["learning_rate"]))
        plt.show()
        """)
    nb.code("""
        learning_rates = [0.01, 0.001, 0.0001]
        models = {}

        for lr in learning_rates:
            print ("Training a model with learning rate: " + str(lr))
            models[str(lr)] = model(train_set_x, train_set_y, test_set_x, test_set_y, num_iterations=1500, learning_rate=lr, print_cost=False)
            print ('\\n' + "-------------------------------------------------------" + '\\n')
        """)
    nb.code("""
        # change this to the name of your image file
        my_image = "my_image.jpg"

        # We preprocess the image to fit your algorithm.
        fname = "images/" + my_image
        image = np.array(Image.open(fname).resize((num_px, num_px)))
        plt.imshow(image)
        image = image / 255.
        image = image.reshape((1, num_px * num_px * 3)).T
        my_predicted_image = predict(logistic_regression_model["w"], logistic_regression_model["b"], image)
        """)
    nb.code(_loud(marker_path, "W2A2 last cell"))
    path = nb.write(os.path.join(base, "Logistic_Regression_with_a_Neural_Network_mindset.ipynb"))
    return path, nb


# --- Python Basics with Numpy ---------------------------------------------------------------------


def build_python_basics(folder):
    """The "Python Basics with Numpy" notebook alone in ``folder``: 8 functions, one of them softmax."""
    nb = Notebook()
    nb.markdown("# Python Basics with Numpy (optional assignment)")
    nb.code("""
        ### v1.1
        from public_tests import *
        """)
    nb.code("""
        # GRADED FUNCTION: basic_sigmoid

        import math

        def basic_sigmoid(x):
            s = 1 / (1 + math.exp(-x))
            return s
        """, graded=True)
    nb.code("print(\"basic_sigmoid(1) = \" + str(basic_sigmoid(1)))\n\nbasic_sigmoid_test(basic_sigmoid)", test=True)
    nb.code("""
        ### One reason why we use "numpy" instead of "math" in Deep Learning ###

        x = [1, 2, 3] # x becomes a python list object
        basic_sigmoid(x) # you will see this give an error when you run it, because x is a vector.
        """)
    nb.code("""
        # GRADED FUNCTION: sigmoid

        def sigmoid(x):
            s = 1 / (1 + np.exp(-x))
            return s
        """, graded=True)
    nb.code("""
        import numpy as np

        t_x = np.array([1, 2, 3])
        print("sigmoid(t_x) = " + str(sigmoid(t_x)))

        sigmoid_test(sigmoid)
        """, test=True)
    nb.code("""
        # GRADED FUNCTION: sigmoid_derivative

        def sigmoid_derivative(x):
            s = sigmoid(x)
            ds = s * (1 - s)
            return ds
        """, graded=True)
    nb.code("""
        # GRADED FUNCTION:image2vector

        def image2vector(image):
            v = image.reshape(image.shape[0] * image.shape[1] * image.shape[2], 1)
            return v
        """, graded=True)
    nb.code("""
        # This is a 3 by 3 by 2 array, typically images will be (num_px_x, num_px_y,3) where 3 represents the RGB values
        t_image = np.array([[[ 0.67826139,  0.29380381],
                             [ 0.90714982,  0.52835647],
                             [ 0.4215251 ,  0.45017551]],

                           [[ 0.92814219,  0.96677647],
                            [ 0.85304703,  0.52351845],
                            [ 0.19981397,  0.27417313]]])

        print ("image2vector(image) = " + str(image2vector(t_image)))

        image2vector_test(image2vector)
        """, test=True)
    nb.code("""
        # GRADED FUNCTION: normalize_rows

        def normalize_rows(x):
            x_norm = np.linalg.norm(x, axis=1, keepdims=True)
            x = x / x_norm
            return x
        """, graded=True)
    nb.code("""
        # GRADED FUNCTION: softmax

        def softmax(x):
            x_exp = np.exp(x)
            x_sum = np.sum(x_exp, axis=1, keepdims=True)
            s = x_exp / x_sum
            return s
        """, graded=True)
    nb.code("""
        t_x = np.array([[9, 2, 5, 0, 0],
                        [7, 5, 0, 0 ,0]])
        print("softmax(x) = " + str(softmax(t_x)))

        softmax_test(softmax)
        """, test=True)
    nb.code("""
        import time

        x1 = [9, 2, 5, 0, 0, 7, 5, 0, 0, 0, 9, 2, 5, 0, 0]
        x2 = [9, 2, 2, 9, 0, 9, 2, 5, 0, 0, 9, 2, 5, 0, 0]

        ### CLASSIC DOT PRODUCT OF VECTORS IMPLEMENTATION ###
        tic = time.process_time()
        dot = 0

        for i in range(len(x1)):
            dot += x1[i] * x2[i]
        toc = time.process_time()
        print ("dot = " + str(dot) + "\\n ----- Computation time = " + str(1000 * (toc - tic)) + "ms")
        """)
    nb.code("""
        # GRADED FUNCTION: L1

        def L1(yhat, y):
            loss = np.sum(np.abs(y - yhat))
            return loss
        """, graded=True)
    nb.code("""
        # GRADED FUNCTION: L2

        def L2(yhat, y):
            loss = np.sum(np.dot(y - yhat, y - yhat))
            return loss
        """, graded=True)
    nb.code("""
        yhat = np.array([.9, 0.2, 0.1, .4, .9])
        y = np.array([1, 0, 0, 1, 1])

        print("L2 = " + str(L2(yhat, y)))

        L2_test(L2)
        """, test=True)
    return nb.write(os.path.join(str(folder), "Python_Basics_with_Numpy.ipynb"))


# --- W3A1: Planar data classification, exported with nbconvert --to script -------------------------

PLANAR_UTILS = """
    import matplotlib.pyplot as plt
    import numpy as np
    import sklearn
    import sklearn.datasets
    import sklearn.linear_model


    def plot_decision_boundary(model, X, y):
        # Set min and max values and give it some padding
        x_min, x_max = X[0, :].min() - 1, X[0, :].max() + 1
        y_min, y_max = X[1, :].min() - 1, X[1, :].max() + 1
        h = 0.01
        # Generate a grid of points with distance h between them
        xx, yy = np.meshgrid(np.arange(x_min, x_max, h), np.arange(y_min, y_max, h))
        # Predict the function value for the whole grid
        Z = model(np.c_[xx.ravel(), yy.ravel()])
        Z = Z.reshape(xx.shape)
        # Plot the contour and training examples
        plt.contourf(xx, yy, Z, cmap=plt.cm.Spectral)
        plt.ylabel('x2')
        plt.xlabel('x1')
        plt.scatter(X[0, :], X[1, :], c=y, cmap=plt.cm.Spectral)


    def sigmoid(x):
        s = 1/(1+np.exp(-x))
        return s


    def load_planar_dataset():
        np.random.seed(1)
        m = 400 # number of examples
        N = int(m/2) # number of points per class
        D = 2 # dimensionality
        X = np.zeros((m,D)) # data matrix where each row is a single example
        Y = np.zeros((m,1), dtype='uint8') # labels vector (0 for red, 1 for blue)
        a = 4 # maximum ray of the flower

        for j in range(2):
            ix = range(N*j,N*(j+1))
            t = np.linspace(j*3.12,(j+1)*3.12,N) + np.random.randn(N)*0.2 # theta
            r = a*np.sin(4*t) + np.random.randn(N)*0.2 # radius
            X[ix] = np.c_[r*np.sin(t), r*np.cos(t)]
            Y[ix] = j

        X = X.T
        Y = Y.T

        return X, Y


    def load_extra_datasets():
        N = 200
        noisy_circles = sklearn.datasets.make_circles(n_samples=N, factor=.5, noise=.3)
        noisy_moons = sklearn.datasets.make_moons(n_samples=N, noise=.2)
        blobs = sklearn.datasets.make_blobs(n_samples=N, random_state=5, n_features=2, centers=6)
        gaussian_quantiles = sklearn.datasets.make_gaussian_quantiles(mean=None, cov=0.5, n_samples=N, n_features=2, n_classes=2, shuffle=True, random_state=None)
        no_structure = np.random.rand(N, 2), np.random.rand(N, 2)

        return noisy_circles, noisy_moons, blobs, gaussian_quantiles, no_structure
    """


def build_w3a1_export(folder, marker_path):
    """``folder/W3A1/`` with the notebook exported by ``jupyter nbconvert --to script`` (and its helper
    files); returns (the .py path, {function: line of its def})."""
    base = os.path.join(str(folder), "W3A1")
    write(base, "planar_utils.py", PLANAR_UTILS)
    write(base, "testCases_v2.py", """
        import numpy as np


        def layer_sizes_test_case():
            np.random.seed(1)
            X_assess = np.random.randn(5, 3)
            Y_assess = np.random.randn(2, 3)
            return X_assess, Y_assess


        def initialize_parameters_test_case():
            n_x, n_h, n_y = 2, 4, 1
            return n_x, n_h, n_y


        def nn_model_test_case():
            np.random.seed(1)
            X_assess = np.random.randn(2, 3)
            Y_assess = (np.random.randn(1, 3) > 0)
            return X_assess, Y_assess
        """)
    write(base, "public_tests.py", """
        import numpy as np
        from numpy import array


        def layer_sizes_test(target):
            np.random.seed(1)
            X = np.random.randn(5, 3)
            Y = np.random.randn(2, 3)
            expected_output = (5, 4, 2)
            output = target(X, Y)
            assert type(output) == tuple, "Output must be a tuple"
            assert output == expected_output, f"Wrong result. Expected {expected_output} got {output}"
            print("\\033[92mAll tests passed!")
        """)
    parts = [
        "#!/usr/bin/env python\n# coding: utf-8\n\n"
        "# # Planar data classification with one hidden layer\n# \n"
        "# Welcome to your week 3 programming assignment! It's time to build your first neural network, "
        "which will have one hidden layer.\n\n",
        """
        # In[1]:


        # Package imports
        import numpy as np
        import copy
        import matplotlib.pyplot as plt
        from testCases_v2 import *
        from public_tests import *
        import sklearn
        import sklearn.datasets
        import sklearn.linear_model
        from planar_utils import plot_decision_boundary, sigmoid, load_planar_dataset, load_extra_datasets

        get_ipython().run_line_magic('matplotlib', 'inline')

        get_ipython().run_line_magic('load_ext', 'autoreload')
        get_ipython().run_line_magic('autoreload', '2')


        # ## 2 - Load the Dataset

        # In[2]:


        X, Y = load_planar_dataset()


        # In[3]:


        # Visualize the data:
        plt.scatter(X[0, :], X[1, :], c=Y, s=40, cmap=plt.cm.Spectral);


        # In[4]:


        # (≈ 3 lines of code)
        # shape_X = ...
        # shape_Y = ...
        # training set size
        # m = ...
        # YOUR CODE STARTS HERE
        shape_X = X.shape
        shape_Y = Y.shape
        m = X.shape[1]
        # YOUR CODE ENDS HERE

        print ('The shape of X is: ' + str(shape_X))
        print ('The shape of Y is: ' + str(shape_Y))
        print ('I have m = %d training examples!' % (m))


        # In[5]:


        # Train the logistic regression classifier
        clf = sklearn.linear_model.LogisticRegressionCV();
        clf.fit(X.T, Y.T);


        # In[6]:


        # Plot the decision boundary for logistic regression
        plot_decision_boundary(lambda x: clf.predict(x), X, Y)
        plt.title("Logistic Regression")

        # Print accuracy
        LR_predictions = clf.predict(X.T)
        print ('Accuracy of logistic regression: %d ' % float((np.dot(Y,LR_predictions) + np.dot(1-Y,1-LR_predictions))/float(Y.size)*100) +
               '% ' + "(percentage of correctly labelled datapoints)")

        """,
    ]
    count = 7
    for name in SHALLOW_GRADED:
        helper = function("shallow", "_xlogy") + "\n\n" if name == "compute_cost" else ""
        body = function("shallow", name)
        chunk = f"\n# In[{count}]:\n\n\n# GRADED FUNCTION: {name}\n\n{helper}{body}\n\n"
        chunk += f"# In[{count + 1}]:\n\n\n{name}_test({name})\n\n"
        count += 2
        parts.append(chunk)
    parts.append(textwrap.dedent(f"""
        # In[{count}]:


        # Build a model with a n_h-dimensional hidden layer
        open({marker_path!r}, "a").write("W3A1 training cell\\n")
        parameters = nn_model(X, Y, n_h = 4, num_iterations = 10000, print_cost=True)

        # Plot the decision boundary
        plot_decision_boundary(lambda x: predict(parameters, x.T), X, Y)
        plt.title("Decision Boundary for hidden layer size " + str(4))


        # In[{count + 1}]:


        # Print accuracy
        predictions = predict(parameters, X)
        print ('Accuracy: %d' % float((np.dot(Y, predictions.T) + np.dot(1 - Y, 1 - predictions.T)) / float(Y.size) * 100) + '%')


        # In[{count + 2}]:


        # This may take about 2 minutes to run

        plt.figure(figsize=(16, 32))
        hidden_layer_sizes = [1, 2, 3, 4, 5, 20, 50]

        for i, n_h in enumerate(hidden_layer_sizes):
            plt.subplot(5, 2, i+1)
            plt.title('Hidden Layer of size %d' % n_h)
            parameters = nn_model(X, Y, n_h, num_iterations = 5000)
            plot_decision_boundary(lambda x: predict(parameters, x.T), X, Y)
            predictions = predict(parameters, X)
            accuracy = float((np.dot(Y,predictions.T) + np.dot(1 - Y,1 - predictions.T)) / float(Y.size)*100)
            print ("Accuracy for {{}} hidden units: {{}} %".format(n_h, accuracy))


        # In[ ]:


        """) + _loud(marker_path, "W3A1 last cell"))
    text = parts[0] + textwrap.dedent(parts[1]) + "".join(parts[2:])
    path = os.path.join(base, "Planar_data_classification_with_one_hidden_layer.py")
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)
    compile(text, path, "exec")  # what nbconvert writes is Python
    lines = {}
    for number, line in enumerate(text.splitlines(), start=1):
        for name in SHALLOW_GRADED:
            if line.startswith(f"def {name}("):
                lines[name] = number
    return path, lines
