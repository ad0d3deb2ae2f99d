"""Result codes and the text people read for them, in one place (host side: the instructor's process).

A code is the stable value that results JSON, grades.csv, other programs and tests use; `text` is what the
instructor reads: Korean with the English term in parentheses. `Status.label` is the Korean word a student's
feedback shows. Grading statuses, release statuses, review flags and sandbox problems are all listed here.
"""

from __future__ import annotations

from enum import StrEnum


class Code(StrEnum):
    """A code whose members are written `NAME = "code", "텍스트 (text)"`."""

    text: str

    def __new__(cls, code: str, text: str = "") -> Code:
        member = str.__new__(cls, code)
        member._value_ = code
        member.text = text
        return member


class Status(StrEnum):
    """What happened to one student's submission (the `status` column of grades.csv), also of one run
    (`grader.host.execute.Execution`: ok, timeout or crashed). Members: code, student label, fixed reason."""

    label: str
    text: str
    reason: str  # the reason column's sentence when it is always the same

    def __new__(cls, code: str, label: str = "", reason: str = "") -> Status:
        member = str.__new__(cls, code)
        member._value_ = code
        member.label, member.text, member.reason = label, f"{label} ({code})", reason
        return member

    OK = "ok", "채점 완료"  # executed and scored
    TIMEOUT = "timeout", "시간 초과"
    CRASHED = "crashed", "커널 종료", "커널이 비정상 종료되었습니다 (kernel died)"
    INVALID = "invalid", "노트북 아님/손상"  # not a readable notebook
    NOT_LESSON = "not_lesson", "다른 레슨의 노트북"  # a notebook, but not this lesson's: nothing executed
    TAMPERED = "tampered", "채점 코드 변조", "채점 코드를 수정해 0점 처리했습니다 (grader files modified)"
    MISSING = "missing", "미제출", "미제출 (no submission)"  # on the roster, no submission
    ERROR = "error", "채점기 오류", "채점기 내부 오류 (internal error)"  # a grader bug; graded again next run


class ReleaseStatus(Code):
    """What `grader release` did with one lesson's student notebook."""

    WRITTEN = "written", "새로 만들었습니다 (written)"
    UNCHANGED = "unchanged", "변경 없음 (unchanged)"
    STALE = "stale", "solutions/와 다릅니다 — `grader release`를 실행하세요 (stale)"
    INVALID = "invalid", "원본 노트북 형식 오류 (invalid solution notebook)"
    MISSING = "missing", "원본 노트북이 없습니다 (missing solution notebook)"


