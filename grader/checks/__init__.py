"""Public checks: each catches one typical student mistake with a Korean message and a hint. Kernel side: they run
in the student's kernel (Colab, and the sealed tests of a grading run).

Every failing check raises AssertionError("무엇이 다른지 / 기대한 값 / 실제 값 / 힌트"). A check is named by the claim
it makes (`has_input_shape`, `is_compiled`, `trained_as`); a function that returns a value by that value
(`parameter_count`, `loss_name`); see the naming rule in docs/authoring.md.
Importing this package starts recording `fit`/`evaluate`/`predict` calls (`fitlog`).
"""

from . import fitlog
from ._report import fail, passed, student_code
from .answers import equals, is_float, is_int, is_shape, to_numpy
from .kfold import averages_folds, cross_validates, is_lowest_epoch
from .losses import has_loss, has_optimizer, is_compiled, loss_fn_matches, loss_name, matches_task, trains
from .models import (has_input_count, has_input_shape, has_layers, has_output_count, has_output_shape,
                     has_parameter_count, is_layer, is_model, layer_table, parameter_count, same_structure)
from .numeric import close
from .plain import plain
from .reference import same_behaviour, same_layer, same_layers, same_model, same_wiring
from .spec import (compiled_with, fixed_in_one_place, has_metric_names, has_names, held_out_last, is_optimizer,
                   keeps_defaults, merges, new_model, outputs_probabilities, stopped_early, trained_near_best,
                   uses_input)
from .training import evaluated, same_compile, same_optimizer, trained_as

fitlog.install()

__all__ = [
    "averages_folds", "close", "compiled_with", "cross_validates", "equals", "evaluated", "fail", "fitlog",
    "fixed_in_one_place", "has_input_count", "has_input_shape", "has_layers", "has_loss", "has_metric_names",
    "has_names", "has_optimizer", "has_output_count", "has_output_shape", "has_parameter_count", "held_out_last",
    "is_compiled", "is_float", "is_int", "is_layer", "is_lowest_epoch", "is_model", "is_optimizer", "is_shape",
    "keeps_defaults", "layer_table", "loss_fn_matches", "loss_name", "matches_task", "merges", "new_model",
    "outputs_probabilities", "parameter_count", "passed", "plain", "same_behaviour", "same_compile", "same_layer",
    "same_layers", "same_model", "same_optimizer", "same_structure", "same_wiring", "stopped_early",
    "student_code", "to_numpy", "trained_as", "trained_near_best", "trains", "uses_input",
]
