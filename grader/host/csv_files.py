"""CSV files that instructors, Excel and LMSs exchange: reading their encodings, writing atomically.

Excel opens UTF-8 only with a byte order mark (`utf-8-sig`); Korean Excel saves "CSV" as CP949 and
"Unicode text" as UTF-16. Numbers are written by Python, so the decimal mark is always a point.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
from pathlib import Path
from typing import TYPE_CHECKING, Literal, TypedDict

if TYPE_CHECKING:
    from typing import Unpack

EXCEL_ENCODING = "utf-8-sig"
Quoting = Literal[0, 1, 2, 3]  # csv.QUOTE_MINIMAL, QUOTE_ALL, QUOTE_NONNUMERIC, QUOTE_NONE


class CsvForm(TypedDict, total=False):
    """How `encode_csv` writes a file, where it differs from the defaults (Excel's UTF-8, commas, CRLF)."""
    encoding: str
    delimiter: str
    quoting: Quoting
    newline: str


class CsvEncodingError(ValueError):
    """Text that the chosen encoding cannot hold; the message is Korean with English terms."""


def text_encoding(data: bytes) -> str:
    """The encoding of a CSV export: UTF-16 (Excel 'Unicode text'), UTF-8 with or without BOM, else CP949."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return "cp949"
    return "utf-8"


def decode_text(data: bytes) -> str:
    """Text of a CSV export in any encoding `text_encoding` recognises (CP949 errors become U+FFFD)."""
    encoding = text_encoding(data)
    return data.decode(encoding, errors="replace" if encoding == "cp949" else "strict")


def encode_csv(rows: list[list[str]], encoding: str = EXCEL_ENCODING, delimiter: str = ",",
               quoting: Quoting = csv.QUOTE_MINIMAL, newline: str = "\r\n") -> bytes:
    """The bytes of a CSV file of `rows` (the header first); text the encoding cannot hold is an error."""
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, quoting=quoting, lineterminator=newline).writerows(rows)
    text = buffer.getvalue()
    try:
        return text.encode(encoding)
    except UnicodeEncodeError as error:
        raise CsvEncodingError(f"{encoding}(으)로 쓸 수 없는 글자가 있습니다 (cannot encode): "
                               f"{error.object[error.start:error.end]!r} — --encoding utf-8-sig를 쓰세요") from None


def write_csv(path: Path | str, rows: list[list[str]], **form: Unpack[CsvForm]) -> Path:
    """Write `rows` to `path` atomically (temporary file + rename); `form` as for `encode_csv`."""
    data = encode_csv(rows, **form)
    path = Path(path)
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)
    return path
