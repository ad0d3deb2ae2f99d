"""grader.host.gradebook: all lessons' result folders in one Excel-friendly table (no notebook runs)."""

import csv
import json

from grader.host.gradebook import gradebook, read_results
from grader.host.intake.roster import Student


def result(student, lesson, score, max_score=10, status="ok"):
    return {"student": student, "lesson": lesson, "file": f"{student}.ipynb", "fingerprint": "", "status": status,
            "reason": "", "score": score, "max_score": max_score, "tests": [], "notes": [], "review": []}


def results_folder(folder, *results):
    folder.mkdir(parents=True)
    for data in results:
        (folder / f"{data['student']}.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    (folder / "grades.csv").write_text("student\n", encoding="utf-8-sig")
    return folder


def rows(path):
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_one_table_in_course_order_with_totals_and_missing(tmp_path, course):
    first = results_folder(tmp_path / "l01", result("2024000001", "01_layers", 8),
                           result("2024000002", "01_layers", 10),
                           result("2024000003", "01_layers", 0, status="missing"))
    third = results_folder(tmp_path / "l03", result("2024000001", "03_losses_optimizers", 5, 12),
                           result("2024000003", "03_losses_optimizers", 3, 12, status="timeout"))
    (third / "intake.json").write_text('{"unmatched": []}', encoding="utf-8")  # not a student result
    book = gradebook([third, first], tmp_path / "out", course=course)  # folders in any order
    assert book.path.read_bytes().startswith(b"\xef\xbb\xbf")  # BOM: Excel shows Korean correctly
    table = rows(book.path)
    assert list(table[0]) == ["student", "name", "01_layers", "03_losses_optimizers", "total", "max_total",
                              "missing", "notes"]
    by_id = {row["student"]: row for row in table}
    assert by_id["2024000001"] == {"student": "2024000001", "name": "", "01_layers": "8",
                                        "03_losses_optimizers": "5", "total": "13", "max_total": "22",
                                        "missing": "0", "notes": ""}
    assert (by_id["2024000002"]["03_losses_optimizers"], by_id["2024000002"]["missing"]) == ("0", "1")  # no result
    assert by_id["2024000003"]["missing"] == "1" and by_id["2024000003"]["notes"] == "03_losses_optimizers: timeout"
    assert by_id["2024000003"]["total"] == "3"


def test_roster_adds_names_and_students_without_any_result(tmp_path, course):
    folder = results_folder(tmp_path / "l02", result("2024000001", "02_models", 7.5))
    roster = [Student("2024000001", "홍길동"), Student("2024000009", "김민")]
    table = rows(gradebook([folder], tmp_path / "out", course=course, roster=roster).path)
    assert [(r["student"], r["name"], r["02_models"], r["missing"]) for r in table] == [
        ("2024000001", "홍길동", "7.5", "0"), ("2024000009", "김민", "0", "1")]


def test_shards_and_duplicates(tmp_path, course):
    a = results_folder(tmp_path / "a", result("1", "01_layers", 4), result("2", "01_layers", 0, status="missing"))
    b = results_folder(tmp_path / "b", result("2", "01_layers", 9), result("1", "01_layers", 6))
    book = gradebook([a, b], tmp_path / "out", course=course)
    assert {r["student"]: r["01_layers"] for r in book.rows} == {"1": "6", "2": "9"}
    assert len(book.warnings) == 1 and "duplicate" in book.warnings[0]
    empty = tmp_path / "empty"
    empty.mkdir()
    assert "no results" in gradebook([a, empty], tmp_path / "out2").warnings[0]
    assert read_results(empty) == []
