"""The mutation operators: each makes small changes, one at one place, to an answer's syntax tree.

An operator is a function (tree, kernel) -> iterator of (description, mutated tree). `kernel` is what the
lesson's kernel knows at the test cell (names, trained models, dicts, values; see runner.PROBE), or None when
listing without a kernel; the operators in NEEDS_KERNEL make nothing without it.
"""

import ast
import copy

# ---------------------------------------------------------------- AST helpers

def _name(func):
    """The last part of a called name: keras.layers.Dense -> 'Dense' ('' for Dense(4)(x))."""
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else ""


def _dotted(node):
    """'keras.ops.mean' for that attribute chain, '' for anything else."""
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value)
        return f"{base}.{node.attr}" if base else ""
    return node.id if isinstance(node, ast.Name) else ""


def _keyword(call, name):
    return next((k for k in call.keywords if k.arg == name), None)


def _expr(text):
    return ast.parse(text, mode="eval").body


def _number(value):
    """A tidy literal for a computed number: 0.1 * 10 -> 1.0, not 1.0000000000000002."""
    return int(value) if isinstance(value, int) else float(f"{value:.6g}")


def _constant(node, kinds):
    """The value of a constant node (a negative number included) when it is one of `kinds`."""
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        value = _constant(node.operand, kinds)
        return None if value is None else -value
    if isinstance(node, ast.Constant) and isinstance(node.value, kinds) and not isinstance(node.value, bool):
        return node.value
    return None


def _with_keyword(call, name, value):
    """A copy of `call` with keyword name=value (replacing one already there)."""
    call = copy.deepcopy(call)
    call.keywords = [k for k in call.keywords if k.arg != name] + [ast.keyword(name, value)]
    return call


def _replaced(tree, index, new):
    """A copy of `tree` with its index-th node (ast.walk order) replaced by `new` (None deletes it)."""
    tree = copy.deepcopy(tree)
    target = list(ast.walk(tree))[index]
    for parent in ast.walk(tree):
        for name, value in ast.iter_fields(parent):
            if value is target:
                setattr(parent, name, new)
                return tree
            if isinstance(value, list) and any(item is target for item in value):
                position = next(i for i, item in enumerate(value) if item is target)
                value[position:position + 1] = [] if new is None else [new]
                if not value and name == "body":
                    value.append(ast.Pass())
                return tree
    raise ValueError("node not found")


def _sites(tree, kinds, rewrite):
    """(description, mutated tree) for every node of `kinds` and every change `rewrite(node)` yields."""
    for index, node in enumerate(ast.walk(tree)):
        if isinstance(node, kinds):
            for description, new in rewrite(node) or ():
                yield f"{description} in line {node.lineno}", _replaced(tree, index, new)


def _calls(tree):
    return [node for node in ast.walk(tree) if isinstance(node, ast.Call)]


# ---------------------------------------------------------------- operators

ACTIVATIONS = {"relu": ["sigmoid", "linear"], "sigmoid": ["softmax", "relu", "linear"],
               "softmax": ["sigmoid", "linear"], "linear": ["relu"], None: ["relu"]}


def activation(tree, kernel):
    """Each Dense / Activation layer's activation: relu → sigmoid/linear, sigmoid → softmax/relu/linear..."""
    def rewrite(call):
        kind = _name(call.func)
        if kind not in ("Dense", "Activation"):
            return
        position = 1 if kind == "Dense" else 0
        given = _keyword(call, "activation")
        node = given.value if given else (call.args[position] if len(call.args) > position else None)
        if node is None:
            current = None
        elif isinstance(node, ast.Constant) and (node.value is None or isinstance(node.value, str)):
            current = node.value
        elif isinstance(node, ast.Attribute):
            current = node.attr
        else:
            return
        for new in ACTIVATIONS.get(current, []):
            changed = copy.deepcopy(call)
            if given or node is None:
                changed = _with_keyword(call, "activation", ast.Constant(new))
            else:
                changed.args[position] = ast.Constant(new)
            yield f"{kind} activation {current} → {new}", changed
    return _sites(tree, ast.Call, rewrite)


def _units_node(call):
    given = _keyword(call, "units")
    return given.value if given else (call.args[0] if call.args else None)


