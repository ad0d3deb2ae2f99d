"""grader return: every student's feedback page in the layout an LMS takes back — Moodle's participant folders
(read back the way Moodle's 'upload multiple feedback files in a zip' matches them), else 학번 folders + CSV."""

import csv
import io
import unicodedata
import zipfile

import pytest

from grader.host.cli import main
from grader.host.feedback_return import MAPPING_NAME, moodle_folder, return_feedback
from grader.host.intake.names import naming
from grader.host.intake.roster import Student, read_roster
from grader.host.lms_export import ExportError, LmsFormat, ProblemKind
from tests.conftest import ROOT
from tests.lms_class import moodle_feedback_zip, write_class

PARTICIPANTS = {12345, 12346, 12347, 12348}  # this assignment's Moodle participants (the roster's LMS_ID)


@pytest.fixture
def klass(tmp_path):
    roster, dirs = write_class(tmp_path / "class")
    return read_roster(roster), dirs, roster


def test_moodle_zip_gives_each_page_to_its_participant(klass, tmp_path):
    roster, (layers, _), _ = klass
    out = tmp_path / "feedback.zip"
    report = return_feedback(LmsFormat.MOODLE, layers, out, roster)
    with zipfile.ZipFile(out) as archive:
        names = archive.namelist()
        found = moodle_feedback_zip(archive, PARTICIPANTS)
        assert all(info.flag_bits & 0x800 for info in archive.infolist())  # UTF-8 names: Korean intact
    assert names == ["홍길동_12345_assignsubmission_file_/01_layers_feedback.html",
                     "김철수_12346_assignsubmission_file_/01_layers_feedback.html",
                     "박민준_12348_assignsubmission_file_/01_layers_feedback.html"]
    assert all(unicodedata.is_normalized("NFC", name) for name in names)
    assert set(found) == {12345, 12346, 12348}  # 12347 handed nothing in: no page, listed
    [(name, page)] = found[12346]
    assert name == "01_layers_feedback.html" and page == (layers / "2024000002.html").read_bytes()
    assert "2024000002" in page.decode("utf-8")  # the page grading wrote for this student
    assert report.pages == 3 and [(p.kind, p.who) for p in report.problems] == [
        (ProblemKind.NOT_SUBMITTED, "2024000003 이서연")]


def test_moodle_needs_participant_ids_and_a_zip(klass, tmp_path):
    roster, (layers, _), _ = klass
    roster[0] = Student("2024000001", "홍길동", "hong@example.ac.kr", "hong01")  # a login, not a participant id
    report = return_feedback(LmsFormat.MOODLE, layers, tmp_path / "f.zip", roster)
    assert (ProblemKind.NO_IDENTIFIER, "2024000001 홍길동") in [(p.kind, p.who) for p in report.problems]
    with zipfile.ZipFile(tmp_path / "f.zip") as archive:
        assert 12345 not in moodle_feedback_zip(archive, PARTICIPANTS)
    no_roster = return_feedback(LmsFormat.MOODLE, layers, tmp_path / "g.zip")
    assert no_roster.pages == 0 and {p.kind for p in no_roster.problems} >= {ProblemKind.NO_IDENTIFIER}
    with pytest.raises(ExportError, match="Moodle takes a zip"):
        return_feedback(LmsFormat.MOODLE, layers, tmp_path / "folder", roster)
    with pytest.raises(ExportError, match="no result folder"):
        return_feedback(LmsFormat.MOODLE, tmp_path / "nowhere", tmp_path / "h.zip", roster)


def test_moodle_folder_names_keep_no_underscore_or_slash():
    assert moodle_folder(Student("1", "Kim_Min/Su", "", "42")) == "Kim Min Su_42_assignsubmission_file_"
    folder = moodle_folder(Student("2024000001", "홍길동", "", "12345"))  # intake reads the download's names alike
    assert naming([folder, "01_layers.ipynb"], "01_layers") == ("홍길동", "moodle:12345", None)
    assert moodle_folder(Student("1", "", "", "42")).split("_", 4)[:4] == [
        "student", "42", "assignsubmission", "file"]


@pytest.mark.parametrize("suffix", [".zip", ""])
def test_canvas_and_others_get_student_folders_and_a_mapping_csv(klass, tmp_path, suffix):
    roster, (_, models), _ = klass
    out = tmp_path / f"canvas_feedback{suffix}"
    report = return_feedback(LmsFormat.CANVAS, models, out, roster)
    if suffix:
        with zipfile.ZipFile(out) as archive:
            files = {name: archive.read(name) for name in archive.namelist()}
    else:
        files = {str(p.relative_to(out)): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    mapping = list(csv.DictReader(io.StringIO(files.pop(MAPPING_NAME).decode("utf-8-sig"))))
    assert [(m["학번"], m["이름"], m["LMS_ID"], m["파일"]) for m in mapping] == [
        ("2024000001", "홍길동", "12345", "2024000001/02_models_feedback.html"),
        ("2024000002", "김철수", "12346", "2024000002/02_models_feedback.html"),
        ("2024000003", "이서연", "12347", "2024000003/02_models_feedback.html"),
        ("2024000004", "박민준", "12348", "2024000004/02_models_feedback.html")]
    assert set(files) == {m["파일"] for m in mapping}
    assert files["2024000002/02_models_feedback.html"] == (models / "2024000002.html").read_bytes()
    assert report.problems == [] and report.pages == 4


def test_a_missing_page_is_listed(klass, tmp_path):
    roster, (layers, _), _ = klass
    (layers / "2024000001.html").unlink()
    report = return_feedback(LmsFormat.CSV, layers, tmp_path / "out.zip", roster)
    assert (ProblemKind.NO_FEEDBACK_PAGE, "2024000001 홍길동") in [(p.kind, p.who) for p in report.problems]
    with open(report.problems_path, encoding="utf-8-sig", newline="") as handle:
        assert {row["kind"] for row in csv.DictReader(handle)} == {"no_feedback_page", "not_submitted"}


def test_cli_return(klass, tmp_path, capsys):
    _, (layers, _), roster = klass
    out = tmp_path / "moodle_feedback.zip"
    assert main(["--course", str(ROOT), "return", "--format", "moodle", "--roster", str(roster), "--out", str(out),
                 str(layers)]) == 0
    printed = capsys.readouterr().out
    assert "페이지 3개" in printed and "not submitted" in printed
    with zipfile.ZipFile(out) as archive:
        assert set(moodle_feedback_zip(archive, PARTICIPANTS)) == {12345, 12346, 12348}
    assert main(["--course", str(ROOT), "return", "--format", "moodle", "--out", str(tmp_path / "x"),
                 str(layers)]) == 2
    assert "Moodle takes a zip" in capsys.readouterr().err
