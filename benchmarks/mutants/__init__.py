"""The mutation harness (`python -m benchmarks.mutants`, `make mutants`; see __main__.py for what it measures).

operators    the mutation operators: small changes to an answer's syntax tree
mutant       a Mutant and its verdict, a lesson's results, tallies
runner       judging in a kernel (and `confirm`: grading a few through `grader grade`)
equivalents  benchmarks/equivalent.toml: the survivors the task text allows
report       what a run prints, and the summary benchmarks/RESULTS.md records
__main__     the command line
"""
