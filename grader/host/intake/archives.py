"""Reading inputs, on the host side: plain files, folders and zip archives, each file read once into memory.

Files are never opened for writing and zips are never extracted. Unsafe or unreadable inputs (absolute
or `../` entry names, encrypted entries, zip bombs, archives nested too deep, symbolic links) are refused
with a reason; junk files (`.DS_Store`, `__MACOSX`, Office lock files) are skipped silently.
"""

from __future__ import annotations

import io
import re
import struct
import time
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from .names import nfc, stem

JUNK_NAMES = {".ds_store", "thumbs.db", "desktop.ini", "__macosx"}


@dataclass(frozen=True)
class ZipLimits:
    """Limits for reading archives (bytes); over a limit an entry is refused, not read."""
    max_total: int = 1 << 30  # everything read from one archive, nested archives included
    max_entry: int = 100 << 20  # one file (also plain files in folders)
    max_ratio: float = 100.0  # uncompressed / compressed size, for entries over 1 MiB
    max_entries: int = 20_000
    max_depth: int = 2  # a zip inside a zip (a student's own zip inside the LMS download)


class Problem(NamedTuple):
    """A file that is not graded, and why (Korean with English terms)."""
    origin: str
    reason: str


@dataclass
class InputFile:
    """One file found in the inputs, read into memory."""
    parts: list[str]  # folders inside the input (and nested archives), then the file name
    origin: str  # a file path, or 'archive.zip!entry'
    data: bytes
    modified: float  # the zip entry's or file's mtime (`gather` puts the LMS's time in the name first)


@dataclass
class _Budget:
    """Bytes still allowed from one archive, nested archives included."""
    left: int


class _Refused(Exception):
    pass


def _is_junk(parts: list[str]) -> bool:
    return any(part.startswith((".", "~$")) or part.casefold() in JUNK_NAMES for part in parts)


def _unicode_path_extra(info: zipfile.ZipInfo) -> str | None:
    """The UTF-8 name from an Info-ZIP Unicode Path extra field (0x7075), if any."""
    extra = info.extra
    while len(extra) >= 4:
        kind, size = struct.unpack("<HH", extra[:4])
        if kind == 0x7075 and size > 5:
            try:
                return extra[9:4 + size].decode("utf-8")
            except UnicodeDecodeError:
                return None
        extra = extra[4 + size:]
    return None


