"""`grader grade --shard K/N` on N machines, then `grader merge`, equals one unsharded run."""

from grader.host.cli import main
from grader.host.execute import Limits
from grader.host.grade import Assignment
from grader.host.sharding import in_shard
from grader.host.samples import sample_class, write_class

QUICK = ("김민준", "이서연", "broken_json", "empty", "report", "not_notebook")


def test_sharded_and_merged_equals_unsharded(course, tmp_path):
    lesson = course.lessons[0]
    assignment = Assignment.load(course, lesson, Limits())
    every = sample_class(assignment.solution, assignment.released, lesson.name, [])
    write_class({name: nb for name, nb in every.items() if any(f"_{quick}_" in name for quick in QUICK)},
                tmp_path / "class")
    common = ["--course", str(course.root)]
    grade = ["grade", "--lesson", lesson.name, "--jobs", "2", str(tmp_path / "class")]
    assert main([*common, *grade, "--out", str(tmp_path / "all")]) == 0
    for k in (1, 2, 3):
        assert main([*common, *grade, "--out", str(tmp_path / f"shard{k}"), "--shard", f"{k}/3"]) == 0
    shards = [str(tmp_path / f"shard{k}") for k in (1, 2, 3)]
    assert main([*common, "merge", "--out", str(tmp_path / "merged"), *shards]) == 0

    merged = (tmp_path / "merged" / "grades.csv").read_text(encoding="utf-8-sig")
    assert merged == (tmp_path / "all" / "grades.csv").read_text(encoding="utf-8-sig")
    assert len(merged.splitlines()) == len(QUICK) + 1
    sizes = [len(list((tmp_path / f"shard{k}").glob("*.json"))) for k in (1, 2, 3)]
    assert sum(sizes) == len(QUICK) and max(sizes) < len(QUICK)


def test_shards_partition_students_deterministically():
    students = [f"2024{n:06d}_학생" for n in range(300)]
    for n in (1, 2, 5):
        owners = [[k for k in range(1, n + 1) if in_shard(s, (k, n))] for s in students]
        assert all(len(owner) == 1 for owner in owners)
        counts = [sum(o == [k] for o in owners) for k in range(1, n + 1)]
        assert min(counts) > 300 / n * 0.6
