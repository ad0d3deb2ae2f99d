"""Restore a trusted state inside the kernel before each graded test cell.

Graded notebooks call `snapshot()` before any student code and `restore()` right before every
test cell. `restore` undoes what a submission may do to make tests pass: replaced or patched
`grader` modules, patched Keras classes, replaced builtins, IPython handlers that swallow
exceptions. It is a defence, not a sandbox: code in the same process can still attack the
guard itself, which is why `grader.suspicious` flags such code for the instructor.
"""

import builtins
import sys

_saved = {}


def _classes():
    import keras

    return [keras.Model, keras.Sequential, keras.layers.Layer, keras.layers.Dense,
            keras.losses.Loss, keras.optimizers.Optimizer, keras.KerasTensor]


def snapshot():
    """Remember Keras classes and builtins as they are before student code runs."""
    _saved["classes"] = {cls: dict(vars(cls)) for cls in _classes()}
    _saved["builtins"] = dict(vars(builtins))


def _put_back(namespace, saved):
    """Reset every saved attribute that was replaced (attributes Keras adds later stay)."""
    current = vars(namespace)
    for name, value in saved.items():
        if name not in current or current[name] is not value:
            setattr(namespace, name, value)


def restore():
    """Put back the snapshot and make the next `from grader import ...` load fresh modules."""
    for cls, saved in _saved["classes"].items():
        _put_back(cls, saved)
    _put_back(builtins, _saved["builtins"])
    shell = getattr(builtins, "get_ipython", lambda: None)()
    if shell is not None:
        shell.set_custom_exc((), None)
    for name in [n for n in sys.modules if n == "grader" or n.startswith("grader.")]:
        if name != __name__:
            del sys.modules[name]
