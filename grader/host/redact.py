"""What students get back is bounded and holds no secret.

Feedback pages and result JSON quote text that student code produced (exception messages, reprs, what a
crashed run printed). `Redactor.clean` cuts such text to a bound and replaces every run of at least WINDOW code
tokens that belongs to a reference answer or to hidden-test code by "[숨김]", unless that run is public anyway:
in the released student notebook, in the public checks (published to students), or in the messages and hints the
tests themselves print (string literals of hidden-test code). So an honest failure message keeps every word,
and a message that smuggles answers or test code out loses them.
"""

from __future__ import annotations

import io
import re
import tokenize
from collections.abc import Iterable
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from .results import Result

TOKEN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*|\d+(?:\.\d+)?|\S")
WINDOW = 6  # code tokens: a run this long that appears in a secret (and nowhere public) is redacted
HIDDEN = "[숨김]"
MESSAGE_CHARS = 1500  # one test's feedback message
NOTE_CHARS = 400  # one note, review flag or status reason


def _windows(tokens: list[str | None]) -> set[tuple[str | None, ...]]:
    """The runs of WINDOW consecutive tokens; None in `tokens` breaks runs."""
    found = set()
    for start in range(len(tokens) - WINDOW + 1):
        run = tokens[start:start + WINDOW]
        if None not in run:
            found.add(tuple(run))
    return found


class _Tokens(NamedTuple):
    """What `_code_tokens` finds in Python source."""
    code: list[str | None]  # code tokens, None where a string or comment was
    strings: list[str]  # the string literals


def _code_tokens(source: str) -> _Tokens:
    """The tokens of Python source (any text that is not Python: every token is code)."""
    tokens: list[str | None] = []
    strings: list[str] = []
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type == tokenize.STRING:
                strings.append(token.string)
                tokens.append(None)
            elif token.type in (tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE):
                tokens.append(None)
            elif token.string.strip():
                tokens += TOKEN.findall(token.string)
    except (tokenize.TokenError, SyntaxError, IndentationError):  # not Python: every token is code
        tokens = TOKEN.findall(source)
    return _Tokens(tokens, strings)


class Redactor:
    """Bounds and redacts student-facing text (see the module docstring)."""

    def __init__(self, secrets: Iterable[str], public: Iterable[str]) -> None:
        """`secrets`: Python sources of reference answers and hidden tests; `public`: texts students may see."""
        secret_windows: set[tuple[str | None, ...]] = set()
        public_windows: set[tuple[str | None, ...]] = set()
        for source in secrets:
            tokens, strings = _code_tokens(source)
            secret_windows |= _windows(tokens)
            public_windows |= set().union(*(_windows(TOKEN.findall(text)) for text in strings)) if strings else set()
        for text in public:
            public_windows |= _windows(TOKEN.findall(text))
        self.windows = secret_windows - public_windows

    def clean(self, text: object, limit: int = MESSAGE_CHARS) -> str:
        """`text` with secret runs replaced by HIDDEN, cut to `limit` characters."""
        text = str(text)
        spans = [(match.start(), match.end(), match.group()) for match in TOKEN.finditer(text)]
        covered = [False] * len(spans)
        for start in range(len(spans) - WINDOW + 1):
            if tuple(token for _, _, token in spans[start:start + WINDOW]) in self.windows:
                covered[start:start + WINDOW] = [True] * WINDOW
        pieces, position, index = [], 0, 0
        while index < len(spans):
            if not covered[index]:
                index += 1
                continue
            end = index
            while end + 1 < len(spans) and covered[end + 1]:
                end += 1
            pieces += [text[position:spans[index][0]], HIDDEN]
            position, index = spans[end][1], end + 1
        cleaned = "".join(pieces) + text[position:]
        return cleaned if len(cleaned) <= limit else cleaned[:limit] + " …(잘림)"

    def clean_result(self, result: Result) -> Result:
        """Redact and bound every student-facing text of a grader.host.results.Result, in place."""
        for test in result.tests:
            test.message = self.clean(test.message)
        result.notes = [self.clean(note, NOTE_CHARS) for note in result.notes]
        result.review = [self.clean(flag, NOTE_CHARS) for flag in result.review]
        result.reason = self.clean(result.reason, NOTE_CHARS)
        return result
