"""Korean Keras course grader.

Students only import `grader.checks` (it needs nothing beyond keras and numpy), so Colab
can install this package with `--no-deps`. Instructor tools live in `grader.host.cli`.
"""

__version__ = "0.1.0"
