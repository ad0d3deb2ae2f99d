"""grader export: grades of a real-looking class written for Canvas, Blackboard, Moodle and plain CSV, then read
back by parsers that check what each LMS's own import checks (tests/lms_class.py). No notebooks run."""

import csv
import io
import unicodedata

import pytest

from grader.host.cli import main
from grader.host.intake.roster import read_roster
from grader.host.lms_export import (ExportError, ExportOptions, LmsFormat, ProblemKind, export, feedback_line,
                                    number_text)
from tests.conftest import ROOT
from tests.lms_class import (BLACKBOARD_HEADER, BLACKBOARD_ROWS, CANVAS_EXPORT, blackboard_download,
                             blackboard_upload, canvas_import, class_results, moodle_import, write_class)

MODELS_COLUMN = "과제 2: 모델 (1002)"


@pytest.fixture
def klass(tmp_path):
    roster, dirs = write_class(tmp_path / "class")
    return read_roster(roster), dirs, roster


def kinds(report):
    return {(p.kind, p.who) for p in report.problems}


# ----------------------------------------------------------------------------- Canvas

def canvas(klass, tmp_path, template_bytes=None, **options):
    roster, dirs, _ = klass
    tmp_path.mkdir(exist_ok=True)
    template = tmp_path / "canvas_export.csv"
    template.write_bytes(template_bytes or CANVAS_EXPORT.encode("utf-8-sig"))
    options = ExportOptions(template=template, columns={"02_models": MODELS_COLUMN}, **options)
    return export(LmsFormat.CANVAS, dirs, tmp_path / "canvas_import.csv", roster, None, options), template


def test_canvas_import_takes_the_scores_and_every_other_cell_is_the_instructors(klass, tmp_path):
    report, template = canvas(klass, tmp_path)
    written = report.path.read_bytes()
    assert written.startswith(b"\xef\xbb\xbf") and b"\r\n" in written  # the export's BOM and line ends kept
    grades = canvas_import(written.decode("utf-8-sig"))
    assert grades == {("12345", "1001"): "7.5", ("12345", "1002"): "12",
                      ("12346", "1001"): "5", ("12346", "1002"): "4",  # late, then a timeout: scores as graded
                      ("12347", "1001"): "0", ("12347", "1002"): "8",  # missing counts 0, as in gradebook.csv
                      ("12399", "1001"): "3.00"}  # not on the roster: left as it was
    before = list(csv.reader(io.StringIO(CANVAS_EXPORT)))
    after = list(csv.reader(io.StringIO(written.decode("utf-8-sig"))))
    assert len(after) == len(before) and [len(r) for r in after] == [len(r) for r in before]
    changed = {(r, c) for r, row in enumerate(before) for c, cell in enumerate(row) if after[r][c] != cell}
    assert changed <= {(r, c) for r in (3, 4, 5) for c in (5, 6)}  # only the lesson cells of matched students
    assert after[3][7] == "출석 좋음, 질문 많음" and after[6][5] == "3.00" and after[2][5] == "10.00"
    assert report.students == 3
    assert kinds(report) == {(ProblemKind.NOT_IN_LMS, "2024000004 박민준"),
                             (ProblemKind.ONLY_IN_LMS, "ID 12399 / SIS User ID 2024000099 / SIS Login ID "
                                                       "choi@example.ac.kr"),
                             (ProblemKind.ONLY_IN_LMS, "ID 99999")}
    with open(report.problems_path, encoding="utf-8-sig", newline="") as handle:
        listed = list(csv.DictReader(handle))
    assert {row["kind"] for row in listed} == {"not_in_lms", "only_in_lms"} and len(listed) == 3
    assert "student not in the LMS file" in listed[-1]["reason"] or "not in the LMS" in str(listed)


def test_canvas_percent_and_points_possible_warning(klass, tmp_path):
    report, _ = canvas(klass, tmp_path, percent=True)
    grades = canvas_import(report.path.read_text(encoding="utf-8-sig"))
    assert grades[("12345", "1001")] == "75" and grades[("12347", "1002")] == "66.67"
    assert len(report.warnings) == 2 and all("points possible differ" in w for w in report.warnings)
    plain, _ = canvas(klass, tmp_path / "plain")
    assert plain.warnings == []  # Canvas says 10 and 12 points, as graded


