"""Hints for the instructor from how student code looks (text patterns; easy to dodge by splitting a name).

The review flags that count come from what the code did at run time (grader.host.review, from the run's
audit hook); these labels are added after them as hints.
"""

import re

PATTERNS = {
    "grader 모듈 사용": r"\bgrader\b",
    "sys.modules 조작": r"\bsys\.modules\b",
    "예외 처리기 교체": r"set_custom_exc|sys\.excepthook|showtraceback",
    "함수 코드 교체": r"__code__|__globals__",
    "builtins 조작": r"\b(__)?builtins(__)?\b",
    "프로세스 생성": r"\bos\.(fork|system|exec\w*|spawn\w*|kill\w*)\b|\bsubprocess\b|multiprocessing|Popen",
    "시스템 파일 접근": r"/proc/|/etc/|\bshutil\.rmtree\b",
    "Keras 클래스 수정": r"\bsetattr\s*\(\s*keras|\bkeras(\.\w+)+\s*=[^=]",
    "신호·스레드 조작": r"\bsignal\.signal\b|\bthreading\b|\bctypes\b",
    "파일 찾기 (file listing)": r"\bglob\b|\bos\.(listdir|scandir|walk)\b|\.(iterdir|rglob)\(",
    "파일 삭제·덮어쓰기 (file removal/overwrite)":
        r"\bos\.(remove|unlink|rmdir|rename|replace)\b|\.unlink\(|\bshutil\.move\b|\.write_(text|bytes)\(",
    "네트워크 사용 (network)": r"\bsocket\b|\burllib\b|\brequests\b|\bhttp\.client\b",
    "환경 변수 읽기 (environment)": r"\bos\.environ\b|\bgetenv\b",
}


def flags(sources):
    """Korean labels of the suspicious patterns found in any of `sources`."""
    text = "\n".join(sources)
    return [label for label, pattern in PATTERNS.items() if re.search(pattern, text)]
