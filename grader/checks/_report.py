"""Korean failure messages shared by all checks."""

from contextlib import contextmanager


def fail(problem, expected, found, hint):
    """Raise an AssertionError that says what was expected, what was found and a hint."""
    __tracebackhide__ = True
    raise AssertionError(
        f"{problem}\n  기대한 값: {expected}\n  실제 값:   {found}\n  힌트: {hint}"
    )


@contextmanager
def student_code(problem, expected, hint):
    """Run a block that calls student code; an error in it becomes a failure naming the error."""
    __tracebackhide__ = True
    try:
        yield
    except Exception as error:  # the student's code may raise anything
        fail(problem, expected, f"{type(error).__name__}: {error}", hint)


def passed(label):
    """Print the line students see when every check in a cell passed."""
    print(f"✅ [{label}] 공개 검사를 모두 통과했습니다.")
