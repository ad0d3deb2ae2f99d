"""A trusted picture of the kernel's libraries, taken before any student code runs, and putting it back.

`take()` remembers, for every loaded module of the libraries the checks rely on (numpy, keras, tensorflow, the
standard modules they use, builtins, grader), the function, class or module each of its names is bound to, and
the attributes of every class those modules define; also `sys.modules` entries, `gc.callbacks`,
the signal handlers and the trace/profile functions. The returned `restore()` puts back whatever a submission
replaced since and names each piece it put back ("numpy.allclose", "keras.Model.fit", "sys.settrace", ...).

Data bindings (counters, caches, lazily built state) are not pictured: libraries change those legitimately.
Like the audit hook, the functions returned here bind every builtin they use when `take()` runs, so that
patching `builtins` later cannot change what they do.
"""

from __future__ import annotations

import gc
import operator
import signal
import sys
import threading
import types
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    Bindings = tuple[tuple[str, ...], tuple[Any, ...]]  # (names, the values bound to them then)

# Top-level packages whose modules are protected: what the checks and the hidden tests call into.
PROTECTED = frozenset({
    "numpy", "keras", "tensorflow", "ml_dtypes", "optree", "h5py", "grader",
    "builtins", "sys", "os", "posixpath", "math", "operator", "functools", "itertools", "contextlib", "collections",
    "types", "copy", "inspect", "abc", "re", "json", "warnings", "traceback", "linecache", "importlib", "dataclasses",
    "weakref", "io", "gc", "signal", "threading", "hashlib", "hmac", "binascii", "struct", "random", "statistics",
})
# Classes whose new attributes are removed too (not only replaced ones): the ones checks read most.
CORE_CLASSES = ("Model", "Sequential", "Layer", "Dense", "Loss", "Optimizer", "KerasTensor", "Functional")


def take() -> Callable[[], list[str]]:
    """Picture the kernel now; return `restore()` (see the module docstring)."""
    is_instance, is_callable, to_type, get_vars, items, to_list = isinstance, callable, type, vars, dict.items, list
    module_type, method_type, the_modules, get_signal, set_signal = types.ModuleType, types.MethodType, sys.modules, \
        signal.getsignal, signal.signal
    settrace, setprofile, gettrace, getprofile = sys.settrace, sys.setprofile, sys.gettrace, sys.getprofile
    thread_settrace, thread_setprofile, set_attribute, delete_attribute = threading.settrace, threading.setprofile, \
        setattr, delattr
    length, every, pair, mapped, identical, missing = len, all, zip, map, operator.is_, object()

    def bindings(namespace: dict[str, Any]) -> Bindings:
        """(names, values) of the functions, classes and modules bound in a namespace. Lazy loaders (module
        subclasses that replace themselves with the module they load) are left out."""
        picture = {name: value for name, value in items(namespace)
                   if (is_callable(value) and not is_instance(value, module_type)) or to_type(value) is module_type}
        return tuple(picture), tuple(picture.values())

    # one pass in C, comparing by identity only (no student __eq__ runs)
    def unchanged(get: Callable[[str], object], names: tuple[str, ...], values: tuple[object, ...]) -> bool:
        return every(mapped(identical, values, mapped(get, names)))

    def bindings_of_class(cls: type) -> Bindings:
        """(names, values) of every attribute of a class."""
        attributes = dict(get_vars(cls))
        return tuple(attributes), tuple(attributes.values())

    modules: dict[str, tuple[types.ModuleType, dict[str, Any], tuple[str, ...], tuple[Any, ...]]] = {}
    classes: dict[type, Bindings] = {}
    for name, module in to_list(the_modules.items()):
        if module is None or name.partition(".")[0] not in PROTECTED:
            continue
        namespace: Any = getattr(module, "__dict__", None)
        if not is_instance(namespace, dict):
            continue
        modules[name] = (module, namespace, *bindings(namespace))
        for value in to_list(namespace.values()):
            if (is_instance(value, type) and value not in classes
                    and str(getattr(value, "__module__", "")).partition(".")[0] in PROTECTED):
                classes[value] = bindings_of_class(value)
    core = {cls for cls in classes if cls.__name__ in CORE_CLASSES and cls.__module__.startswith("keras")}
    names = {cls: f"{cls.__module__}.{cls.__qualname__}" for cls in classes}  # what a class was called then
    listed = ((gc.callbacks, to_list(gc.callbacks), "gc.callbacks"),)
    get_timer, set_timer, real_timer = signal.getitimer, signal.setitimer, signal.ITIMER_REAL
    signals = {number: get_signal(number) for number in signal.valid_signals()
               if number not in (signal.SIGKILL, signal.SIGSTOP)}

    def same(found: Any, saved: Any) -> bool:
        if found is saved:
            return True
        # bound methods are made anew on every access (ipykernel rebinds builtins.input each cell)
        return (to_type(found) is method_type and to_type(saved) is method_type
                and found.__func__ is saved.__func__ and found.__self__ is saved.__self__)

    def put_back_modules(changed: list[str]) -> None:
        for name, (module, namespace, keys, values) in items(modules):
            if the_modules.get(name) is not module:
                the_modules[name] = module
                changed.append(f"sys.modules[{name!r}]")
            if unchanged(namespace.get, keys, values):
                continue
            for key, value in pair(keys, values):
                if not same(namespace.get(key, missing), value):
                    namespace[key] = value
                    changed.append(f"{name}.{key}")

    def put_back_classes(changed: list[str]) -> None:
        for cls, (keys, values) in items(classes):
            current = get_vars(cls)
            if unchanged(current.get, keys, values) and (cls not in core or length(current) == length(keys)):
                continue
            for key, value in pair(keys, values):
                if not same(current.get(key, missing), value):
                    set_attribute(cls, key, value)
                    changed.append(f"{names[cls]}.{key}")
            if cls in core:
                for key in [k for k in current if k not in keys and k != "__annotations__"]:
                    delete_attribute(cls, key)
                    changed.append(f"{names[cls]}.{key}")

    def put_back_interpreter(changed: list[str]) -> None:
        if gettrace() is not None or getprofile() is not None:
            changed.append("sys.settrace/setprofile")
        settrace(None)
        setprofile(None)
        thread_settrace(None)
        thread_setprofile(None)
        for current, saved, name in listed:
            if length(current) != length(saved) or not every(a is b for a, b in pair(current, saved)):
                current[:] = saved
                changed.append(name)
        for number, handler in items(signals):
            if get_signal(number) is not handler:
                if handler is not None:  # None: installed outside Python, nothing to put back
                    set_signal(number, handler)
                changed.append(f"signal {number}")
        if get_timer(real_timer) != (0.0, 0.0):
            set_timer(real_timer, 0)
            changed.append("signal.setitimer")

    def restore() -> list[str]:
        """Put everything back; the names of what had been changed."""
        changed: list[str] = []
        put_back_modules(changed)
        put_back_classes(changed)
        put_back_interpreter(changed)
        return changed

    return restore

