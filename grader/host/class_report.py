"""Class report: one self-contained report.html for a lesson's results (images and font embedded).

Score histogram, pass rate per test, the most frequent failure messages per test with counts, the
review flags, problem statuses and the missing students. Input: grader.host.results.Result objects, as
read_results gives them. Plots use a Korean font through koreanize-matplotlib (else an installed CJK
font, said on the page); the page embeds a subset of the same font so Hangul shows in any browser. Host side.
"""

from __future__ import annotations

import base64
import html
import io
import statistics
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, TypedDict

from .codes import Status
from .results import Result

if TYPE_CHECKING:
    from matplotlib.figure import Figure

CJK_FONTS = ("NanumGothic", "Noto Sans CJK KR", "Noto Sans KR", "Malgun Gothic", "AppleGothic",
             "Apple SD Gothic Neo", "UnDotum", "Baekmuk Gulim", "Noto Sans CJK JP", "WenQuanYi Zen Hei")
TOP_MESSAGES = 5


class TestTally(TypedDict):
    label: str
    title: str
    passed: int
    total: int


class Summary(TypedDict):
    submitted: int
    missing: list[str]  # '학번 이름' of every student without a submission
    scores: list[float]
    max_score: float
    statuses: Counter[Status]
    tests: dict[str, TestTally]  # grade_id -> how many passed
    failures: dict[str, list[tuple[str, int]]]  # grade_id -> its most frequent failure messages with counts
    review: list[tuple[str, list[str]]]  # (student, review flags)
    problems: list[tuple[str, Status, str]]  # (student, status, first line of the reason)


def first_line(message: str | None) -> str:
    """The first non-empty line of a failure message ('' when there is none)."""
    return next((line.strip() for line in str(message or "").splitlines() if line.strip()), "")


def _ident(result: Result) -> str:
    """'학번 이름' of a result's student."""
    return " ".join(filter(None, [result.student, result.name]))


def summarise(results: Sequence[Result], missing: Iterable[str] = ()) -> Summary:
    """The numbers behind the report, as plain data (tests check these); `missing`: more '학번 이름' to list."""
    submitted = [r for r in results if r.status != Status.MISSING]
    absent = sorted(set(missing) | {_ident(r) for r in results if r.status == Status.MISSING})
    tests: dict[str, TestTally] = {}
    failures: dict[str, Counter[str]] = {}
    for result in submitted:
        for test in result.tests:
            entry = tests.setdefault(test.grade_id, {"label": test.label, "title": test.title, "passed": 0, "total": 0})
            entry["total"] += 1
            entry["passed"] += test.passed
            if not test.passed:
                message = first_line(test.message) or "(메시지 없음)"
                failures.setdefault(test.grade_id, Counter())[message] += 1
    return {
        "submitted": len(submitted), "missing": absent, "scores": [float(r.score) for r in submitted],
        "max_score": max((float(r.max_score) for r in results), default=0.0),
        "statuses": Counter(r.status for r in submitted),
        "tests": tests,
        "failures": {gid: failures[gid].most_common(TOP_MESSAGES) for gid in tests if gid in failures},
        "review": [(_ident(r), list(r.review)) for r in submitted if r.review],
        "problems": [(_ident(r), r.status, first_line(r.reason)) for r in submitted if r.status != Status.OK],
    }


def korean_font() -> tuple[str | None, str]:
    """(font file, note): koreanize-matplotlib's font, else an installed CJK font; the note says what happened."""
    import matplotlib
    from matplotlib import font_manager

    try:
        import koreanize_matplotlib  # noqa: F401  (sets rcParams to NanumGothic)
        note = ""
    except ImportError:
        installed = {font.name for font in font_manager.fontManager.ttflist}
        found = [name for name in CJK_FONTS if name in installed]
        if found:
            matplotlib.rcParams["font.family"] = found[0]
            note = (f"koreanize-matplotlib이 없어 설치된 글꼴 {found[0]}을(를) 썼습니다 "
                    f"(koreanize-matplotlib missing, used {found[0]}).")
        else:
            return None, ("한글 글꼴이 없어 그림의 한글이 네모로 보일 수 있습니다: pip install koreanize-matplotlib "
                          "(no Korean font found)")
    matplotlib.rcParams["axes.unicode_minus"] = False
    family = matplotlib.rcParams["font.family"]
    path = font_manager.findfont(font_manager.FontProperties(family=family), fallback_to_default=False)
    return path, note