def _decoded_again(name: str) -> str:
    """A name zipfile decoded as CP437, decoded as UTF-8, else CP949 (else as it was)."""
    try:
        raw = name.encode("cp437")
    except UnicodeEncodeError:
        return name
    for encoding in ("utf-8", "cp949"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            pass
    return name


def entry_name(info: zipfile.ZipInfo) -> str:
    """An entry's real name: zipfile decodes names without the UTF-8 flag (0x800) as CP437."""
    name = info.filename
    if not info.flag_bits & 0x800:
        name = _unicode_path_extra(info) or name
        if name == info.filename:
            name = _decoded_again(name)
    return nfc(name).replace("\\", "/")


def _entry_time(info: zipfile.ZipInfo) -> float:
    try:
        return time.mktime((*info.date_time, 0, 0, -1))
    except (OverflowError, ValueError):
        return 0.0


def _unsafe(name: str) -> str:
    if name.startswith("/") or re.match(r"^[A-Za-z]:", name):
        return "절대 경로입니다 (absolute path)"
    if ".." in name.split("/"):
        return "경로가 압축 폴더 밖으로 나갑니다 (path traversal: ../)"
    return ""


def _read_entry(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limits: ZipLimits, budget: _Budget) -> bytes:
    if info.flag_bits & 0x1:
        raise _Refused("암호가 걸린 항목입니다 (encrypted entry)")
    if info.file_size > limits.max_entry:
        raise _Refused(f"파일이 너무 큽니다 (file too large: {info.file_size} > {limits.max_entry} bytes)")
    if info.file_size > 1 << 20 and info.file_size > limits.max_ratio * max(info.compress_size, 1):
        raise _Refused(f"압축률이 비정상입니다 — zip 폭탄 의심 (zip bomb: ratio "
                       f"{info.file_size / max(info.compress_size, 1):.0f} > {limits.max_ratio:g})")
    chunks, size = [], 0
    with archive.open(info) as handle:
        while chunk := handle.read(1 << 20):
            size += len(chunk)
            if size > limits.max_entry:
                raise _Refused(f"파일이 너무 큽니다 (file too large: > {limits.max_entry} bytes)")
            if size > budget.left:
                raise _Refused(f"압축 전체 크기 제한을 넘었습니다 — zip 폭탄 의심 "
                               f"(zip bomb: archive total > {limits.max_total} bytes)")
            chunks.append(chunk)
    budget.left -= size
    return b"".join(chunks)


def _archive_files(data: bytes, origin: str, parts: list[str], limits: ZipLimits, refused: list[Problem],
                   depth: int = 1, budget: _Budget | None = None) -> Iterator[InputFile]:
    """Files inside a zip held in memory; problems go to `refused`, nothing is raised."""
    budget = _Budget(limits.max_total) if budget is None else budget
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = [info for info in archive.infolist() if not info.is_dir()]
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as error:
        refused.append(Problem(origin, f"압축 파일을 읽을 수 없습니다 (unreadable archive): {error}"))
        return
    if len(infos) > limits.max_entries:
        refused.append(Problem(origin, f"압축 안의 파일이 너무 많습니다 (too many entries: {len(infos)})"))
        return
    for info in infos:
        name = entry_name(info)
        inner = f"{origin}!{name}"
        entry_parts = parts + [p for p in name.split("/") if p]
        if _unsafe(name):
            refused.append(Problem(inner, _unsafe(name)))
            continue
        if _is_junk(entry_parts[len(parts):]):
            continue
        try:
            content = _read_entry(archive, info, limits, budget)
        except _Refused as refusal:
            refused.append(Problem(inner, str(refusal)))
            continue
        except Exception as error:  # bad CRC, unknown compression, truncated data: refuse this entry only
            refused.append(Problem(inner, f"압축 항목을 읽을 수 없습니다 (unreadable entry): "
                                          f"{type(error).__name__}: {error}"))
            continue
        if name.casefold().endswith(".zip"):
            if depth >= limits.max_depth:
                refused.append(Problem(inner, "압축 안의 압축이 너무 깊습니다 (nested archive too deep)"))
            else:
                yield from _archive_files(content, inner, entry_parts[:-1] + [stem(entry_parts[-1])],
                                          limits, refused, depth + 1, budget)
            continue
        yield InputFile(entry_parts, inner, content, _entry_time(info))


def _disk_file(path: Path, parts: list[str], limits: ZipLimits, refused: list[Problem],
               found_in_folder: bool = False) -> Iterator[InputFile]:
    """One file on disk: a plain file, or the files inside it when it is a zip."""
    try:
        if path.is_symlink():
            raise _Refused("심볼릭 링크는 읽지 않습니다 (symbolic link)")
        size = path.stat().st_size
        if size > limits.max_entry and path.suffix.casefold() != ".zip":
            raise _Refused(f"파일이 너무 큽니다 (file too large: {size} > {limits.max_entry} bytes)")
        if size > limits.max_total:
            raise _Refused(f"압축 파일이 너무 큽니다 (archive too large: {size} > {limits.max_total} bytes)")
        data, modified = path.read_bytes(), path.stat().st_mtime
    except _Refused as refusal:
        refused.append(Problem(str(path), str(refusal)))
        return
    except OSError as error:
        refused.append(Problem(str(path), f"파일을 읽을 수 없습니다 (unreadable file): {error.strerror}"))
        return
    if path.suffix.casefold() == ".zip":  # inside a folder its name is a folder name; given alone it says nothing
        folder = parts[:-1] + [stem(parts[-1])] if found_in_folder else []
        yield from _archive_files(data, str(path), folder, limits, refused)
    else:
        yield InputFile(parts, str(path), data, modified)


def input_files(paths: Iterable[str | Path], limits: ZipLimits, refused: list[Problem]) -> Iterator[InputFile]:
    """Every file under `paths` (files, folders, zips), junk skipped; what cannot be read goes to `refused`."""
    for path in map(Path, paths):
        if path.is_dir():
            for found in sorted(path.rglob("*")):
                parts = [nfc(p) for p in found.relative_to(path).parts]
                if not _is_junk(parts) and (found.is_file() or found.is_symlink()):
                    yield from _disk_file(found, parts, limits, refused, found_in_folder=True)
        elif path.exists():
            yield from _disk_file(path, [nfc(path.name)], limits, refused)
        else:
            refused.append(Problem(str(path), "파일이나 폴더가 없습니다 (not found)"))
