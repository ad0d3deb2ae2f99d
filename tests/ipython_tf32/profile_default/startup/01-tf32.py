# Emulate TF32 matrix products on the CPU, as Colab's A100/L4 GPUs compute float32 matmuls by default:
# both operands are rounded to a 10-bit mantissa (TF32), products are accumulated in float32.
# Patched at the Keras backend, so Dense layers, keras.ops.matmul and code traced inside fit all use it.
import tensorflow as tf
from keras.src.backend.tensorflow import numpy as _backend_numpy

_exact_matmul = _backend_numpy.matmul


def _to_tf32(x):
    x = tf.convert_to_tensor(x)
    if x.dtype != tf.float32:
        return x
    bits = tf.bitcast(x, tf.int32)
    rounded = tf.bitcast(tf.bitwise.bitwise_and(bits + 0x1000, tf.constant(-0x2000, tf.int32)), tf.float32)
    return x + tf.stop_gradient(rounded - x)  # the rounded value forward, gradients pass straight through


def _tf32_matmul(x1, x2):
    return _exact_matmul(_to_tf32(x1), _to_tf32(x2))


_backend_numpy.matmul = _tf32_matmul