def units(tree, kernel):
    """The units of each Dense layer: ×2 and +1."""
    def rewrite(node):
        if not (isinstance(node, ast.Call) and _name(node.func) == "Dense"):
            return
        value = _constant(_units_node(node), int) if _units_node(node) is not None else None
        if value is None:
            return
        for new in (value * 2, value + 1):
            changed = copy.deepcopy(node)
            if _keyword(changed, "units"):
                changed = _with_keyword(node, "units", ast.Constant(new))
            else:
                changed.args[0] = ast.Constant(new)
            yield f"Dense({value} → {new})", changed
    return _sites(tree, ast.Call, rewrite)


def use_bias(tree, kernel):
    """use_bias=False added to each Dense layer."""
    def rewrite(call):
        if _name(call.func) == "Dense" and not _keyword(call, "use_bias"):
            yield "Dense use_bias=False", _with_keyword(call, "use_bias", ast.Constant(False))
    return _sites(tree, ast.Call, rewrite)


OPTIMIZERS = {"rmsprop": ("RMSprop", 0.001), "adam": ("Adam", 0.001), "sgd": ("SGD", 0.01)}


def _optimizer_string(node):
    """The optimizer name when `node` is a string given as an optimizer ('rmsprop'), else None."""
    if isinstance(node, ast.keyword) and node.arg == "optimizer":
        value = node.value
        if isinstance(value, ast.Constant) and isinstance(value.value, str) and value.value.lower() in OPTIMIZERS:
            return value.value.lower()
    return None


def learning_rate(tree, kernel):
    """learning_rate ×10 and ÷10 (keywords, `learning_rate = ...`); 'rmsprop' → RMSprop(learning_rate=default×10)."""
    def keyword(node):
        value = _constant(node.value, (int, float))
        if node.arg == "learning_rate" and value is not None:
            for new, how in ((value * 10, "×10"), (value / 10, "÷10")):
                yield f"learning_rate {value} {how}", ast.keyword("learning_rate", ast.Constant(_number(new)))
        name = _optimizer_string(node)
        if name:
            cls, default = OPTIMIZERS[name]
            new = _expr(f"keras.optimizers.{cls}(learning_rate={_number(default * 10)})")
            yield f"'{name}' → {cls}(learning_rate={_number(default * 10)})", ast.keyword("optimizer", new)

    def assignment(node):
        value = _constant(node.value, (int, float))
        names = [t.id for t in node.targets if isinstance(t, ast.Name)]
        if value is not None and any("learning_rate" in n or n == "lr" for n in names):
            for new, how in ((value * 10, "×10"), (value / 10, "÷10")):
                yield f"{names[0]} = {value} {how}", ast.Assign(node.targets, ast.Constant(_number(new)))
    yield from _sites(tree, ast.keyword, keyword)
    yield from _sites(tree, ast.Assign, assignment)


SWAPPED_OPTIMIZERS = {"rmsprop": "adam", "adam": "rmsprop", "sgd": "adam",
                      "RMSprop": "Adam", "Adam": "RMSprop", "SGD": "Adam"}


def optimizer(tree, kernel):
    """The optimizer class: rmsprop ↔ adam, sgd → adam (strings and classes)."""
    def keyword(node):
        name = _optimizer_string(node)
        if name:
            yield f"optimizer '{name}' → '{SWAPPED_OPTIMIZERS[name]}'", ast.keyword(
                "optimizer", ast.Constant(SWAPPED_OPTIMIZERS[name]))

    def call(node):
        name = _name(node.func)
        if name in ("RMSprop", "Adam", "SGD") and isinstance(node.func, (ast.Attribute, ast.Name)):
            changed = copy.deepcopy(node)
            if isinstance(changed.func, ast.Attribute):
                changed.func.attr = SWAPPED_OPTIMIZERS[name]
            else:
                changed.func.id = SWAPPED_OPTIMIZERS[name]
            yield f"{name} → {SWAPPED_OPTIMIZERS[name]}", changed
    yield from _sites(tree, ast.keyword, keyword)
    yield from _sites(tree, ast.Call, call)


FAMILY_OF = {"binary_crossentropy": "binary", "categorical_crossentropy": "categorical",
             "sparse_categorical_crossentropy": "sparse", "mean_squared_error": "mse", "mse": "mse",
             "mean_absolute_error": "mae", "mae": "mae"}
FAMILIES = ("binary", "categorical", "sparse", "mse", "mae")
STRING = {"binary": "binary_crossentropy", "categorical": "categorical_crossentropy",
          "sparse": "sparse_categorical_crossentropy", "mse": "mean_squared_error", "mae": "mean_absolute_error"}
