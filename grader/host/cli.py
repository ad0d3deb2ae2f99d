"""Command line for instructors (host side): release, publish, grade, merge, gradebook, export, return, samples.

Messages go through `logging` (logger `grader`): INFO by default, `--quiet` only warnings and errors, `--verbose`
debug messages too. Errors go to stderr, the rest to stdout. Every message and help text is Korean with the
English term in parentheses.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from .codes import ReleaseStatus, Status
from .course import load_course

if TYPE_CHECKING:
    from .feedback_return import ReturnReport
    from .lms_export import ExportReport

log = logging.getLogger("grader.host.cli")  # not __name__: that is "__main__" under `python -m grader.host.cli`
RELEASED = (ReleaseStatus.WRITTEN, ReleaseStatus.UNCHANGED)


def _release(args: argparse.Namespace) -> int:
    from .release import release_lesson

    course = load_course(args.course)
    lessons = [course.lesson(name) for name in args.lessons] if args.lessons else course.lessons
    failed = False
    for lesson in lessons:
        result = release_lesson(course, lesson, check=args.check)
        target = course.student_path(lesson).relative_to(course.root)
        level = logging.INFO if result.status in RELEASED else logging.WARNING
        log.log(level, f"{lesson.name}: {target} — {result.status.text}")
        for problem in result.problems:
            log.log(level, f"    - {problem}")
        failed |= result.status not in RELEASED
    return 1 if failed else 0


def _grade(args: argparse.Namespace) -> int:
    from .execute import Limits
    from .grade import Assignment, grade_batch
    from .intake.roster import RosterError, read_roster
    from .sandbox import SandboxError, resolve
    from .sharding import ShardError, shard_from_environment

    try:
        runner = resolve(args.sandbox)
        shard = shard_from_environment(args.shard)
        roster = read_roster(args.roster) if args.roster else None
    except (SandboxError, ShardError, RosterError) as error:
        log.error(f"오류 (error): {error}")
        return 2
    course = load_course(args.course)
    lesson = course.lesson(args.lesson)
    limits = Limits(args.cell_timeout, args.notebook_timeout, args.memory_mb)
    assignment = Assignment.load(course, lesson, limits)
    results, skipped, intake = grade_batch(args.submissions, assignment, args.out, jobs=args.jobs, force=args.force,
                                           progress=log.isEnabledFor(logging.INFO), shard=shard, sandbox=runner,
                                           roster=roster)
    for line in intake.summary():
        log.info(line)
    if not intake.submissions and not intake.missing:
        log.error("오류 (error): 채점할 제출물이 없습니다 (no submissions found).")
        return 2
    problems = [r for r in results if r.status != Status.OK]
    graded = len(results) - skipped
    log.info(f"{lesson.name}: 학생 {len(results)}명 중 {graded}명 채점, {skipped}명은 이전 결과 재사용 "
             f"(graded {graded}, reused {skipped}; shard {shard[0]}/{shard[1]})")
    for result in sorted(problems, key=lambda r: r.student):
        log.info(f"  - {result.student} ({result.file or result.name or '파일 없음, no file'}): {result.status} — "
                 f"{result.reason[:120]}")
    if runner.name == "none":
        log.warning("주의 (warning): 샌드박스 없이 채점했습니다 (graded WITHOUT a sandbox: sandbox=none in grades.csv)")
    out = Path(args.out)
    log.info(f"성적표 (grades): {out / 'grades.csv'} · 반 보고서 (class report): {out / 'report.html'} · "
             f"채점하지 않은 파일 (intake): {out / 'intake.csv'}")
    return 0


def _merge(args: argparse.Namespace) -> int:
    from .sharding import merge

    copied, rows = merge(args.shards, args.out)
    log.info(f"샤드 {len(args.shards)}개에서 학생 결과 {copied}개를 합쳤습니다 (merged {copied} results); "
             f"{Path(args.out) / 'grades.csv'}: {rows}명, {Path(args.out) / 'report.html'}")
    return 0


def _gradebook(args: argparse.Namespace) -> int:
    from .gradebook import gradebook
    from .intake.roster import RosterError, read_roster

    try:
        roster = read_roster(args.roster) if args.roster else None
    except RosterError as error:
        log.error(f"오류 (error): {error}")
        return 2
    book = gradebook(args.results, args.out, course=load_course(args.course), roster=roster)
    for warning in book.warnings:
        log.warning(f"주의 (warning): {warning}")
    log.info(f"성적부 (gradebook): {book.path} — 학생 {len(book.rows)}명")
    return 0


class _Console(logging.StreamHandler[TextIO]):
    """Instructor messages as plain lines: errors on stderr, the rest on stdout (looked up at each message)."""

    def emit(self, record: logging.LogRecord) -> None:
        self.stream = sys.stderr if record.levelno >= logging.ERROR else sys.stdout
        super().emit(record)


def configure_logging(level: int) -> None:
    """Show the messages of every grader module from `level` up, as plain lines on the console."""
    grader = logging.getLogger("grader")
    if not any(isinstance(handler, _Console) for handler in grader.handlers):
        handler = _Console()
        handler.setFormatter(logging.Formatter("%(message)s"))
        grader.addHandler(handler)
    grader.setLevel(level)


def _report_problems(report: ExportReport | ReturnReport) -> None:
    for problem in report.problems:
        log.warning(f"  - {problem}")
    if report.problems:
        log.warning(f"빠진 학생·행 {len(report.problems)}개 (left out): {report.problems_path}")


def _export(args: argparse.Namespace) -> int:
    from .csv_files import CsvEncodingError
    from .intake.roster import RosterError, read_roster
    from .lms_export import ExportError, ExportOptions, LmsFormat, column_option, export

    try:
        roster = read_roster(args.roster) if args.roster else None
        options = ExportOptions(Path(args.template) if args.template else None, column_option(args.column),
                                args.percent, args.feedback, args.moodle_id, args.encoding)
        report = export(LmsFormat(args.format), args.results, args.out, roster, load_course(args.course), options)
    except (RosterError, ExportError, CsvEncodingError) as error:
        log.error(f"오류 (error): {error}")
        return 2
    for warning in report.warnings:
        log.warning(f"주의 (warning): {warning}")
    _report_problems(report)
    log.info(f"{args.format} 성적 파일 (grades for the LMS): {report.path} — 학생 {report.students}명")
    return 0


def _return(args: argparse.Namespace) -> int:
    from .feedback_return import return_feedback
    from .intake.roster import RosterError, read_roster
    from .lms_export import ExportError, LmsFormat

    try:
        roster = read_roster(args.roster) if args.roster else None
        report = return_feedback(LmsFormat(args.format), args.result, args.out, roster)
    except (RosterError, ExportError) as error:
        log.error(f"오류 (error): {error}")
        return 2
    _report_problems(report)
    log.info(f"{args.format} 피드백 파일 (feedback files): {report.path} — 페이지 {report.pages}개")
    return 0


def _publish(args: argparse.Namespace) -> int:
    from .publish import command

    return command(args)  # prints the Korean summary or error itself


def _samples(args: argparse.Namespace) -> int:
    import nbformat

    from .release import student_notebook
    from .samples import load_wrong_answers, sample_class, write_class

    course = load_course(args.course)
    lesson = course.lesson(args.lesson)
    solution = nbformat.read(course.solution_path(lesson), as_version=4)
    wrong = load_wrong_answers(Path(args.wrong_answers)) if args.wrong_answers else []
    files = sample_class(solution, student_notebook(solution, course, lesson), lesson.name, wrong)
    paths = write_class(files, Path(args.folder))
    log.info(f"{lesson.name}: 예시 제출물 {len(paths)}개를 {args.folder}에 만들었습니다 "
             f"(wrote {len(paths)} sample submissions)")
    return 0


def _add_grade(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    grade = commands.add_parser("grade", help="제출된 노트북을 채점합니다 (grade submissions)")
    grade.add_argument("submissions", nargs="+", help="제출 파일(.ipynb), 폴더 또는 LMS zip (submissions)")
    grade.add_argument("--lesson", required=True, help="레슨 이름 (lesson), 예: 01_layers")
    grade.add_argument("--out", required=True, help="결과 폴더 (output folder): grades.csv, 학생별 JSON/HTML")
    grade.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                       help="동시에 채점할 제출물 수 (parallel jobs; default: CPU 코어 수)")
    grade.add_argument("--cell-timeout", type=int, default=120, help="셀 하나의 제한 시간, 초 (cell timeout)")
    grade.add_argument("--notebook-timeout", type=int, default=600,
                       help="제출물 하나의 제한 시간, 초 (notebook timeout)")
    grade.add_argument("--memory-mb", type=int, default=6144, help="제출물 하나의 메모리 제한, MB (memory limit)")
    grade.add_argument("--force", action="store_true", help="이전 결과가 있어도 다시 채점합니다 (grade again)")
    grade.add_argument("--shard", default="1/1", metavar="K/N|auto|auto/N",
                       help="N개로 나눈 제출물 중 K번째 몫만 채점합니다 (shard). auto: Slurm 배열 작업의 번호와 개수 "
                            "(Slurm job array), auto/N: Kubernetes Indexed Job의 JOB_COMPLETION_INDEX와 completions N")
    grade.add_argument("--roster", help="명단 CSV (roster; 열: 학번, 이름, 선택: 이메일, LMS_ID; UTF-8/BOM/CP949)")
    grade.add_argument("--sandbox", choices=["auto", "bwrap", "none"], default=None,
                       help="학생 코드를 격리할 방법 (sandbox). auto(기본): bubblewrap을 쓸 수 있으면 쓰고, 없으면 "
                            "경고 후 샌드박스 없이; bwrap: 없으면 오류; none: 격리 없이. 환경 변수 "
                            "GRADER_SANDBOX=bwrap이면 auto가 bwrap이 됩니다")
    grade.set_defaults(run=_grade)


def _add_lms(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    formats = ["canvas", "moodle", "blackboard", "csv"]
    export = commands.add_parser("export", help="채점 결과를 LMS 성적 가져오기 파일로 씁니다 (grades for the LMS: "
                                                "Canvas, Moodle, Blackboard, CSV)")
    export.add_argument("results", nargs="+", help="grader grade(또는 merge)의 결과 폴더들, 레슨마다 하나 (results)")
    export.add_argument("--format", required=True, choices=formats, help="어느 LMS의 가져오기 형식인지 (LMS format)")
    export.add_argument("--out", required=True,
                        help="쓸 파일 (output, .csv; 빠진 학생 목록은 <이름>_unmatched.csv)")
    export.add_argument("--roster", help="명단 CSV (roster: 학번, 이름, 이메일, LMS_ID): LMS의 학생과 짝짓는 값")
    export.add_argument("--template", help="canvas: Canvas 성적부 내보내기 CSV, blackboard: Grade Center "
                                           "내려받기 파일 (template; 이 파일에 점수만 채웁니다)")
    export.add_argument("--column", action="append", default=[], metavar="LESSON=COLUMN",
                        help="레슨의 점수를 넣을 LMS 열 이름 (LMS column; 자동으로 못 찾을 때, 여러 번 줄 수 있음)")
    export.add_argument("--percent", action="store_true", help="점수 대신 만점 대비 백분율 (percent)")
    export.add_argument("--feedback", action="store_true",
                        help="moodle: 레슨마다 한 줄 한국어 피드백 열 (feedback column)")
    export.add_argument("--moodle-id", choices=["idnumber", "email", "username"], default="idnumber",
                        help="moodle: 학생을 찾을 열 (identifier) — idnumber(학번, 기본), email(이메일), "
                             "username(LMS_ID의 로그인)")
    export.add_argument("--encoding", choices=["utf-8-sig", "utf-8", "utf-16", "cp949"],
                        help="파일 인코딩 (encoding). 기본: 템플릿과 같게, 템플릿이 없으면 utf-8-sig (엑셀용 BOM). "
                             "cp949는 요청할 때만")
    export.set_defaults(run=_export)

    back = commands.add_parser("return", help="학생별 피드백 페이지를 LMS에 올릴 zip(또는 폴더)으로 모읍니다 "
                                              "(feedback files for the LMS)")
    back.add_argument("result", help="grader grade(또는 merge)의 결과 폴더 하나 (results)")
    back.add_argument("--format", required=True, choices=formats,
                      help="LMS 형식 (LMS format). moodle: 참가자 폴더 zip (피드백 파일 일괄 올리기); 그 밖: 학번 폴더 "
                           "+ feedback_files.csv")
    back.add_argument("--out", required=True, help="쓸 zip 파일 또는 폴더 (output; moodle은 .zip 필수)")
    back.add_argument("--roster", help="명단 CSV (roster): moodle은 LMS_ID(참가자 번호)가 필요합니다")
    back.set_defaults(run=_return)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="grader", description="케라스 강의 배포와 자동 채점 (Keras course: "
                                                                "release and autograding)")
    parser.add_argument("--course", default=".", help="course.toml이 있는 폴더 (course folder; default: .)")
    volume = parser.add_mutually_exclusive_group()
    volume.add_argument("--quiet", dest="log_level", action="store_const", const=logging.WARNING,
                        default=logging.INFO, help="주의와 오류만 보여 줍니다 (only warnings and errors)")
    volume.add_argument("--verbose", dest="log_level", action="store_const", const=logging.DEBUG,
                        help="진행 과정도 자세히 보여 줍니다 (debug messages too)")
    commands = parser.add_subparsers(dest="command", required=True)

    release = commands.add_parser("release", help="solutions/로 학생용 lessons/를 만듭니다 (release)")
    release.add_argument("lessons", nargs="*", help="레슨 이름 (lessons; 기본: 전부)")
    release.add_argument("--check", action="store_true",
                         help="파일을 쓰지 않고 lessons/가 최신인지 확인만 합니다 (check only, for CI)")
    release.set_defaults(run=_release)

    _add_grade(commands)

    merge = commands.add_parser("merge", help="샤드별 채점 결과 폴더를 하나로 합칩니다 (merge shards)")
    merge.add_argument("shards", nargs="+", help="grader grade --shard로 만든 결과 폴더들 (shard results)")
    merge.add_argument("--out", required=True, help="합친 결과 폴더 (output folder)")
    merge.set_defaults(run=_merge)

    book = commands.add_parser("gradebook", help="레슨별 채점 결과 폴더를 학생 × 레슨 성적부 하나로 합칩니다 "
                                                 "(course gradebook)")
    book.add_argument("results", nargs="+", help="grader grade(또는 merge)의 결과 폴더들 (results)")
    book.add_argument("--out", required=True, help="gradebook.csv를 쓸 폴더 (output folder)")
    book.add_argument("--roster", help="명단 CSV (roster): 제출하지 않은 학생도 행으로 넣습니다")
    book.set_defaults(run=_gradebook)

    _add_lms(commands)

    publish = commands.add_parser("publish", help="학생용 공개 저장소(정답·숨은 테스트 없음)를 DIR에 만듭니다 "
                                                  "(student repository)")
    publish.add_argument("out", metavar="DIR",
                         help="빈 폴더, 학생용 저장소를 새로 clone한 폴더, 또는 이전 publish 결과 (output folder)")
    publish.add_argument("--repository",
                         help="학생용 저장소 URL (repository; 기본: course.toml의 student_repository)")
    publish.add_argument("--branch", help="학생용 저장소 브랜치 (branch; 기본: student_branch, 없으면 branch)")
    publish.set_defaults(run=_publish)

    samples = commands.add_parser("samples", help="데모/벤치마크용 예시 제출물을 만듭니다 (sample submissions)")
    samples.add_argument("folder", help="만들 폴더 (output folder)")
    samples.add_argument("--lesson", required=True, help="레슨 이름 (lesson), 예: 01_layers")
    samples.add_argument("--wrong-answers", help="틀린 답 목록 TOML (wrong answers), 예: tests/corpus/01_layers.toml")
    samples.set_defaults(run=_samples)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    configure_logging(args.log_level)
    try:
        return args.run(args)
    except KeyError as error:
        log.error(f"오류 (error): {error.args[0]}")
        return 2
    except OSError as error:
        log.error(f"오류 (error): {error.filename}: {error.strerror}")
        return 2


if __name__ == "__main__":
    sys.exit(main())