class ReviewCode(Code):
    """One kind of review flag: something the instructor should look at (`review_codes` in results JSON)."""

    # what the run's code did (grader.host.review, from the audit hook's evidence)
    FILE = "file", "채점 입력·채점 코드 파일 열기 (opened the run's inputs or grader files)"
    IMPORT = "import", "grader 내부 모듈 import (imported grader internals)"
    COMPILE = "compile", "문자열을 코드로 실행 (compiled code from text)"
    PATCHED = "patched", "라이브러리 함수 교체 (replaced library functions)"
    NETWORK = "network", "네트워크 사용 시도 (network access)"
    THREAD = "thread", "검사 중 학생 스레드 실행 (student threads running during a test)"
    TAMPERED = "tampered", "채점 코드 흉내 (imitated the grader's code)"
    FORGED = "forged", "위조된 채점 기록 (forged grading records)"
    LATE_VERDICT = "late_verdict", "제 검사 밖에서 온 결과 (verdict outside its test)"
    MISSING_VERDICT = "missing_verdict", "검사 결과 없음 (a test that ran reported no verdict)"
    NOT_INSTALLED = "not_installed", "채점 준비 셀이 끝나지 않음 (the run's audit hook was never installed)"
    OTHER_EVIDENCE = "other_evidence", "기타 증거 (other evidence)"
    # what the audit hook refused
    BLOCKED_PROCESS = "blocked_process", "프로세스·신호 차단 (process or signal blocked)"
    BLOCKED_CTYPES = "blocked_ctypes", "ctypes 차단 (ctypes blocked)"
    BLOCKED_INTROSPECTION = ("blocked_introspection",
                             "gc·추적·스레드 프레임 접근 차단 (introspection or tracing blocked)")
    BLOCKED_FRAMES = "blocked_frames", "검사 중 프레임 접근 차단 (frame access during a test blocked)"
    BLOCKED_PATCH = "blocked_patch", "라이브러리 속성 교체 차단 (library patch blocked)"
    BLOCKED_MEMORY = "blocked_memory", "프로세스 메모리 읽기 차단 (reading process memory blocked)"
    BLOCKED_AUDIT = "blocked_audit", "감사 훅 추가 차단 (audit hook blocked)"
    BLOCKED_COMPILE = "blocked_compile", "예약된 이름으로 코드 컴파일 차단 (compile under a reserved name blocked)"
    BLOCKED = "blocked", "차단됨 (blocked)"
    MORE = "more", "표시가 더 있음 (more flags)"
    # what the grader saw around the run (grader.host.grade)
    DISK_FULL = "disk_full", "쓰기 공간이 가득 참 (disk limit reached)"
    CHECKOUT_CHANGED = "checkout_changed", "채점 중 grader 파일 변경 (grader checkout changed)"
    SUBMISSION_CHANGED = ("submission_changed",
                          "채점 중 제출 파일이 바뀜 (submission file changed during grading; graded as first read)")
    # how the student's code looks (grader.host.suspicious): hints only, easy to dodge
    HINT_GRADER = "hint_grader", "grader 모듈 사용 (grader module)"
    HINT_SYS_MODULES = "hint_sys_modules", "sys.modules 조작 (sys.modules changed)"
    HINT_EXCEPTION_HANDLER = "hint_exception_handler", "예외 처리기 교체 (exception handler replaced)"
    HINT_FUNCTION_CODE = "hint_function_code", "함수 코드 교체 (function code replaced)"
    HINT_BUILTINS = "hint_builtins", "builtins 조작 (builtins changed)"
    HINT_PROCESS = "hint_process", "프로세스 생성 (process started)"
    HINT_SYSTEM_FILES = "hint_system_files", "시스템 파일 접근 (system files)"
    HINT_KERAS_CLASSES = "hint_keras_classes", "Keras 클래스 수정 (Keras classes changed)"
    HINT_SIGNALS_THREADS = "hint_signals_threads", "신호·스레드 조작 (signals, threads or ctypes)"
    HINT_FILE_LISTING = "hint_file_listing", "파일 찾기 (file listing)"
    HINT_FILE_REMOVAL = "hint_file_removal", "파일 삭제·덮어쓰기 (file removal/overwrite)"
    HINT_NETWORK = "hint_network", "네트워크 사용 (network)"
    HINT_ENVIRONMENT = "hint_environment", "환경 변수 읽기 (environment)"


class SandboxProblem(Code):
    """Why a grading run is not (or not fully) isolated (grader.host.sandbox)."""

    NOT_INSTALLED = "not_installed", "bwrap을 찾을 수 없습니다 (bubblewrap is not installed)"
    CANNOT_START = "cannot_start", "bwrap을 실행할 수 없습니다 (bubblewrap could not be started)"
    FAILS = "fails", "bwrap이 실행되지 않습니다 (bubblewrap fails here)"
    UNKNOWN_CHOICE = "unknown_choice", "--sandbox는 auto, bwrap, none 중 하나여야 합니다 (unknown sandbox)"
    UNAVAILABLE = "unavailable", "샌드박스(bubblewrap)를 쓸 수 없습니다 (sandbox unavailable)"
    UNSANDBOXED = "unsandboxed", "샌드박스 없이 채점합니다 (grading WITHOUT a sandbox)"
    NO_FREE_UID = "no_free_uid", "샌드박스용 uid가 모두 사용 중입니다 (no free sandbox uid)"
    DATASETS_NOT_FETCHED = "datasets_not_fetched", "데이터셋을 내려받지 못했습니다 (datasets not downloaded)"
