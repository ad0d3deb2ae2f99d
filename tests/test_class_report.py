"""grader.host.class_report: one self-contained report.html for a lesson (plots with a Korean font)."""

import base64
import re
import sys
import warnings

import pytest

from grader.host.class_report import first_line, korean_font, summarise, write_class_report
from grader.host.codes import Status
from grader.host.results import Result
from grader.host.results import TestResult as Outcome

TESTS = [("l01_ex1_dense_test", "1-1", "밀집 층 만들고 적용하기", 2),
         ("l01_ex2_forward_test", "1-2", "정방향 계산 구현하기", 3)]
SHAPE = "출력 크기가 다릅니다: 기대 (None, 10), 실제 (None, 16)\n힌트: units를 확인하세요"


def result(student, passed, message=SHAPE, status=Status.OK, review=()):
    tests = [Outcome(gid, label, title, points if ok else 0.0, points, ok, "" if ok else message)
             for (gid, label, title, points), ok in zip(TESTS, passed)]
    return Result(student, "01_layers", f"{student}.ipynb", "", status,
                  "" if status == Status.OK else "노트북 시간 제한을 넘었습니다.\n자세히",
                  score=sum(t.points for t in tests), max_score=5.0, tests=tests, review=list(review))


RESULTS = [result("2024000001", [True, True]), result("2024000002", [False, True]),
           result("2024000003", [False, False]),
           result("2024000004", [True, False], message="<script>alert('학생')</script>"),
           result("2024000005", [False, False], message="", status=Status.TIMEOUT, review=["sys.modules 조작"]),
           Result("2024000006", "01_layers", "", "", Status.MISSING, max_score=5.0)]


def test_summary_numbers():
    data = summarise(RESULTS, missing=["2024000007"])
    assert data["submitted"] == 5 and data["missing"] == ["2024000006", "2024000007"]
    assert data["scores"] == [5.0, 3.0, 0.0, 2.0, 0.0]
    assert {gid: (t["passed"], t["total"]) for gid, t in data["tests"].items()} == {
        "l01_ex1_dense_test": (2, 5), "l01_ex2_forward_test": (2, 5)}
    assert data["failures"]["l01_ex1_dense_test"] == [(first_line(SHAPE), 2), ("(메시지 없음)", 1)]
    assert data["review"] == [("2024000005", ["sys.modules 조작"])]
    assert data["problems"] == [("2024000005", Status.TIMEOUT, "노트북 시간 제한을 넘었습니다.")]
    assert first_line("\n\n  둘째 줄\n셋째") == "둘째 줄"


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    path = tmp_path_factory.mktemp("report") / "report.html"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        write_class_report(RESULTS, path, missing=["2024000007 최우주"], lesson="01_layers")
    return path.read_text(encoding="utf-8"), [str(w.message) for w in caught]


def test_page_is_self_contained_with_every_section(page):
    text, _ = page
    assert "반 전체 채점 보고서: 01_layers" in text
    for heading in ("점수 분포", "연습별 통과율", "자주 나온 실패 메시지", "강사 확인 필요", "미제출"):
        assert f"<h2>{heading}" in text
    images = re.findall(r'src="data:image/png;base64,([^"]+)"', text)
    assert len(images) == 2 and all(base64.b64decode(i).startswith(b"\x89PNG") for i in images)
    assert not re.search(r'(src|href)="(?!data:)', text)  # nothing loaded from elsewhere
    assert "@font-face" in text and "data:font/ttf;base64," in text  # Hangul shows without a Korean system font


def test_page_content(page):
    text, _ = page
    assert "<td>출력 크기가 다릅니다: 기대 (None, 10), 실제 (None, 16)</td><td class='n'>2</td>" in text
    assert "힌트: units" not in text  # first line only
    assert "<script>" not in text and "&lt;script&gt;" in text  # student text is escaped
    assert "sys.modules 조작" in text and "2024000005" in text
    assert "<li>2024000006</li>" in text and "<li>2024000007 최우주</li>" in text
    assert "40%" in text  # pass rate of each test: 2 of 5


def test_plots_have_a_font_with_hangul(page):
    _, caught = page
    assert not [w for w in caught if "missing from" in w]  # matplotlib warns for each tofu glyph
    path, note = korean_font()
    from fontTools.ttLib import TTFont

    assert note == "" and all(ord(c) in TTFont(path, lazy=True).getBestCmap() for c in "점수분포학생")


def test_without_koreanize_matplotlib_the_page_says_which_font(monkeypatch, tmp_path):
    import matplotlib

    monkeypatch.setitem(sys.modules, "koreanize_matplotlib", None)  # import fails
    monkeypatch.setitem(matplotlib.rcParams, "font.family", ["sans-serif"])
    path = write_class_report(RESULTS[:2], tmp_path / "report.html", lesson="01_layers")
    assert "koreanize-matplotlib" in path.read_text(encoding="utf-8")