CLASS = {"binary": "BinaryCrossentropy", "categorical": "CategoricalCrossentropy",
         "sparse": "SparseCategoricalCrossentropy", "mse": "MeanSquaredError", "mae": "MeanAbsoluteError"}
FAMILY_OF_CLASS = {cls: family for family, cls in CLASS.items()}
LOGITS = ("BinaryCrossentropy", "CategoricalCrossentropy", "SparseCategoricalCrossentropy")


def _loss_strings(tree):
    """Ids of the string constants passed as `loss=` (alone, in a list or as the values of a dict)."""
    found = set()
    for call in _calls(tree):
        given = _keyword(call, "loss")
        if given:
            value = given.value
            for node in [value, *getattr(value, "values", []), *getattr(value, "elts", [])]:
                if isinstance(node, ast.Constant) and node.value in FAMILY_OF:
                    found.add(id(node))
    return found


def from_logits(tree, kernel):
    """from_logits=True on crossentropy Loss objects; a string loss → its Loss class with from_logits=True."""
    strings = _loss_strings(tree)

    def rewrite(node):
        if isinstance(node, ast.Call) and _name(node.func) in LOGITS:
            yield f"{_name(node.func)}(from_logits=True)", _with_keyword(node, "from_logits", ast.Constant(True))
        elif id(node) in strings and CLASS[FAMILY_OF[node.value]] in LOGITS:
            cls = CLASS[FAMILY_OF[node.value]]
            yield f"'{node.value}' → {cls}(from_logits=True)", _expr(f"keras.losses.{cls}(from_logits=True)")
    return _sites(tree, (ast.Call, ast.Constant), rewrite)


def loss_family(tree, kernel):
    """The loss swapped among binary / categorical / sparse categorical crossentropy, mse, mae."""
    def rewrite(node):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in FAMILY_OF:
            short = node.value in ("mse", "mae")
            for family in FAMILIES:
                if family != FAMILY_OF[node.value]:
                    new = family if short and family in ("mse", "mae") else STRING[family]
                    yield f"loss '{node.value}' → '{new}'", ast.Constant(new)
        elif isinstance(node, ast.Attribute) and "losses" in _dotted(node):
            family = FAMILY_OF.get(node.attr) or FAMILY_OF_CLASS.get(node.attr)
            table = CLASS if node.attr in FAMILY_OF_CLASS else STRING
            for other in FAMILIES:
                if family and other != family:
                    yield f"{node.attr} → {table[other]}", ast.Attribute(node.value, table[other], ast.Load())
    return _sites(tree, (ast.Constant, ast.Attribute), rewrite)


MEANS = {"np.mean": "np.sum", "numpy.mean": "numpy.sum", "ops.mean": "ops.sum", "keras.ops.mean": "keras.ops.sum",
         "tf.reduce_mean": "tf.reduce_sum", "tf.math.reduce_mean": "tf.math.reduce_sum"}


def reduction(tree, kernel):
    """Loss objects with reduction='sum'; mean → sum in hand-written losses (np / ops / tf)."""
    def rewrite(call):
        name, dotted = _name(call.func), _dotted(call.func)
        if name in FAMILY_OF_CLASS and not _keyword(call, "reduction"):
            yield f"{name}(reduction='sum')", _with_keyword(call, "reduction", ast.Constant("sum"))
        if dotted in MEANS:
            changed = copy.deepcopy(call)
            changed.func = _expr(MEANS[dotted])
            yield f"{dotted} → {MEANS[dotted]}", changed
    return _sites(tree, ast.Call, rewrite)


def epsilon(tree, kernel):
    """Small constants (1e-7) → 1e-2; a clip(...) dropped (its first argument alone)."""
    def rewrite(node):
        if isinstance(node, ast.Constant) and isinstance(node.value, float) and 0 < abs(node.value) < 1e-3:
            yield f"epsilon {node.value} → 0.01", ast.Constant(0.01)
        if isinstance(node, ast.Call) and _name(node.func) in ("clip", "clip_by_value") and node.args:
            yield f"{_dotted(node.func) or 'clip'}(...) dropped", copy.deepcopy(node.args[0])
    return _sites(tree, (ast.Constant, ast.Call), rewrite)


def _input_list(call):
    """The list of inputs given to keras.Model(...), or None."""
    given = _keyword(call, "inputs")
    node = given.value if given else (call.args[0] if call.args else None)
    return node if isinstance(node, ast.List) and len(node.elts) > 1 else None