def test_canvas_semicolon_export_without_bom_is_written_back_the_same_way(klass, tmp_path):
    semicolons = "\n".join(";".join(f'"{c}"' if ";" in c else c for c in row)
                           for row in csv.reader(io.StringIO(CANVAS_EXPORT))) + "\n"
    report, _ = canvas(klass, tmp_path, template_bytes=semicolons.encode("utf-8"))
    written = report.path.read_bytes()
    assert not written.startswith(b"\xef\xbb\xbf") and b"\r\n" not in written
    assert canvas_import(written.decode("utf-8"))[("12345", "1002")] == "12"


def test_canvas_needs_a_column_for_every_lesson_and_says_which(klass, tmp_path):
    roster, dirs, _ = klass
    template = tmp_path / "export.csv"
    template.write_text(CANVAS_EXPORT, encoding="utf-8")
    with pytest.raises(ExportError, match="02_models.*no column.*--column"):
        export(LmsFormat.CANVAS, dirs, tmp_path / "out.csv", roster, None, ExportOptions(template=template))
    with pytest.raises(ExportError, match="unknown lesson"):
        export(LmsFormat.CANVAS, dirs, tmp_path / "out.csv", roster, None,
               ExportOptions(template=template, columns={"02_model": MODELS_COLUMN}))
    template.write_text("학번,이름\n2024000001,홍길동\n", encoding="utf-8")
    with pytest.raises(ExportError, match="not a Canvas gradebook export"):
        export(LmsFormat.CANVAS, dirs, tmp_path / "out.csv", roster, None, ExportOptions(template=template))
    with pytest.raises(ExportError, match="template required"):
        export(LmsFormat.CANVAS, dirs, tmp_path / "out.csv", roster)
    assert not (tmp_path / "out.csv").exists()


def test_canvas_lesson_found_by_its_course_title(klass, tmp_path, course):
    roster, dirs, _ = klass
    template = tmp_path / "export.csv"
    template.write_text(CANVAS_EXPORT.replace(MODELS_COLUMN, "모델: 층의 네트워크 (1002)"), encoding="utf-8")
    report = export(LmsFormat.CANVAS, dirs, tmp_path / "out.csv", roster, course, ExportOptions(template=template))
    assert canvas_import(report.path.read_text(encoding="utf-8"))[("12346", "1002")] == "4"


def test_two_roster_students_on_one_canvas_row_are_listed_not_guessed(klass, tmp_path):
    roster, dirs, _ = klass
    template = tmp_path / "export.csv"
    template.write_text(CANVAS_EXPORT.replace("12346,2024000002,kim@", "12346,2024000003,kim@"), encoding="utf-8")
    report = export(LmsFormat.CANVAS, dirs, tmp_path / "out.csv", roster, None,
                    ExportOptions(template=template, columns={"02_models": MODELS_COLUMN}))
    grades = canvas_import(report.path.read_text(encoding="utf-8"))
    assert grades[("12346", "1001")] == "5.00" and ("12347", "1001") not in grades  # both rows left as they were
    assert {p.kind for p in report.problems} >= {ProblemKind.AMBIGUOUS}


# ----------------------------------------------------------------------------- Blackboard

@pytest.mark.parametrize("delimiter", [",", "\t"])
def test_blackboard_upload_has_username_and_the_column_ids(klass, tmp_path, delimiter):
    roster, dirs, _ = klass
    template = tmp_path / ("gc_download.csv" if delimiter == "," else "gc_download.xls")
    template.write_bytes(blackboard_download(delimiter))
    out = tmp_path / "gc_upload.csv"
    report = export(LmsFormat.BLACKBOARD, dirs, out, roster, None,
                    ExportOptions(template=template, columns={"02_models": BLACKBOARD_HEADER[-1]}))
    data = out.read_bytes()
    assert data.startswith(b"\xff\xfe" if delimiter == "\t" else b"\xef\xbb\xbf")  # as Blackboard wrote it
    assert blackboard_upload(data) == {("hong01", "2003"): "7.5", ("hong01", "2004"): "12",
                                       ("kim02", "2003"): "5", ("kim02", "2004"): "4",
                                       ("lee03", "2003"): "0", ("lee03", "2004"): "8",
                                       ("choi99", "2003"): "3"}  # not on the roster: as downloaded
    assert kinds(report) == {(ProblemKind.NOT_IN_LMS, "2024000004 박민준"),
                             (ProblemKind.ONLY_IN_LMS, "Username choi99 / Student ID 2024000099")}
    assert len(BLACKBOARD_ROWS) == 4 and report.students == 3


