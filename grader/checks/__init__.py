"""Public checks: each catches one typical student mistake with a Korean message and a hint.

Every failing check raises AssertionError("무엇이 다른지 / 기대한 값 / 실제 값 / 힌트").
Importing this package starts recording `fit`/`evaluate`/`predict` calls (`fitlog`).
"""

from . import fitlog
from ._report import fail, passed, student_code
from .answers import answer, is_float, is_int, is_shape, to_numpy
from .kfold import averages_folds, cross_validates, is_lowest_epoch
from .losses import (compiled, loss, loss_fn_matches, loss_name, matches_task, optimizer,
                     trains)
from .models import (count_parameters, input_count, input_shape, is_model, keras_made, layer, layer_table, layers,
                     output_count, output_shape, param_count, same_structure)
from .plain import plain
from .numeric import close
from .reference import same_behaviour, same_layer, same_layers, same_model, same_wiring
from .spec import (compiled_with, defaults, early_stopping, epochs_near_best, fixed_in_one_place, held_out_last,
                   merge, metrics_named, names, new_each_call, optimizer_settings, probabilities, uses_input)
from .training import evaluated, same_compile, same_optimizer, trained_as

fitlog.install()

__all__ = [
    "answer", "averages_folds", "close", "compiled", "compiled_with", "count_parameters", "cross_validates",
    "defaults", "early_stopping", "epochs_near_best", "evaluated", "fail", "fitlog", "fixed_in_one_place",
    "held_out_last", "input_count", "input_shape", "is_float", "is_int", "is_lowest_epoch", "is_model",
    "is_shape", "keras_made", "layer", "layer_table", "layers", "loss", "loss_fn_matches", "loss_name",
    "matches_task", "merge", "metrics_named", "names", "new_each_call", "optimizer", "optimizer_settings",
    "output_count", "output_shape", "param_count", "passed", "plain", "probabilities", "same_behaviour",
    "same_compile", "same_layer", "same_layers", "same_model", "same_optimizer", "same_structure", "same_wiring",
    "student_code", "to_numpy", "trained_as", "trains", "uses_input",
]