def input_order(tree, kernel):
    """The list of inputs of keras.Model(inputs=[...]) reversed, or two neighbours swapped."""
    def rewrite(node):
        if not (isinstance(node, ast.List) and any(_input_list(c) is node for c in models)):
            return
        names = [ast.unparse(e) for e in node.elts]
        orders = [list(reversed(range(len(names))))]
        orders += [[*range(i), i + 1, i, *range(i + 2, len(names))] for i in range(len(names) - 1)]
        for order in orders:
            yield f"inputs [{', '.join(names[i] for i in order)}]", ast.List(
                [copy.deepcopy(node.elts[i]) for i in order], ast.Load())
    models = [c for c in _calls(tree) if _name(c.func) == "Model"]
    return _sites(tree, ast.List, rewrite)


def _input_names(tree):
    """Names assigned from keras.Input(...) in the answer."""
    return [t.id for node in ast.walk(tree) if isinstance(node, ast.Assign)
            and isinstance(node.value, ast.Call) and _name(node.value.func) == "Input"
            for t in node.targets if isinstance(t, ast.Name)]


def unused_input(tree, kernel):
    """An Input variable passed to a layer replaced by another Input variable (one input left unused)."""
    inputs = _input_names(tree)
    skip = {id(e) for c in _calls(tree) if _name(c.func) == "Model" for e in ast.walk(c)}
    arguments = {id(a) for c in _calls(tree) for a in c.args}
    arguments |= {id(e) for c in _calls(tree) for a in c.args if isinstance(a, ast.List) for e in a.elts}

    def rewrite(node):
        if node.id in inputs and id(node) in arguments and id(node) not in skip:
            for other in inputs:
                if other != node.id:
                    yield f"input {node.id} → {other}", ast.Name(other, ast.Load())
    return _sites(tree, ast.Name, rewrite)


def _merged_list(call):
    """The list given to concatenate([...]) / Concatenate()([...]) / Add()([...]) (not numpy's)."""
    name, dotted = _name(call.func), _dotted(call.func)
    layer_call = isinstance(call.func, ast.Call) and _name(call.func.func) in ("Concatenate", "Add")
    function = name in ("concatenate", "add") and not dotted.startswith(("np.", "numpy."))
    first = call.args[0] if call.args else None
    if (layer_call or function) and isinstance(first, ast.List) and len(first.elts) > 1:
        return first
    return None


def concat_order(tree, kernel):
    """The list merged by Concatenate / Add / concatenate reversed."""
    def rewrite(call):
        merged = _merged_list(call)
        if merged is not None:
            changed = copy.deepcopy(call)
            changed.args[0].elts.reverse()
            yield f"{ast.unparse(call.func)} order reversed", changed
    return _sites(tree, ast.Call, rewrite)


def epochs(tree, kernel):
    """epochs +1 and ×2; batch_size ×2."""
    def rewrite(node):
        value = _constant(node.value, int)
        if value is None:
            return
        if node.arg == "epochs":
            for new in (value + 1, value * 2):
                yield f"epochs {value} → {new}", ast.keyword("epochs", ast.Constant(new))
        if node.arg == "batch_size":
            yield f"batch_size {value} → {value * 2}", ast.keyword("batch_size", ast.Constant(value * 2))
    return _sites(tree, ast.keyword, rewrite)


def _is_fresh_model(node):
    name = _name(node.func) if isinstance(node, ast.Call) else ""
    return name in ("Sequential", "Model") or name.startswith("build")


def trained_model(tree, kernel):
    """`model = build_model()` (or Sequential / Model) → a model the kernel has already trained."""
    def rewrite(node):
        if len(node.targets) == 1 and isinstance(node.targets[0], ast.Name) and _is_fresh_model(node.value):
            for other in kernel["trained"][:3]:
                yield f"fresh {node.targets[0].id} → trained {other}", ast.Assign(
                    node.targets, ast.Name(other, ast.Load()))
    return _sites(tree, ast.Assign, rewrite) if kernel else ()


def _half(node, kernel):
    text = ast.unparse(node)
    if kernel and isinstance(node, ast.Name) and node.id in kernel["dicts"]:
        return _expr(f"{{k: v[:len(v) // 2] for k, v in {text}.items()}}")
    return _expr(f"{text}[:len({text}) // 2]")