def _png(figure: Figure) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def histogram(scores: list[float], max_score: float) -> str:
    """Base64 PNG: how many students got each score."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(7, 3.2))
    axes = figure.subplots()
    top = max([max_score, *scores, 1.0])
    bins = [i * top / min(20, max(1, int(top))) for i in range(min(20, max(1, int(top))) + 1)]
    axes.hist(scores, bins=bins, color="#4c72b0", edgecolor="white")
    if scores:
        mean = statistics.mean(scores)
        axes.axvline(mean, color="#c44e52", linestyle="--", label=f"평균 {mean:.1f}점")
        axes.legend()
    axes.set(title="점수 분포 (score histogram)", xlabel="점수", ylabel="학생 수", xlim=(0, top))
    axes.yaxis.get_major_locator().set_params(integer=True)  # type: ignore[call-arg]  # a MaxNLocator
    return _png(figure)


def pass_rates(tests: dict[str, TestTally]) -> str:
    """Base64 PNG: horizontal bars, the share of students passing each test."""
    from matplotlib.figure import Figure

    names = [f"연습 {t['label']} {t['title'][:22]}" for t in tests.values()]
    rates = [100 * t["passed"] / t["total"] if t["total"] else 0 for t in tests.values()]
    figure = Figure(figsize=(7, 0.45 * len(names) + 1.2))
    axes = figure.subplots()
    axes.barh(names[::-1], rates[::-1], color="#55a868")
    for y, rate in enumerate(rates[::-1]):
        axes.text(rate + 1, y, f"{rate:.0f}%", va="center")
    axes.set(title="연습별 통과율 (pass rate per test)", xlabel="통과한 학생 비율 (%)", xlim=(0, 110))
    return _png(figure)


def _font_face(path: str, text: str) -> str:
    """A CSS @font-face with the font subset to the page's characters, or '' when that fails."""
    try:
        import logging

        from fontTools import subset

        logging.getLogger("fontTools.subset").setLevel(logging.ERROR)
        options = subset.Options()
        font = subset.load_font(path, options)
        subsetter = subset.Subsetter(options)
        subsetter.populate(text=text)
        subsetter.subset(font)
        buffer = io.BytesIO()
        subset.save_font(font, buffer, options)
    except Exception:  # no fontTools, an odd font file: the page falls back to the system's fonts
        return ""
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return f"@font-face{{font-family:'ReportKorean';src:url(data:font/ttf;base64,{data}) format('truetype')}}"


_STYLE = """
body{font-family:'ReportKorean','Noto Sans KR','Malgun Gothic','Apple SD Gothic Neo',sans-serif;max-width:980px;
margin:2em auto;padding:0 1em;color:#222;line-height:1.55}
table{border-collapse:collapse;width:100%;margin:.5em 0 1.2em}td,th{border-bottom:1px solid #ddd;padding:.35em .5em;
text-align:left;vertical-align:top}th{background:#f6f8fa}td.n{text-align:right;white-space:nowrap}
img{max-width:100%}.note{color:#9a6700}.empty{color:#666}h2{margin-top:1.6em;border-bottom:2px solid #eee}
"""