def test_blackboard_needs_its_download(klass, tmp_path):
    roster, dirs, _ = klass
    template = tmp_path / "gc.csv"
    template.write_bytes(CANVAS_EXPORT.encode("utf-8"))
    with pytest.raises(ExportError, match="Username"):
        export(LmsFormat.BLACKBOARD, dirs, tmp_path / "out.csv", roster, None, ExportOptions(template=template))


# ----------------------------------------------------------------------------- Moodle

def test_moodle_csv_by_idnumber_with_one_line_feedback(klass, tmp_path):
    roster, dirs, _ = klass
    out = tmp_path / "moodle.csv"
    report = export(LmsFormat.MOODLE, dirs, out, roster, None, ExportOptions(feedback=True))
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # Excel shows Korean; Moodle's CSV reader drops the BOM
    values = moodle_import(data, "ID number", "idnumber", ["01_layers", "02_models"],
                           ["01_layers 피드백", "02_models 피드백"])
    assert {k: v for k, v in values.items() if not k[1].endswith("피드백")} == {
        ("2024000001", "01_layers"): "7.5", ("2024000001", "02_models"): "12",
        ("2024000002", "01_layers"): "5", ("2024000002", "02_models"): "4",
        ("2024000003", "01_layers"): "0", ("2024000003", "02_models"): "8",
        ("2024000004", "01_layers"): "10", ("2024000004", "02_models"): "0"}
    assert values[("2024000001", "01_layers 피드백")] == "7.5/10점 · 통과 3/4 · 다시 볼 연습: 1-4"
    assert values[("2024000002", "02_models 피드백")] == "4/12점 · 시간 초과 · 통과 1/3 · 다시 볼 연습: 2-2, 2-3"
    assert values[("2024000003", "01_layers 피드백")] == "미제출 (0점)"
    assert all("\n" not in v for v in values.values())
    assert report.problems == [] and report.students == 4
    text = data.decode("utf-8-sig")
    assert "홍길동" in text and unicodedata.is_normalized("NFC", text)


def test_moodle_by_email_lists_the_student_without_one(klass, tmp_path):
    roster, dirs, _ = klass
    out = tmp_path / "moodle.csv"
    report = export(LmsFormat.MOODLE, dirs, out, roster, None, ExportOptions(moodle_id="email", percent=True))
    values = moodle_import(out.read_bytes(), "Email address", "email", ["01_layers", "02_models"])
    assert values[("hong@example.ac.kr", "01_layers")] == "75" and values[("lee@example.ac.kr", "02_models")] == "66.67"
    assert len(values) == 6  # 박민준 has no email: not written (Moodle would stop the whole import), but listed
    assert kinds(report) == {(ProblemKind.NO_IDENTIFIER, "2024000004 박민준")}


def test_moodle_by_username_from_the_roster_lms_id(klass, tmp_path):
    roster, dirs, _ = klass
    out = tmp_path / "moodle.csv"
    export(LmsFormat.MOODLE, dirs, out, roster, None, ExportOptions(moodle_id="username"))
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert rows[0][:3] == ["Username", "이름", "01_layers"] and [r[0] for r in rows[1:]] == [
        "12345", "12346", "12347", "12348"]


def test_moodle_rows_sharing_an_identifier_are_listed_not_merged(klass, tmp_path):
    _, dirs, roster_path = klass
    roster_path.write_bytes(roster_path.read_bytes().decode("cp949").replace("lee@", "kim@").encode("cp949"))
    out = tmp_path / "moodle.csv"
    report = export(LmsFormat.MOODLE, dirs, out, read_roster(roster_path), None, ExportOptions(moodle_id="email"))
    values = moodle_import(out.read_bytes(), "Email address", "email", ["01_layers"])
    assert set(values) == {("hong@example.ac.kr", "01_layers")}
    assert {p.kind for p in report.problems} == {ProblemKind.AMBIGUOUS, ProblemKind.NO_IDENTIFIER}