def train_subset(tree, kernel):
    """.fit(x, y, ...) → .fit(x[:len(x) // 2], y[:len(y) // 2], ...) (each value of a dict halved)."""
    def rewrite(call):
        if isinstance(call.func, ast.Attribute) and call.func.attr == "fit" and len(call.args) >= 2:
            changed = copy.deepcopy(call)
            changed.args[:2] = [_half(a, kernel) for a in call.args[:2]]
            yield "fit on half of the training data", changed
    return _sites(tree, ast.Call, rewrite)


class _Renamed(ast.NodeTransformer):
    def __init__(self, names):
        self.names = names

    def visit_Name(self, node):
        return ast.Name(self.names[node.id], node.ctx) if node.id in self.names else node


def val_test(tree, kernel):
    """In one statement, the validation data → the test data (x_val → x_test); partial_x_train → x_train."""
    def rewrite(statement):
        if hasattr(statement, "body"):
            return
        used = {n.id for n in ast.walk(statement) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
        for change in (lambda name: name.replace("val", "test"), lambda name: name.removeprefix("partial_")):
            names = {n: change(n) for n in sorted(used) if change(n) != n and change(n) in kernel["names"]}
            if names:
                text = ", ".join(f"{old} → {new}" for old, new in names.items())
                yield text, _Renamed(names).visit(copy.deepcopy(statement))
    return _sites(tree, ast.stmt, rewrite) if kernel else ()


def _loop_slices(tree):
    """{source text: Slice} of the slices inside loops; equal slices (x[a:b], y[a:b]) share one entry."""
    loops = [loop for loop in ast.walk(tree) if isinstance(loop, (ast.For, ast.While))]
    found = {}
    for node in sorted((n for loop in loops for n in ast.walk(loop) if isinstance(n, ast.Slice)),
                       key=lambda n: (n.lineno, n.col_offset)):
        found.setdefault(ast.unparse(node), node)
    return found


def _slice_changes(node, counters):
    """(description, new Slice): upper + 1, upper + the fold size, lower + 1."""
    sizes = sorted({part.id for bound in (node.lower, node.upper) if bound
                    for mul in ast.walk(bound) if isinstance(mul, ast.BinOp) and isinstance(mul.op, ast.Mult)
                    for part in (mul.left, mul.right) if isinstance(part, ast.Name)} - counters)
    if node.upper:
        for extra in ["1", *sizes]:
            yield f"upper + {extra}", ast.Slice(copy.deepcopy(node.lower),
                                                _expr(f"({ast.unparse(node.upper)}) + {extra}"), None)
    lower = f"({ast.unparse(node.lower)}) + 1" if node.lower else "1"
    yield "lower + 1", ast.Slice(_expr(lower), copy.deepcopy(node.upper), None)


def kfold_slices(tree, kernel):
    """Fold slices in a loop shifted (upper + 1, upper + the fold size, lower + 1): data and targets alike."""
    counters = {n.id for loop in ast.walk(tree) if isinstance(loop, ast.For) for n in ast.walk(loop.target)
                if isinstance(n, ast.Name)}
    for text, node in _loop_slices(tree).items():
        for how, new in _slice_changes(node, counters):
            mutated = copy.deepcopy(tree)
            places = [s for s in ast.walk(mutated) if isinstance(s, ast.Subscript)
                      and isinstance(s.slice, ast.Slice) and ast.unparse(s.slice) == text]
            for subscript in places:
                subscript.slice = copy.deepcopy(new)
            yield f"slice [{text}] {how} ({len(places)} places) in line {node.lineno}", mutated


def _round3(value):
    """The value rounded to 3 significant digits (tuples element by element)."""
    if isinstance(value, list):
        return tuple(_round3(v) for v in value)
    if value is None:
        return None
    rounded = float(f"{value:.3g}")
    return int(rounded) if isinstance(value, int) else rounded


def assignments(tree):
    """(statement, name) for each name a top-level assignment sets: `a = ...` and `a, b = ...`."""
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            for part in target.elts if isinstance(target, ast.Tuple) else [target]:
                if isinstance(part, ast.Name):
                    yield node, part.id


def literal(tree, kernel):
    """A computed value replaced by its literal: `name = <value, 3 significant digits>` appended."""
    if not kernel:
        return
    for node, name in assignments(tree):
        try:
            ast.literal_eval(node.value)
            continue  # already a literal
        except (ValueError, TypeError, SyntaxError):
            pass
        value = kernel["values"].get(name)
        if value is None or _round3(value) == (tuple(value) if isinstance(value, list) else value):
            continue  # not a number, or the literal would be the exact value
        mutated = copy.deepcopy(tree)
        mutated.body.append(ast.parse(f"{name} = {_round3(value)!r}").body[0])
        yield f"{name} = {_round3(value)!r} (literal) after line {mutated.body[-2].end_lineno}", mutated


SWAPPED_BINOPS = {ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div, ast.Div: ast.Mult}
SYMBOL = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/"}


def arithmetic(tree, kernel):
    """+ ↔ -, * ↔ /."""
    def rewrite(node):
        new = SWAPPED_BINOPS.get(type(node.op))
        if new:
            yield f"{SYMBOL[type(node.op)]} → {SYMBOL[new]}", ast.BinOp(
                copy.deepcopy(node.left), new(), copy.deepcopy(node.right))
    return _sites(tree, ast.BinOp, rewrite)


FLIPPED = {ast.Lt: ast.GtE, ast.GtE: ast.Lt, ast.Gt: ast.LtE, ast.LtE: ast.Gt, ast.Eq: ast.NotEq,
           ast.NotEq: ast.Eq, ast.Is: ast.IsNot, ast.IsNot: ast.Is, ast.In: ast.NotIn, ast.NotIn: ast.In}


def comparison(tree, kernel):
    """A comparison negated (< → >=, == → != ...)."""
    def rewrite(node):
        if len(node.ops) == 1:
            changed = copy.deepcopy(node)
            changed.ops = [FLIPPED[type(node.ops[0])]()]
            yield f"{type(node.ops[0]).__name__} → {type(changed.ops[0]).__name__}", changed
    return _sites(tree, ast.Compare, rewrite)


def integer(tree, kernel):
    """An integer constant +1 and -1 (not verbose=...)."""
    quiet = {id(k.value) for node in ast.walk(tree) for k in getattr(node, "keywords", []) if k.arg == "verbose"}

    def rewrite(node):
        if _constant(node, int) is not None and id(node) not in quiet:
            for new in (node.value + 1, node.value - 1):
                yield f"{node.value} → {new}", ast.Constant(new)
    return _sites(tree, ast.Constant, rewrite)


def real(tree, kernel):
    """A float constant (not a small epsilon) +1 and -1."""
    def rewrite(node):
        value = _constant(node, float)
        if value is not None and not 0 < abs(value) < 1e-3:
            for new in (value + 1, value - 1):
                yield f"{node.value} → {_number(new)}", ast.Constant(_number(new))
    return _sites(tree, ast.Constant, rewrite)


EXTREMA = {"argmax": "argmin", "argmin": "argmax", "max": "min", "min": "max", "maximum": "minimum",
           "minimum": "maximum", "reduce_max": "reduce_min", "reduce_min": "reduce_max"}


def extremum(tree, kernel):
    """argmax ↔ argmin, max ↔ min, maximum ↔ minimum (np. / ops. / tf. functions and methods)."""
    def rewrite(node):
        if node.attr in EXTREMA:
            yield f"{node.attr} → {EXTREMA[node.attr]}", ast.Attribute(
                copy.deepcopy(node.value), EXTREMA[node.attr], node.ctx)
    return _sites(tree, ast.Attribute, rewrite)


def axis(tree, kernel):
    """axis=-1 → axis=0 (axis=0 → -1, other axes → 0)."""
    def rewrite(node):
        value = _constant(node.value, int)
        if node.arg == "axis" and value is not None:
            new = -1 if value == 0 else 0
            yield f"axis={value} → axis={new}", ast.keyword("axis", ast.Constant(new))
    return _sites(tree, ast.keyword, rewrite)


def dropped(tree, kernel):
    """One statement that is not an assignment (a call such as .fit(...) or .compile(...)) deleted."""
    def rewrite(node):
        if not (isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)):
            yield f"'{ast.unparse(node)[:40]}' deleted", None
    return _sites(tree, ast.Expr, rewrite)


OPERATORS = [activation, units, use_bias, learning_rate, optimizer, from_logits, loss_family, reduction,
             epsilon, input_order, unused_input, concat_order, epochs, trained_model, train_subset, val_test,
             kfold_slices, literal, arithmetic, comparison, integer, real, extremum, axis, dropped]
NEEDS_KERNEL = {"trained_model", "val_test", "literal"}
