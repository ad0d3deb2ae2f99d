"""An instructor's batch as it comes from an LMS, through the real grading path (grader grade CLI):
a zip download, a roster in CP949, a notebook of another lesson, a file that names no one, a student
who handed in nothing; then shards + merge, the class report and the course gradebook."""

import csv
import io
import zipfile

import nbformat
import pytest

from grader.host.cli import main
from grader.host.samples import filled
from tests.conftest import ROOT

LESSON = "01_layers"
ROSTER = "학번,이름,이메일,LMS_ID\n2024000001,홍길동,hong@example.ac.kr,12345\n2024000002,김철수,,12346\n" \
         "2024000003,이서연,,12347\n"


def rows(path):
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return {row["student"]: row for row in csv.DictReader(handle)}


@pytest.fixture(scope="module")
def lms_download(course, tmp_path_factory):
    folder = tmp_path_factory.mktemp("lms")
    from grader.host.release import student_notebook

    solution = nbformat.read(course.solution_path(course.lesson(LESSON)), as_version=4)
    released = student_notebook(solution, course, course.lesson(LESSON))
    other = nbformat.read(ROOT / "lessons" / "02_models.ipynb", as_version=4)
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as bundle:  # Canvas names carry the LMS id, not the 학번
        bundle.writestr(f"hongildong_12345_67890_{LESSON}.ipynb", nbformat.writes(filled(released, solution)))
        bundle.writestr(f"kimcheolsu_12346_67891_{LESSON}.ipynb", nbformat.writes(other))
        bundle.writestr(f"Copy of {LESSON}.ipynb", nbformat.writes(released))
    (folder / "submissions.zip").write_bytes(archive.getvalue())
    (folder / "roster.csv").write_bytes(ROSTER.encode("cp949"))  # as Korean Excel saves it
    return folder


def test_zip_roster_other_lesson_unmatched_and_missing_in_one_batch(lms_download, tmp_path, capsys):
    out = tmp_path / "out"
    code = main(["--course", str(ROOT), "grade", "--lesson", LESSON, "--out", str(out), "--roster",
                 str(lms_download / "roster.csv"), "--cell-timeout", "60", str(lms_download / "submissions.zip")])
    assert code == 0
    grades = rows(out / "grades.csv")
    assert set(grades) == {"2024000001", "2024000002", "2024000003"}  # ids are 학번, nothing invented
    assert grades["2024000001"]["status"] == "ok" and grades["2024000001"]["score"] == grades["2024000001"][
        "max_score"]
    assert grades["2024000001"]["name"] == "홍길동"
    other = grades["2024000002"]
    assert other["status"] == "not_lesson" and other["score"] == "0" and "02_models" in other["reason"]
    assert not (out / "notebooks" / "2024000002.ipynb").exists()  # recognised, never executed
    assert grades["2024000003"]["status"] == "missing" and grades["2024000003"]["score"] == "0"
    with open(out / "intake.csv", encoding="utf-8-sig", newline="") as handle:
        problems = list(csv.DictReader(handle))
    assert [p["kind"] for p in problems].count("unmatched") == 1 and f"Copy of {LESSON}" in str(problems)
    printed = capsys.readouterr().out
    assert "unmatched" in printed and "미제출" in printed
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "미제출" in page and "이서연" in page and "data:image/png;base64," in page


def test_shards_and_merge_list_a_missing_student_once(lms_download, tmp_path):
    roster = str(lms_download / "roster.csv")
    for k in (1, 2):
        assert main(["--course", str(ROOT), "grade", "--lesson", LESSON, "--out", str(tmp_path / f"s{k}"),
                     "--roster", roster, "--shard", f"{k}/2", str(lms_download / "submissions.zip")]) == 0
    assert main(["--course", str(ROOT), "merge", "--out", str(tmp_path / "all"),
                 str(tmp_path / "s1"), str(tmp_path / "s2")]) == 0
    merged = rows(tmp_path / "all" / "grades.csv")
    assert sorted(merged) == ["2024000001", "2024000002", "2024000003"]
    assert merged["2024000003"]["status"] == "missing"
    assert "미제출" in (tmp_path / "all" / "report.html").read_text(encoding="utf-8")
    assert main(["--course", str(ROOT), "gradebook", "--out", str(tmp_path / "book"), str(tmp_path / "all")]) == 0
    book = rows(tmp_path / "book" / "gradebook.csv")
    assert book["2024000003"][LESSON] == "0" and book["2024000003"]["missing"] == "1"
    assert float(book["2024000001"]["total"]) == float(merged["2024000001"]["score"])


def test_shard_auto_reads_a_slurm_array_that_does_not_start_at_zero(lms_download, tmp_path, monkeypatch):
    arguments = ["--course", str(ROOT), "grade", "--lesson", LESSON, "--roster", str(lms_download / "roster.csv"),
                 str(lms_download / "submissions.zip")]
    assert main([*arguments, "--out", str(tmp_path / "explicit"), "--shard", "1/3"]) == 0
    monkeypatch.setenv("SLURM_ARRAY_TASK_ID", "5")  # sbatch --array=5-7: the first of three tasks
    monkeypatch.setenv("SLURM_ARRAY_TASK_MIN", "5")
    monkeypatch.setenv("SLURM_ARRAY_TASK_COUNT", "3")
    assert main([*arguments, "--out", str(tmp_path / "auto"), "--shard", "auto"]) == 0
    assert rows(tmp_path / "auto" / "grades.csv") == rows(tmp_path / "explicit" / "grades.csv") != {}
    monkeypatch.setenv("SLURM_ARRAY_TASK_ID", "9")  # outside the array: a clear error, nothing graded
    assert main([*arguments, "--out", str(tmp_path / "wrong"), "--shard", "auto"]) == 2
    assert not (tmp_path / "wrong").exists()
