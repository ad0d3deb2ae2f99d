"""A real-looking class for the LMS export and feedback return tests, and parsers that check what each
LMS's own import checks. No notebooks run: result folders are written from grader.host.results objects.

The class: a roster saved by Korean Excel (CP949), two lessons, a student who handed nothing in for
01_layers (missing), a late Canvas submission (`..._late_...`), a student without an email, a timeout
and a notebook of another lesson; the LMS knows one student who is not on the roster, and one roster
student is not in the LMS.
"""

import csv
import io
import re

from grader.host.report import write_student
from grader.host.results import Result, TestResult

ROSTER = ("학번,이름,이메일,LMS_ID\n"
          "2024000001,홍길동,hong@example.ac.kr,12345\n"
          "2024000002,김철수,kim@example.ac.kr,12346\n"
          "2024000003,이서연,lee@example.ac.kr,12347\n"
          "2024000004,박민준,,12348\n")
LESSONS = {"01_layers": 10.0, "02_models": 12.0}


def _tests(lesson, passed):
    """Tests of a lesson worth its points, `passed` a list of booleans."""
    worth = LESSONS[lesson] / len(passed)
    return [TestResult(f"l{lesson[:2]}_ex{i}", f"{int(lesson[:2])}-{i}", f"연습 {i}", worth if ok else 0.0, worth, ok,
                       "" if ok else "기대한 출력 크기: (None, 10)\n힌트: 마지막 층의 units")
            for i, ok in enumerate(passed, start=1)]


def class_results():
    """{lesson: [Result]} as `grader grade --roster` writes them (student ids are 학번)."""
    def result(student, name, lesson, status, passed, file=""):
        tests = _tests(lesson, passed)
        score = sum(t.points for t in tests) if status in ("ok", "timeout") else 0.0
        return Result(student, lesson, file or f"{student}_{name}_{lesson}.ipynb", "fp", status,
                      reason="" if status == "ok" else f"{status} 사유", score=score, max_score=LESSONS[lesson],
                      tests=tests, name=name)

    return {
        "01_layers": [
            result("2024000001", "홍길동", "01_layers", "ok", [True, True, True, False]),  # 7.5
            result("2024000002", "김철수", "01_layers", "ok", [True, True, False, False],
                   file="kimcheolsu_late_12346_67891_01_layers.ipynb"),  # late: 5
            result("2024000003", "이서연", "01_layers", "missing", [False] * 4, file=""),
            result("2024000004", "박민준", "01_layers", "ok", [True] * 4),  # 10
        ],
        "02_models": [
            result("2024000001", "홍길동", "02_models", "ok", [True] * 3),  # 12
            result("2024000002", "김철수", "02_models", "timeout", [True, False, False]),  # 4
            result("2024000003", "이서연", "02_models", "ok", [True, True, False]),  # 8
            result("2024000004", "박민준", "02_models", "not_lesson", [False] * 3),  # 0
        ],
    }


def write_class(folder):
    """roster.csv (CP949) and one result folder per lesson, with JSON and feedback pages; returns paths."""
    folder.mkdir(parents=True, exist_ok=True)
    roster = folder / "roster.csv"
    roster.write_bytes(ROSTER.encode("cp949"))
    dirs = []
    for lesson, results in class_results().items():
        out = folder / "results" / lesson
        out.mkdir(parents=True)
        for result in results:
            write_student(result, out)
        dirs.append(out)
    return roster, dirs


# ----------------------------------------------------------------------------- Canvas

