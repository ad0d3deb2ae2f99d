"""benchmarks/results_file.py: a benchmark replaces its own section of RESULTS.md and leaves the others."""

import datetime

from benchmarks import results_file

TEXT = """# 벤치마크 결과

어떻게 쓰이는지.

## 채점 처리량 (grading.py, 01_layers)

old figures
### a subsection

## 변이 테스트 (mutants, 모든 레슨)

| 레슨 | 잡은 비율 |
|---|---:|
| `01_layers` | 100.0% |
"""


def test_a_section_is_replaced_and_the_others_kept(tmp_path, monkeypatch):
    path = tmp_path / "RESULTS.md"
    path.write_text(TEXT, encoding="utf-8")
    monkeypatch.setenv("BENCHMARK_RESULTS", str(path))
    results_file.record("채점 처리량 (grading.py, 01_layers)", results_file.table(["a", "b"], [["x", 1.5]]))
    text = path.read_text(encoding="utf-8")
    assert "old figures" not in text and "a subsection" not in text and "| x | 1.5 |" in text
    assert text.startswith("# 벤치마크 결과\n\n어떻게 쓰이는지.\n\n## 채점 처리량")
    assert text.endswith(TEXT[TEXT.index("## 변이 테스트"):])


def test_recording_twice_is_idempotent_and_a_new_section_goes_last(tmp_path, monkeypatch):
    path = tmp_path / "RESULTS.md"
    path.write_text(TEXT, encoding="utf-8")
    monkeypatch.setenv("BENCHMARK_RESULTS", str(path))
    results_file.record("Colab 규모 (colab_scale.py, 모든 레슨)", "figures")
    once = path.read_text(encoding="utf-8")
    results_file.record("Colab 규모 (colab_scale.py, 모든 레슨)", "figures")
    assert path.read_text(encoding="utf-8") == once
    assert once.startswith(TEXT.rstrip("\n")) and once.endswith("\n\nfigures\n")
    assert once.count("## Colab 규모") == 1


def test_a_section_records_date_commit_command_and_machine(tmp_path, monkeypatch):
    path = tmp_path / "RESULTS.md"
    monkeypatch.setenv("BENCHMARK_RESULTS", str(path))
    monkeypatch.setattr("sys.argv", [str(results_file.ROOT / "benchmarks" / "grading.py"), "-n", "2"])
    results_file.record("채점 처리량 (grading.py, 01_layers)", "figures")
    facts = path.read_text(encoding="utf-8").split("\n\n")[2]
    commit = results_file.git_commit()
    assert commit != "unknown" and commit.split()[0].isalnum()
    assert facts.startswith(f"{datetime.date.today()}, commit `{commit}`, `python benchmarks/grading.py -n 2`; ")
    assert "cores" in facts and "load average" in facts


def test_the_module_command_line_of_a_package():
    argv = [str(results_file.ROOT / "benchmarks" / "mutants" / "__main__.py"), "--lesson", "01_layers"]
    assert results_file.command_line(argv) == "python -m benchmarks.mutants --lesson 01_layers"
