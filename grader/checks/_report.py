"""Korean failure messages shared by all checks."""


def fail(problem, expected, found, hint):
    """Raise an AssertionError that says what was expected, what was found and a hint."""
    __tracebackhide__ = True
    raise AssertionError(
        f"{problem}\n  기대한 값: {expected}\n  실제 값:   {found}\n  힌트: {hint}"
    )


def passed(label):
    """Print the line students see when every check in a cell passed."""
    print(f"✅ [{label}] 공개 검사를 모두 통과했습니다.")
