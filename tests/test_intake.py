"""grader.host.intake: finding submissions in folders and LMS zips, naming students, roster, shards.

Fast: no TensorFlow, no notebook execution; every file is built here in a temporary folder.
"""

import io
import json
import os
import pathlib
import time
import unicodedata
import zipfile

import pytest

from grader.host.intake.archives import ZipLimits
from grader.host.intake.roster import Student, contains_token, read_roster
from grader.host.intake.submissions import gather, write_problems_csv
from grader.host.sharding import ShardError, shard_from_environment

LESSON = "01_layers"
NOTEBOOK = json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": []}).encode()
ROSTER = [Student("2024000001", "홍길동", "hong@example.ac.kr", "12345"),
          Student("2024000002", "김철수", "", "12346"),
          Student("2024000003", "김민", "", "hongildong2"),
          Student("2024000004", "김민수", "", ""),
          Student("2024000005", "이서연", "", "")]


def notebook(tag=""):
    return NOTEBOOK.replace(b'"metadata": {}', b'"metadata": {"tag": "%s"}' % tag.encode())


def write(folder, name, data=None, mtime=None):
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(notebook(name) if data is None else data)
    if mtime is not None:
        os.utime(path, (mtime, mtime))
    return path


def make_zip(entries, raw_names=None):
    """Zip bytes; entries: {name: bytes or (bytes, date_time)}; raw_names: {ascii placeholder: raw name bytes}."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            data, when = content if isinstance(content, tuple) else (content, (2024, 3, 1, 12, 0, 0))
            archive.writestr(zipfile.ZipInfo(name, when), data, zipfile.ZIP_DEFLATED)
    data = buffer.getvalue()
    for placeholder, raw in (raw_names or {}).items():
        assert len(placeholder.encode()) == len(raw)
        data = data.replace(placeholder.encode(), raw)  # local header and central directory
    return data


def students(intake):
    return {s.student: s for s in intake.submissions}


def origins(problems):
    return {origin for origin, _ in problems}


# ----------------------------------------------------------------------------- names without a roster

def test_colab_and_browser_renames_never_become_ids(tmp_path):
    write(tmp_path, "2024000001_홍길동_01_layers의 사본.ipynb")
    write(tmp_path, "Copy of 2024000002_김철수_01_layers.ipynb")
    write(tmp_path, "Copy of Copy of 이서연 01_layers.ipynb")
    write(tmp_path, "박지호_01_layers - 복사본.ipynb")
    write(tmp_path, "hong.gildong-01_layers.ipynb")
    write(tmp_path, "01_layers의 사본.ipynb")
    write(tmp_path, "Copy of 01_layers (1).ipynb")
    intake = gather([tmp_path], LESSON)
    assert set(students(intake)) == {"2024000001_홍길동", "2024000002_김철수", "이서연", "박지호", "hong.gildong"}
    assert origins(intake.unmatched) == {str(tmp_path / "01_layers의 사본.ipynb"),
                                         str(tmp_path / "Copy of 01_layers (1).ipynb")}
    assert all("no student name" in reason for _, reason in intake.unmatched)


def test_a_second_download_of_the_same_file_is_superseded_by_the_newest(tmp_path):
    old = write(tmp_path, "2024000003_박지호_01_layers.ipynb", notebook("old"), mtime=1_700_000_000)
    new = write(tmp_path, "2024000003_박지호_01_layers (1).ipynb", notebook("new"), mtime=1_700_000_500)
    intake = gather([tmp_path], LESSON)
    [only] = intake.submissions
    assert (only.student, only.origin, only.data) == ("2024000003_박지호", str(new), notebook("new"))
    assert only.modified == 1_700_000_500
    assert origins(intake.superseded) == {str(old)} and "superseded" in intake.superseded[0].reason


def test_a_notebook_wins_over_a_newer_file_that_is_not_a_notebook(tmp_path):
    write(tmp_path, "2024000003_박지호_01_layers.ipynb", mtime=1_700_000_000)
    write(tmp_path, "2024000003_박지호_01_layers.pdf", b"%PDF", mtime=1_700_000_900)
    write(tmp_path, "2024000004_report_01_layers.pdf", b"%PDF")  # only a pdf: still graded (as invalid)
    intake = gather([tmp_path], LESSON)
    assert students(intake)["2024000003_박지호"].origin.endswith(".ipynb")
    assert students(intake)["2024000004_report"].origin.endswith(".pdf")
    assert "not a notebook" in intake.superseded[0].reason


def test_macos_nfd_names_become_nfc_and_junk_is_skipped(tmp_path):
    write(tmp_path, unicodedata.normalize("NFD", "2024000021_정하늘_01_layers.ipynb"))
    write(tmp_path, ".DS_Store", b"\x00junk")
    write(tmp_path, "__MACOSX/._2024000021_정하늘_01_layers.ipynb", b"junk")
    write(tmp_path, ".ipynb_checkpoints/2024000021_정하늘_01_layers-checkpoint.ipynb")
    write(tmp_path, "Thumbs.db", b"junk")
    intake = gather([tmp_path], LESSON)
    assert list(students(intake)) == ["2024000021_정하늘"]
    assert not intake.unmatched and not intake.refused and not intake.superseded


def test_folder_per_student_uses_the_folder_when_the_file_name_says_nothing(tmp_path):
    write(tmp_path, "홍길동/01_layers.ipynb")
    write(tmp_path, "김철수/Copy of 01_layers.ipynb")
    assert set(students(gather([tmp_path], LESSON))) == {"홍길동", "김철수"}


def test_moodle_zip_folder_per_student(tmp_path):
    archive = tmp_path / "KERAS-01_layers-모든 제출물.zip"
    archive.write_bytes(make_zip({
        "홍길동_12345_assignsubmission_file_/01_layers.ipynb": notebook("a"),
        "김철수_12346_assignsubmission_file_/01_layers의 사본.ipynb": notebook("b"),
        "김철수_12346_assignsubmission_onlinetext_/onlinetext.html": b"<p>hi</p>",
        "__MACOSX/홍길동_12345_assignsubmission_file_/._01_layers.ipynb": b"junk",
        "홍길동_12345_assignsubmission_file_/.DS_Store": b"junk",
    }))
    intake = gather([archive], LESSON)
    found = students(intake)
    assert set(found) == {"홍길동", "김철수"}
    assert found["김철수"].origin == f"{archive}!김철수_12346_assignsubmission_file_/01_layers의 사본.ipynb"
    assert found["김철수"].data == notebook("b")
    with_roster = gather([archive], LESSON, roster=ROSTER)
    assert {s.student: s.name for s in with_roster.submissions} == {"2024000001": "홍길동", "2024000002": "김철수"}


def test_same_display_name_two_lms_users_are_kept_apart(tmp_path):
    archive = tmp_path / "moodle.zip"
    archive.write_bytes(make_zip({"김민준_111_assignsubmission_file_/01_layers.ipynb": notebook("a"),
                                  "김민준_222_assignsubmission_file_/01_layers.ipynb": notebook("b")}))
    assert set(students(gather([archive], LESSON))) == {"김민준_111", "김민준_222"}


def test_names_that_only_look_like_canvas_are_not_merged(tmp_path):
    write(tmp_path, "2024000001_1_2_final.ipynb")
    write(tmp_path, "2024000002_1_2_final.ipynb")
    assert set(students(gather([tmp_path], LESSON))) == {"2024000001", "2024000002"}


def test_canvas_names_with_late_and_resubmission(tmp_path):
    write(tmp_path, "hongildong_12345_67890_01_layers.ipynb", mtime=1_700_000_000)
    write(tmp_path, "hongildong_12345_67999_01_layers-1.ipynb", notebook("again"), mtime=1_700_000_600)
    write(tmp_path, "kimcheolsu_late_12346_67891_01_layers.ipynb")
    intake = gather([tmp_path], LESSON)
    assert set(students(intake)) == {"hongildong", "kimcheolsu"}
    assert students(intake)["hongildong"].data == notebook("again")
    by_roster = students(gather([tmp_path], LESSON, roster=ROSTER))  # Canvas names carry the LMS id
    assert set(by_roster) == {"2024000001", "2024000002"}


def test_blackboard_timestamp_in_the_name_decides_the_newest(tmp_path):
    write(tmp_path, "과제1_hongildong2_attempt_2024-03-15-10-30-00_01_layers.ipynb", notebook("late"),
          mtime=1_600_000_000)
    write(tmp_path, "과제1_hongildong2_attempt_2024-03-14-09-00-00_01_layers.ipynb", notebook("early"),
          mtime=1_700_000_000)
    intake = gather([tmp_path], LESSON, roster=ROSTER)
    [only] = intake.submissions
    assert (only.student, only.name, only.data) == ("2024000003", "김민", notebook("late"))
    assert time.localtime(only.modified)[:6] == (2024, 3, 15, 10, 30, 0)


# ----------------------------------------------------------------------------- zips as bad input

def test_cp949_entry_names_without_the_utf8_flag_are_decoded(tmp_path):
    korean = "2024000001_홍길동_01_layers.ipynb"
    placeholder = "X" * len(korean.encode("cp949"))
    data = make_zip({placeholder: notebook("cp949")}, raw_names={placeholder: korean.encode("cp949")})
    assert not zipfile.ZipFile(io.BytesIO(data)).infolist()[0].flag_bits & 0x800
    archive = tmp_path / "windows.zip"
    archive.write_bytes(data)
    [only] = gather([archive], LESSON).submissions
    assert only.student == "2024000001_홍길동" and only.origin == f"{archive}!{korean}"


def test_utf8_entry_names_without_the_flag_are_decoded(tmp_path):
    name = unicodedata.normalize("NFD", "이서연_01_layers.ipynb")  # macOS zip: UTF-8 NFD, no flag
    placeholder = "Y" * len(name.encode())
    archive = tmp_path / "mac.zip"
    archive.write_bytes(make_zip({placeholder: notebook()}, raw_names={placeholder: name.encode()}))
    assert list(students(gather([archive], LESSON))) == ["이서연"]


def test_entries_climbing_out_or_absolute_are_refused_and_the_rest_is_kept(tmp_path):
    archive = tmp_path / "evil.zip"
    archive.write_bytes(make_zip({"../2024000001_홍길동.ipynb": notebook(), "/etc/2024000002.ipynb": notebook(),
                                  "a/../../x_2024000005.ipynb": notebook(), "C:\\2024000004.ipynb": notebook(),
                                  "ok/2024000005_이서연_01_layers.ipynb": notebook()}))
    intake = gather([archive], LESSON, roster=ROSTER)
    assert list(students(intake)) == ["2024000005"]
    reasons = dict(intake.refused)
    assert "traversal" in reasons[f"{archive}!../2024000001_홍길동.ipynb"]
    assert "traversal" in reasons[f"{archive}!a/../../x_2024000005.ipynb"]
    assert "absolute" in reasons[f"{archive}!/etc/2024000002.ipynb"]
    assert "absolute" in reasons[f"{archive}!C:/2024000004.ipynb"]


def test_a_zip_bomb_is_stopped_by_the_default_limits(tmp_path):
    archive = tmp_path / "bomb.zip"
    archive.write_bytes(make_zip({"2024000001_bomb.ipynb": b"\0" * (20 << 20), "2024000002_ok.ipynb": notebook()}))
    assert archive.stat().st_size < 100_000
    intake = gather([archive], LESSON)
    assert list(students(intake)) == ["2024000002_ok"]
    [(origin, reason)] = intake.refused
    assert origin.endswith("2024000001_bomb.ipynb") and "zip bomb" in reason


def test_total_and_entry_size_limits(tmp_path):
    archive = tmp_path / "big.zip"
    archive.write_bytes(make_zip({f"{n}_student.ipynb": b"x" * 4000 for n in range(1, 6)}))
    intake = gather([archive], LESSON, limits=ZipLimits(max_total=10_000))
    assert len(intake.submissions) == 2 and len(intake.refused) == 3
    assert all("total" in reason for _, reason in intake.refused)
    intake = gather([archive], LESSON, limits=ZipLimits(max_entry=3000))
    assert not intake.submissions and all("too large" in reason for _, reason in intake.refused)


def test_unreadable_archives_are_refused_and_the_batch_goes_on(tmp_path):
    write(tmp_path, "broken.zip", b"PK\x03\x04 not really a zip")
    write(tmp_path, "2024000005_이서연_01_layers.ipynb")
    intake = gather([tmp_path], LESSON)
    assert list(students(intake)) == ["2024000005_이서연"]
    assert intake.refused[0].origin == str(tmp_path / "broken.zip")
    assert "unreadable archive" in intake.refused[0].reason


def test_a_students_own_zip_inside_the_lms_download(tmp_path):
    inner = make_zip({"01_layers.ipynb": notebook("inner")})
    archive = tmp_path / "moodle.zip"
    archive.write_bytes(make_zip({"홍길동_12345_assignsubmission_file_/숙제.zip": inner}))
    [only] = gather([archive], LESSON, roster=ROSTER).submissions
    assert only.student == "2024000001" and only.data == notebook("inner")
    assert only.origin == f"{archive}!홍길동_12345_assignsubmission_file_/숙제.zip!01_layers.ipynb"


def test_newest_zip_entry_wins(tmp_path):
    archive = tmp_path / "lms.zip"
    archive.write_bytes(make_zip({
        "a/2024000001_홍길동_01_layers.ipynb": (notebook("new"), (2024, 3, 2, 9, 0, 0)),
        "b/2024000001_홍길동_01_layers.ipynb": (notebook("old"), (2024, 3, 1, 9, 0, 0))}))
    intake = gather([archive], LESSON, roster=ROSTER)
    assert intake.submissions[0].data == notebook("new")
    assert origins(intake.superseded) == {f"{archive}!b/2024000001_홍길동_01_layers.ipynb"}


def test_inputs_are_read_once_and_never_opened_for_writing(tmp_path, monkeypatch):
    write(tmp_path, "2024000001_홍길동_01_layers.ipynb")
    write(tmp_path, "lms.zip", make_zip({"2024000002_김철수.ipynb": notebook()}))
    for path in tmp_path.iterdir():
        path.chmod(0o444)
    opened, real_open = [], pathlib.Path.open

    def spy(self, mode="r", *args, **kwargs):
        opened.append((self.name, mode))
        return real_open(self, mode, *args, **kwargs)

    monkeypatch.setattr(pathlib.Path, "open", spy)
    intake = gather([tmp_path], LESSON, roster=ROSTER)
    assert len(intake.submissions) == 2
    assert sorted(opened) == [("2024000001_홍길동_01_layers.ipynb", "rb"), ("lms.zip", "rb")]
    assert intake.submissions[0].sha256 == __import__("hashlib").sha256(intake.submissions[0].data).hexdigest()


# ----------------------------------------------------------------------------- roster

ROSTER_CSV = "학번,이름,이메일,LMS_ID\r\n2024000001,홍길동,hong@example.ac.kr,12345\r\n2024000002, 김철수 ,,\r\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp949"])
def test_roster_in_each_encoding_korean_excel_writes(tmp_path, encoding):
    path = tmp_path / "roster.csv"
    path.write_bytes(ROSTER_CSV.encode(encoding))
    assert read_roster(path) == [Student("2024000001", "홍길동", "hong@example.ac.kr", "12345"),
                                 Student("2024000002", "김철수", "", "")]


def test_roster_errors_are_clear(tmp_path):
    path = tmp_path / "roster.csv"
    path.write_text("번호,성\n1,홍\n", encoding="utf-8")
    with pytest.raises(ValueError, match="학번"):
        read_roster(path)
    path.write_text("학번,이름\n1,홍길동\n1,김철수\n", encoding="utf-8")
    with pytest.raises(ValueError, match="duplicate"):
        read_roster(path)


def test_two_syllable_name_never_matches_inside_a_longer_name(tmp_path):
    assert contains_token("김민_01_layers", "김민") and not contains_token("김민수_01_layers", "김민")
    assert contains_token("2024000001홍길동", "2024000001") and not contains_token("12024000001", "2024000001")
    write(tmp_path, "김민수_01_layers.ipynb")
    write(tmp_path, "sub/김민 01_layers.ipynb")
    found = students(gather([tmp_path], LESSON, roster=ROSTER))
    assert {s: v.name for s, v in found.items()} == {"2024000004": "김민수", "2024000003": "김민"}


def test_unmatched_files_are_listed_not_graded_and_missing_students_are_named(tmp_path):
    write(tmp_path, "누군가_01_layers.ipynb")  # no one
    write(tmp_path, "홍길동_김철수_01_layers.ipynb")  # two names
    write(tmp_path, "2024000001_김철수_01_layers.ipynb")  # 학번 and name disagree
    write(tmp_path, "2024000005_이서연_01_layers.ipynb")
    intake = gather([tmp_path], LESSON, roster=ROSTER + [Student("2024000099", "김철수")])
    assert list(students(intake)) == ["2024000005"]
    reasons = {pathlib.Path(origin).name: reason for origin, reason in intake.unmatched}
    assert "matches no roster student" in reasons["누군가_01_layers.ipynb"]
    assert "several" in reasons["홍길동_김철수_01_layers.ipynb"]
    assert "different students" in reasons["2024000001_김철수_01_layers.ipynb"]
    assert [s.id for s in intake.missing] == ["2024000001", "2024000002", "2024000003", "2024000004", "2024000099"]
    write_problems_csv(intake, tmp_path / "intake.csv")
    kinds = [line.split(",")[0] for line in (tmp_path / "intake.csv").read_text(encoding="utf-8-sig").splitlines()]
    assert kinds.count("unmatched") == 3 and kinds.count("missing") == 5
    assert any("미제출" in line for line in intake.summary())


# ----------------------------------------------------------------------------- shards

def test_shard_text_and_errors():
    assert shard_from_environment("2/8", env={}) == (2, 8)
    assert shard_from_environment(None, env={}) == (1, 1)
    for bad in ("0/8", "9/8", "x/2", "3"):
        with pytest.raises(ShardError):
            shard_from_environment(bad, env={})


def slurm(task, first, count, step=None):
    env = {"SLURM_ARRAY_TASK_ID": str(task), "SLURM_ARRAY_TASK_MIN": str(first),
           "SLURM_ARRAY_TASK_COUNT": str(count)}
    return env | ({"SLURM_ARRAY_TASK_STEP": str(step)} if step else {})


def test_slurm_array_with_min_not_zero_covers_every_shard_once():
    assert shard_from_environment("auto", slurm(0, 0, 8)) == (1, 8)
    assert [shard_from_environment("auto", slurm(t, 5, 4)) for t in range(5, 9)] == [(k, 4) for k in range(1, 5)]
    assert shard_from_environment("auto", slurm(8, 0, 4, step=4)) == (3, 4)  # --array=0-15:4
    assert shard_from_environment("auto/4", slurm(6, 5, 4)) == (2, 4)
    with pytest.raises(ShardError, match="count mismatch"):
        shard_from_environment("auto/8", slurm(6, 5, 4))
    with pytest.raises(ShardError, match="out of range"):
        shard_from_environment("auto", slurm(9, 5, 4))
    with pytest.raises(ShardError, match="SLURM_ARRAY_TASK_COUNT"):
        shard_from_environment("auto", {"SLURM_ARRAY_TASK_ID": "1"})


def test_kubernetes_indexed_job_needs_the_count():
    assert shard_from_environment("auto/3", {"JOB_COMPLETION_INDEX": "0"}) == (1, 3)
    assert shard_from_environment("auto/3", {"JOB_COMPLETION_INDEX": "2"}) == (3, 3)
    with pytest.raises(ShardError, match="out of range"):
        shard_from_environment("auto/3", {"JOB_COMPLETION_INDEX": "3"})
    with pytest.raises(ShardError, match="auto/N"):
        shard_from_environment("auto", {"JOB_COMPLETION_INDEX": "1"})
    with pytest.raises(ShardError, match="no job array"):
        shard_from_environment("auto", {})
