"""benchmarks/ci_time.py reads pytest's own summary and slowest tests from a CI log, and judges the 25-minute limit."""

from benchmarks import ci_time

LOG = """bringing up nodes...
============================= slowest 15 durations =============================
336.10s call     tests/test_wrong_answers.py::test_wrong_answers_fail_their_exercise[07_boston_housing]
273.02s call     tests/test_cheats.py::test_cheats_fail_and_are_flagged
0.50s setup    tests/test_plain.py::test_plain_reads_exact_types
=============== 604 passed, 2 warnings in 1399.12s (0:23:19) ===============
"""


def test_summary_reports_time_pytest_line_and_slowest_tests_in_order():
    text = ci_time.summary(0, 1475.0, LOG)
    assert "24분 35초" in text and "한도 안" in text
    assert "604 passed, 2 warnings in 1399.12s (0:23:19)" in text
    first, second = text.index("test_wrong_answers"), text.index("test_cheats")
    assert first < second and "| 336 |" in text


def test_summary_flags_a_run_over_the_limit_or_failing():
    assert "한도 초과" in ci_time.summary(0, 25 * 60 + 1, LOG)
    assert "한도 초과" in ci_time.summary(1, 600.0, LOG)
    assert "요약 줄 없음" in ci_time.summary(2, 30.0, "make: *** [test] Error 1\n")