def test_moodle_leaves_out_and_lists_a_result_not_on_the_roster(klass, tmp_path):
    _, dirs, roster_path = klass
    roster_path.write_bytes(roster_path.read_bytes().decode("cp949").replace("2024000004,박민준,,12348\n", "")
                            .encode("cp949"))
    out = tmp_path / "moodle.csv"
    report = export(LmsFormat.MOODLE, dirs, out, read_roster(roster_path), None, ExportOptions())
    values = moodle_import(out.read_bytes(), "ID number", "idnumber", ["01_layers"])
    assert {key for key, _ in values} == {"2024000001", "2024000002", "2024000003"}
    assert kinds(report) == {(ProblemKind.NOT_ON_ROSTER, "2024000004 박민준")} and report.students == 3


# ----------------------------------------------------------------------------- plain CSV, encodings

def test_plain_csv_in_cp949_only_when_asked(klass, tmp_path):
    roster, dirs, _ = klass
    default = export(LmsFormat.CSV, dirs, tmp_path / "grades.csv", roster)
    assert default.path.read_bytes().startswith(b"\xef\xbb\xbf")
    asked = export(LmsFormat.CSV, dirs, tmp_path / "grades_cp949.csv", roster, None,
                   ExportOptions(encoding="cp949"))
    rows = list(csv.DictReader(io.StringIO(asked.path.read_bytes().decode("cp949"))))
    assert rows[0] == {"학번": "2024000001", "이름": "홍길동", "이메일": "hong@example.ac.kr", "LMS_ID": "12345",
                       "01_layers": "7.5", "02_models": "12", "합계": "19.5", "만점": "22"}
    assert [r["합계"] for r in rows] == ["19.5", "9", "8", "10"]


def test_a_name_cp949_cannot_hold_is_an_error_and_the_old_file_stays(klass, tmp_path):
    roster, dirs, _ = klass
    out = tmp_path / "grades.csv"
    out.write_text("이전 파일\n", encoding="utf-8")
    roster[0] = roster[0].__class__("2024000001", "홍길동\u2603", "", "")
    with pytest.raises(ValueError, match="cannot encode"):
        export(LmsFormat.CSV, dirs, out, roster, None, ExportOptions(encoding="cp949"))
    assert out.read_text(encoding="utf-8") == "이전 파일\n"


def test_numbers_and_feedback_lines():
    assert [number_text(v) for v in (0, 7.5, 10, 200 / 3, 1e-7, 123456789.0)] == [
        "0", "7.5", "10", "66.67", "0", "123456789"]
    [result] = [r for r in class_results()["02_models"] if r.student == "2024000004"]
    assert feedback_line(result) == "0/12점 · 다른 레슨의 노트북 · 통과 0/3 · 다시 볼 연습: 2-1, 2-2, 2-3"
    assert feedback_line(None) == "미제출 (0점)"


# ----------------------------------------------------------------------------- command line

def test_cli_export_for_each_lms(klass, tmp_path, capsys):
    _, dirs, roster = klass
    template = tmp_path / "canvas.csv"
    template.write_bytes(CANVAS_EXPORT.encode("utf-8-sig"))
    common = ["--course", str(ROOT), "export", "--roster", str(roster), *map(str, dirs)]
    out = tmp_path / "canvas_import.csv"
    assert main([*common, "--format", "canvas", "--template", str(template), "--out", str(out),
                 "--column", f"02_models={MODELS_COLUMN}"]) == 0
    printed = capsys.readouterr().out
    assert "student not in the LMS file" in printed and "2024000004 박민준" in printed and "학생 3명" in printed
    assert canvas_import(out.read_text(encoding="utf-8-sig"))[("12345", "1001")] == "7.5"
    assert main([*common, "--format", "moodle", "--feedback", "--out", str(tmp_path / "m.csv")]) == 0
    assert main([*common, "--format", "csv", "--percent", "--out", str(tmp_path / "c.csv")]) == 0
    assert main([*common, "--format", "canvas", "--out", str(tmp_path / "x.csv")]) == 2
    assert "template required" in capsys.readouterr().err
    assert main([*common, "--format", "moodle", "--column", "02_models", "--out", str(tmp_path / "y.csv")]) == 2
    assert "LESSON=COLUMN" in capsys.readouterr().err