CANVAS_USERS = {"12345", "12346", "12347", "12399", "99999"}  # 12399: dropped from the roster; 99999: test student
CANVAS_ASSIGNMENTS = {"1001": 10.0, "1002": 12.0}
CANVAS_EXPORT = (
    "Student,ID,SIS User ID,SIS Login ID,Section,01_layers (1001),과제 2: 모델 (1002),Notes,Current Score,"
    "Final Score\r\n"
    ",,,,,Manual Posting,,,,\r\n"
    "    Points Possible,,,,,10.00,12.00,,(read only),(read only)\r\n"
    '"홍, 길동",12345,2024000001,hong@example.ac.kr,AI 101-01,,,"출석 좋음, 질문 많음",0.00,0.00\r\n'
    '"김, 철수",12346,2024000002,kim@example.ac.kr,AI 101-01,5.00,,,50.00,20.00\r\n'
    '"이, 서연",12347,,lee@example.ac.kr,AI 101-02,,,,,\r\n'
    '"최, 수강취소",12399,2024000099,choi@example.ac.kr,AI 101-02,3.00,,,100.00,13.64\r\n'
    '"Student, Test",99999,,,AI 101-01,,,,,\r\n'
)


def canvas_import(text):
    """What Canvas's GradebookImporter accepts: {(user id, assignment id): grade}; AssertionError otherwise.

    Header: row[0] includes 'Student', row[1] 'ID', SIS User ID and SIS Login ID in place, Section last of the
    student columns; rows whose first cell has 'Points Possible', or only Muted/Manual Posting, are skipped;
    a student is found by ID; assignment columns are 'Title (id)' of existing assignments; grades are numbers.
    """
    delimiter = ";" if text.splitlines()[0].count(";") > text.splitlines()[0].count(",") else ","
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    header = rows[0]
    assert "Student" in header[0] and "ID" in header[1], header
    assert re.match(r"SIS\s+User\s+ID", header[2]) and re.match(r"SIS\s+Login\s+ID", header[3]), header
    assert "Section" in header[4], header
    read_only = ("Current Score", "Final Score", "Current Points", "Final Points", "Current Grade", "Final Grade")
    assignments = {}
    for index, name in enumerate(header[5:], start=5):
        found = re.fullmatch(r"(.+) \((\d+)\)", name)
        if found and not any(r in name for r in read_only):
            assert found.group(2) in CANVAS_ASSIGNMENTS, f"unknown assignment (a new one would be created): {name}"
            assignments[index] = found.group(2)
    grades = {}
    for row in rows[1:]:
        assert len(row) == len(header), row
        if "Points Possible" in row[0] or all(re.fullmatch(r"\s*(Muted|Manual Posting.*)?\s*", c, re.I) for c in row):
            continue
        assert row[1] in CANVAS_USERS, f"student not in the course: {row[:2]}"
        for index, assignment in assignments.items():
            if row[index].strip():
                float(row[index])  # a number with a decimal point
                assert "," not in row[index]
                grades[(row[1], assignment)] = row[index]
    return grades


# ----------------------------------------------------------------------------- Blackboard

BLACKBOARD_USERS = {"hong01", "kim02", "lee03", "choi99"}
BLACKBOARD_HEADER = ["Last Name", "First Name", "Username", "Student ID", "Last Access", "Availability",
                     "Weighted Total [Total Pts: up to 0 Percentage] |2001", "Total [Total Pts: up to 22 Score] |2002",
                     "01_layers [Total Pts: 10 Score] |2003", "모델 과제 [Total Pts: 12 Score] |2004"]
BLACKBOARD_ROWS = [["홍", "길동", "hong01", "2024000001", "2026-03-01 10:00:00", "Yes", "", "", "", ""],
                   ["김", "철수", "kim02", "2024000002", "2026-03-02 11:00:00", "Yes", "", "", "4", ""],
                   ["이", "서연", "lee03", "2024000003", "", "Yes", "", "", "", ""],
                   ["최", "수강취소", "choi99", "2024000099", "", "Yes", "", "", "3", ""]]


def blackboard_download(delimiter):
    """A Grade Center download: Work Offline > Download, comma (.csv, all quoted) or tab (.xls, UTF-16)."""
    rows = [BLACKBOARD_HEADER, *BLACKBOARD_ROWS]
    if delimiter == ",":
        return "".join(",".join(f'"{cell}"' for cell in row) + "\r\n" for row in rows).encode("utf-8-sig")
    return "".join("\t".join(row) + "\r\n" for row in rows).encode("utf-16")


