from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def course():
    from grader.host.course import load_course

    return load_course(ROOT)


def lesson_names():
    """Lesson names from course.toml, for parametrizing tests."""
    from grader.host.course import load_course

    return [lesson.name for lesson in load_course(ROOT).lessons]
