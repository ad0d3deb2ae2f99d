"""Restore a trusted state inside the kernel before each graded test cell.

Graded notebooks call `snapshot()` before any student code and `restore()` right before every
test cell. `restore` undoes what a submission may do to make tests pass: replaced or patched
`grader` modules, patched Keras classes, replaced builtins, IPython handlers that swallow
exceptions. The guard cell imports this module afresh each time and the snapshot lives on `sys`,
so patching `grader` modules cannot disable it. It is a defence, not a sandbox: code in the same
process can still attack the snapshot itself, which is why `grader.host.suspicious` flags such code.
"""

import builtins
import sys

SNAPSHOT = "_grader_guard_snapshot"


def _classes():
    import keras

    return [keras.Model, keras.Sequential, keras.layers.Layer, keras.layers.Dense,
            keras.losses.Loss, keras.optimizers.Optimizer, keras.KerasTensor]


def snapshot():
    """Start recording fit calls, then remember Keras classes and builtins as they are before student code runs."""
    from grader.checks import fitlog

    fitlog.install()
    setattr(sys, SNAPSHOT, {"classes": {cls: dict(vars(cls)) for cls in _classes()},
                            "builtins": dict(vars(builtins))})


def _put_back(namespace, saved, drop_added=False):
    """Reset every saved attribute that was replaced; with drop_added, also remove new ones."""
    current = vars(namespace)
    for name, value in saved.items():
        if name not in current or current[name] is not value:
            setattr(namespace, name, value)
    if drop_added:
        for name in [n for n in current if n not in saved and n != "__annotations__"]:
            delattr(namespace, name)


def restore():
    """Put back the snapshot and make the next `from grader import ...` load fresh modules."""
    saved = getattr(sys, SNAPSHOT)
    for cls, attributes in saved["classes"].items():
        _put_back(cls, attributes, drop_added=True)
    _put_back(builtins, saved["builtins"])
    shell = getattr(builtins, "get_ipython", lambda: None)()
    if shell is not None:
        shell.set_custom_exc((), None)
    for name in [n for n in sys.modules if n.split(".")[0] == "grader"]:
        del sys.modules[name]
