"""Hints for the instructor from how student code looks (text patterns; easy to dodge by splitting a name).

The review flags that count come from what the code did at run time (grader.host.review, from the run's
audit hook); these hints are added after them.
"""

import re

from .codes import ReviewCode

PATTERNS = {
    ReviewCode.HINT_GRADER: r"\bgrader\b",
    ReviewCode.HINT_SYS_MODULES: r"\bsys\.modules\b",
    ReviewCode.HINT_EXCEPTION_HANDLER: r"set_custom_exc|sys\.excepthook|showtraceback",
    ReviewCode.HINT_FUNCTION_CODE: r"__code__|__globals__",
    ReviewCode.HINT_BUILTINS: r"\b(__)?builtins(__)?\b",
    ReviewCode.HINT_PROCESS: r"\bos\.(fork|system|exec\w*|spawn\w*|kill\w*)\b|\bsubprocess\b|multiprocessing|Popen",
    ReviewCode.HINT_SYSTEM_FILES: r"/proc/|/etc/|\bshutil\.rmtree\b",
    ReviewCode.HINT_KERAS_CLASSES: r"\bsetattr\s*\(\s*keras|\bkeras(\.\w+)+\s*=[^=]",
    ReviewCode.HINT_SIGNALS_THREADS: r"\bsignal\.signal\b|\bthreading\b|\bctypes\b",
    ReviewCode.HINT_FILE_LISTING: r"\bglob\b|\bos\.(listdir|scandir|walk)\b|\.(iterdir|rglob)\(",
    ReviewCode.HINT_FILE_REMOVAL:
        r"\bos\.(remove|unlink|rmdir|rename|replace)\b|\.unlink\(|\bshutil\.move\b|\.write_(text|bytes)\(",
    ReviewCode.HINT_NETWORK: r"\bsocket\b|\burllib\b|\brequests\b|\bhttp\.client\b",
    ReviewCode.HINT_ENVIRONMENT: r"\bos\.environ\b|\bgetenv\b",
}


def hints(sources: list[str]) -> list[ReviewCode]:
    """The codes of the suspicious patterns found in any of `sources`."""
    text = "\n".join(sources)
    return [code for code, pattern in PATTERNS.items() if re.search(pattern, text)]
