"""Command line for instructors: `grader release` and `grader grade`."""

import argparse
import sys

from .course import load_course

_STATUS = {
    "written": "새로 만들었습니다 (written)",
    "unchanged": "변경 없음 (unchanged)",
    "stale": "solutions/와 다릅니다 — `grader release`를 실행하세요 (stale)",
    "invalid": "원본 노트북 형식 오류 (invalid solution notebook)",
}


def _release(args):
    from .release import release_lesson

    course = load_course(args.course)
    lessons = [course.lesson(name) for name in args.lessons] if args.lessons else course.lessons
    failed = False
    for lesson in lessons:
        result = release_lesson(course, lesson, check=args.check)
        target = course.student_path(lesson).relative_to(course.root)
        print(f"{lesson.name}: {target} — {_STATUS[result.status]}")
        for problem in result.problems:
            print(f"    - {problem}")
        failed |= result.status in ("stale", "invalid")
    return 1 if failed else 0


def build_parser():
    parser = argparse.ArgumentParser(prog="grader", description="케라스 강의 배포와 자동 채점")
    parser.add_argument("--course", default=".", help="course.toml이 있는 폴더 (default: .)")
    commands = parser.add_subparsers(dest="command", required=True)

    release = commands.add_parser("release", help="solutions/로 학생용 lessons/를 만듭니다")
    release.add_argument("lessons", nargs="*", help="레슨 이름 (기본: 전부)")
    release.add_argument("--check", action="store_true",
                         help="파일을 쓰지 않고 lessons/가 최신인지 확인만 합니다 (CI)")
    release.set_defaults(run=_release)
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except (KeyError, FileNotFoundError) as error:
        print(f"오류 (error): {error.args[0]}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
