"""Builders of real-looking learner code for tests/test_real_code.py.

Each builder writes, into a folder it is given (a pytest ``tmp_path``), code laid out the way it
is found in the wild: course notebooks as downloaded beside their helper files, an nbconvert
export, the book's repository tree, a learner's one-function-per-file folder. The learner's code
itself is the correct course-style implementation of tests/targets/course_style/, taken function
by function from those files (:func:`real_code.sources.function`), so that any failure is about
how the harness reads the code, never about the code.
"""
