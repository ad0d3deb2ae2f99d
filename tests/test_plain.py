"""Student values are read as plain values before checks compare them (grader.checks.plain)."""

import keras
import numpy as np
import pytest

from grader import checks
from grader.checks.plain import plain, settle


class Shape(tuple):
    def __eq__(self, other):
        return True

    __hash__ = tuple.__hash__


class Count(int):
    def __eq__(self, other):
        return True

    def __int__(self):
        return 6464

    __hash__ = int.__hash__


class Text(str):
    def split(self, *args):
        return ["fake"]


class Agreeable(dict):
    def get(self, key, default=None):
        return "binary_crossentropy"


class Lying(np.ndarray):
    def __eq__(self, other):
        return np.ones(np.shape(self), bool)


def test_lying_subclasses_become_the_builtin_values_they_wrap():
    for value, want in [(Shape((None, 99)), (None, 99)), (Count(7), 7), (Text("a b"), "a b"),
                        (Agreeable(regression="mse"), {"regression": "mse"}), ([Count(1), Shape((2,))], [1, (2,)])]:
        found = plain(value)
        assert found == want and type(found) is type(want)
        assert not isinstance(found, (Shape, Count, Text, Agreeable))
    array = plain(np.arange(3.0).view(Lying))
    assert type(array) is np.ndarray and not np.array_equal(array, np.zeros(3))


def test_checks_see_through_them():
    with pytest.raises(AssertionError, match="shape_2의 값이 틀렸습니다"):
        checks.equals("shape_2", Shape((None, 99)), (None, 32), "")
    with pytest.raises(AssertionError, match="params_1의 값이 틀렸습니다"):
        checks.equals("params_1", Count(1), 6464, "")
    assert not checks.close(np.arange(3.0).view(Lying), np.zeros(3))
    assert settle(Shape((1,))) == (1,) and type(settle(Shape((1,)))) is tuple
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    assert settle(model) is model


def test_tensors_numbers_and_numpy_scalars_stay_what_they_are():
    assert plain(np.float32(1.5)) == 1.5 and type(plain(np.int64(3))) is np.int64
    assert np.array_equal(plain(keras.ops.convert_to_tensor([1.0, 2.0])), [1.0, 2.0])
    assert plain(True) is True and plain(None) is None and plain(2.5) == 2.5
    shape = np.shape(keras.ops.zeros((4, 3)))  # TensorShape: what np.shape returns for a tensor
    assert plain(shape) == (4, 3) and type(plain(shape)) is tuple


def test_a_tensorflow_shape_is_a_tuple():
    tensor = keras.ops.argmax(keras.ops.ones((5, 3)), axis=1)
    shape = np.shape(tensor)  # TensorShape with the TensorFlow backend, a tuple with the others
    assert plain(shape) == (5,) and type(plain(shape)) is tuple
    checks.equals("predicted_classes.shape", shape, (5,), "")


def test_objects_and_object_arrays_are_refused_with_a_korean_message():
    class Anything:
        def __array__(self, dtype=None, copy=None):
            return np.zeros(3)

    for value in (Anything(), np.array([Anything()], dtype=object)):
        with pytest.raises(AssertionError, match="검사할 수 없습니다|숫자가 아닙니다"):
            plain(value, "loss")