def _table(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    e = html.escape
    head = "".join(f"<th>{e(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td class='n'>{e(str(c))}</td>" if isinstance(c, (int, float))
                                    else f"<td>{e(str(c))}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def _sections(data: Summary) -> dict[str, str]:
    scores, e = data["scores"], html.escape
    summary: list[tuple[str, object]] = [("제출 (submitted)", data["submitted"]),
                                         ("미제출 (missing)", len(data["missing"]))]
    if scores:
        summary += [("평균 (mean)", round(statistics.mean(scores), 2)), ("중앙값 (median)", statistics.median(scores)),
                    ("최저 / 최고 (min / max)", f"{min(scores):g} / {max(scores):g}"),
                    ("만점 (full marks)", sum(s >= data["max_score"] for s in scores))]
    summary += [(f"상태: {status.text}", n) for status, n in sorted(data["statuses"].items())]
    tests = [(f"연습 {t['label']}", t["title"], f"{t['passed']} / {t['total']}",
              f"{100 * t['passed'] / t['total']:.0f}%" if t["total"] else "-") for t in data["tests"].values()]
    failures = "".join(
        f"<h3>연습 {e(data['tests'][gid]['label'])} {e(data['tests'][gid]['title'])}</h3>"
        + _table(["실패 메시지 (첫 줄)", "학생 수"], counts)
        for gid, counts in data["failures"].items()) or "<p class='empty'>실패한 검사가 없습니다.</p>"
    review = _table(["학생", "확인할 내용"], [(s, "; ".join(flags)) for s, flags in data["review"]]) \
        if data["review"] else "<p class='empty'>없습니다.</p>"
    problems = _table(["학생", "상태", "이유"], [(who, status.text, why) for who, status, why in data["problems"]]) \
        if data["problems"] else "<p class='empty'>없습니다.</p>"
    missing = "<ul>" + "".join(f"<li>{e(m)}</li>" for m in data["missing"]) + "</ul>" if data["missing"] \
        else "<p class='empty'>모두 제출했습니다.</p>"
    return {"summary": _table(["항목", "값"], summary), "tests": _table(["연습", "제목", "통과", "통과율"], tests),
            "failures": failures, "review": review, "problems": problems, "missing": missing}


def render(results: Sequence[Result], missing: Iterable[str] = (), lesson: str = "") -> str:
    """The report page as HTML text."""
    path, note = korean_font()
    data = summarise(results, missing)
    parts = _sections(data)
    images = {"histogram": histogram(data["scores"], data["max_score"]),
              "pass": pass_rates(data["tests"]) if data["tests"] else ""}
    when = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    title = f"반 전체 채점 보고서: {lesson}" if lesson else "반 전체 채점 보고서"
    body = f"""<h1>{html.escape(title)}</h1>
<p>만든 시각: {when} · 학생 {data['submitted'] + len(data['missing'])}명 · 만점 {data['max_score']:g}점</p>
{f'<p class="note">{html.escape(note)}</p>' if note else ''}
<h2>요약 (summary)</h2>{parts['summary']}
<h2>점수 분포 (score histogram)</h2><img alt="점수 분포" src="data:image/png;base64,{images['histogram']}">
<h2>연습별 통과율 (pass rate per test)</h2>
{f'<img alt="연습별 통과율" src="data:image/png;base64,{images["pass"]}">' if images['pass'] else ''}{parts['tests']}
<h2>자주 나온 실패 메시지 (most frequent failures)</h2>{parts['failures']}
<h2>강사 확인 필요 (review flags)</h2>{parts['review']}
<h2>채점 문제 (problem statuses)</h2>{parts['problems']}
<h2>미제출 (missing)</h2>{parts['missing']}
"""
    font_face = _font_face(path, title + body) if path else ""
    return f"""<!DOCTYPE html>
<html lang="ko"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>{font_face}{_STYLE}</style></head><body>
{body}</body></html>
"""


def write_class_report(results: Sequence[Result], out_path: str | Path, missing: Iterable[str] = (),
                       lesson: str = "") -> Path:
    """Write the class report page for `results` to `out_path`; returns the path."""
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    temporary = out_path.with_name(f".{out_path.name}.tmp")
    temporary.write_text(render(results, missing, lesson), encoding="utf-8")
    temporary.replace(out_path)
    return out_path