def blackboard_upload(data):
    """What Blackboard's Grade Center upload takes: {(username, column id): grade}; AssertionError otherwise.

    A header row, a Username column of existing users, every other column `Name |ID` of an existing column
    (no new text columns); comma files quote every field, tab files need no quotes; grades are numbers.
    """
    text = data.decode("utf-16") if data.startswith((b"\xff\xfe", b"\xfe\xff")) else data.decode("utf-8-sig")
    lines = text.splitlines()
    delimiter = "\t" if "\t" in lines[0] else ","
    if delimiter == ",":
        for line in lines:
            assert line.startswith('"') and line.endswith('"'), f"every field quoted: {line}"
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    header = rows[0]
    assert "Username" in header, header
    columns = {}
    for index, name in enumerate(header):
        if name != "Username":
            found = re.search(r"\|(\d+)$", name)
            assert found, f"a column without |ID would become a new text column: {name}"
            columns[index] = found.group(1)
    user = header.index("Username")
    grades = {}
    for row in rows[1:]:
        assert row[user] in BLACKBOARD_USERS, row
        for index, column in columns.items():
            if row[index]:
                float(row[index])
                grades[(row[user], column)] = row[index]
    return grades


# ----------------------------------------------------------------------------- Moodle

MOODLE_USERS = {"idnumber": {"2024000001", "2024000002", "2024000003", "2024000004"},
                "email": {"hong@example.ac.kr", "kim@example.ac.kr", "lee@example.ac.kr"}}


def moodle_import(data, map_from, map_to, grade_columns, feedback_columns=()):
    """Moodle's CSV grade import (grade/import/csv, lib/csvlib.class.php): {(identifier, column): value}.

    The BOM is removed, the header trimmed; `map_from` is the identifier column, `map_to` the user field
    (idnumber, email). A row whose identifier is empty or matches no user fails the whole import; a grade
    is a number (unformat_float) no higher than 100 (gradepointmax); feedback is text.
    """
    text = data.decode("utf-8")
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").strip()
    rows = list(csv.reader(io.StringIO(text)))
    header = [h.strip() for h in rows[0]]
    key = header.index(map_from)
    values = {}
    for row in rows[1:]:
        if len(row) <= 1:
            continue
        assert row[key].strip() and row[key].strip() in MOODLE_USERS[map_to], f"user not found: {row[key]!r}"
        for column in grade_columns:
            grade = row[header.index(column)].strip()
            if grade not in ("", "-"):
                assert 0 <= float(grade) <= 100 and "," not in grade, grade
            values[(row[key].strip(), column)] = grade
        for column in feedback_columns:
            values[(row[key].strip(), column)] = row[header.index(column)]
    return values


def moodle_feedback_zip(archive, participants):
    """Moodle's 'upload multiple feedback files in a zip' (mod/assign/feedback/file/importziplib.php):
    {participant id: [(file name, bytes)]}; files it cannot match are left out, as Moodle leaves them.

    A path part split at '_' (at most 5 pieces) needs 4 pieces: fullname, participant id (a number of this
    assignment's participants), an enabled plugin type and name; the rest of the path is the file name.
    """
    plugins = {("assignsubmission", "file"), ("assignsubmission", "onlinetext")}
    found = {}
    for info in archive.infolist():
        if info.is_dir() or info.filename.rsplit("/", 1)[-1].startswith((".", "~")):
            continue
        parts = info.filename.split("/")
        while parts:
            pieces = parts.pop(0).split("_", 4)
            if len(pieces) < 4 or not pieces[1].isdigit() or int(pieces[1]) not in participants:
                continue
            if tuple(pieces[2:4]) not in plugins:
                continue
            name = "/".join([pieces[4] if len(pieces) == 5 else "", *parts]).lstrip("/")
            found.setdefault(int(pieces[1]), []).append((name, archive.read(info)))
            break
    return found
