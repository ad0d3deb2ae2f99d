"""Intake: find submission files (folders, LMS downloads, zips), name students, match a roster.

Every input file is read once into memory and never opened for writing; zip archives are read in
memory, never extracted. Supported layouts: plain files, folder per student, Moodle
(`이름_12345_assignsubmission_file_/…`), Canvas (`hongildong_late_12345_67890_01_layers.ipynb`),
Blackboard (`과제_login_attempt_2024-03-15-10-30-00_01_layers.ipynb`), Colab and browser renames
(`01_layers의 사본.ipynb`, `Copy of …`, ` (1)`), macOS NFD names and junk files.

With a roster (`read_roster`) a file belongs to the one student whose 학번, else full name, else
LMS id appears in its path as a whole token; without one the student id is the file name with
LMS and copy decorations removed. A file that names no one, or several, is listed, never graded.
"""

import csv
import hashlib
import io
import re
import struct
import time
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from .csv_files import decode_text, write_csv

NOTEBOOK_SUFFIX = ".ipynb"
JUNK_NAMES = {".ds_store", "thumbs.db", "desktop.ini", "__macosx"}
UNSAFE_CHARACTERS = re.compile(r'[\\/:*?"<>|\x00-\x1f]')


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
class Submission:
    student: str  # 학번 with a roster, else the cleaned file name
    name: str | None  # the roster name
    data: bytes = field(repr=False)
    origin: str = ""  # a file path, or 'archive.zip!entry'
    modified: float = 0.0  # LMS timestamp in the name, else the zip entry's or file's mtime
    sha256: str = ""


@dataclass(frozen=True)
class Student:
    """One roster row."""
    id: str  # 학번
    name: str
    email: str = ""
    lms_id: str = ""  # the LMS's own id or login (Canvas user id, Moodle participant id, ...)


@dataclass
class Intake:
    submissions: list = field(default_factory=list)  # Submission, one per student
    superseded: list = field(default_factory=list)  # Problem: other files of a graded student
    unmatched: list = field(default_factory=list)  # Problem: files that name no one or several
    refused: list = field(default_factory=list)  # Problem: unsafe or unreadable inputs
    missing: list = field(default_factory=list)  # Student: roster students without a file

    def problems(self):
        """(kind, origin, reason) rows for the instructor: every file not graded, and every missing student."""
        rows = [("superseded", *p) for p in self.superseded]
        rows += [("unmatched", *p) for p in self.unmatched]
        rows += [("refused", *p) for p in self.refused]
        rows += [("missing", f"{s.id} {s.name}", "제출물이 없습니다 (no submission)") for s in self.missing]
        return rows

    def summary(self):
        """Korean console lines: counts, then each problem."""
        lines = [f"제출물 {len(self.submissions)}명 채점 대상 (to grade); 이전 파일 {len(self.superseded)}개 "
                 f"(superseded), 학생 불명 {len(self.unmatched)}개 (unmatched), 거부 {len(self.refused)}개 "
                 f"(refused), 미제출 {len(self.missing)}명 (missing)"]
        return lines + [f"  - [{kind}] {origin}: {reason}" for kind, origin, reason in self.problems()]


def write_problems_csv(intake, path):
    """intake.csv (UTF-8 with BOM, for Excel): kind, origin, reason of every file not graded."""
    write_csv(path, [["kind", "origin", "reason"], *intake.problems()])


# ----------------------------------------------------------------------------- roster

class RosterError(ValueError):
    """A roster file that cannot be used; the message is Korean with English terms."""


_COLUMNS = {
    "id": ("학번", "student_id", "student id", "sis user id", "id"),
    "name": ("이름", "성명", "name"),
    "email": ("이메일", "email", "e-mail"),
    "lms_id": ("lms_id", "lms id", "lms", "login", "login_id", "sis login id", "username", "아이디"),
}


def _nfc(text):
    return unicodedata.normalize("NFC", text)


def read_roster(path):
    """Roster students from a CSV (columns 학번, 이름, optional 이메일 and LMS_ID)."""
    text = decode_text(Path(path).read_bytes())
    lines = text.splitlines()
    delimiter = "\t" if lines and "\t" in lines[0] and "," not in lines[0] else ","
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    if not rows:
        raise RosterError(f"명단이 비어 있습니다 (empty roster): {path}")
    header = [_nfc(cell).strip().casefold() for cell in rows[0]]
    where = {key: next((header.index(a) for a in aliases if a in header), None)
             for key, aliases in _COLUMNS.items()}
    if where["id"] is None or where["name"] is None:
        raise RosterError(f"명단에 '학번'과 '이름' 열이 있어야 합니다 (roster needs columns 학번, 이름): "
                          f"{path}; 찾은 열 (found): {', '.join(rows[0])}")
    students, seen = [], set()
    for number, row in enumerate(rows[1:], start=2):
        cell = {key: _nfc(row[i]).strip() if i is not None and i < len(row) else ""
                for key, i in where.items()}
        if not cell["id"]:
            continue
        if cell["id"] in seen:
            raise RosterError(f"명단 {number}행: 학번 {cell['id']}이(가) 중복됩니다 (duplicate 학번)")
        seen.add(cell["id"])
        students.append(Student(cell["id"], " ".join(cell["name"].split()), cell["email"], cell["lms_id"]))
    return students


def _char_kind(char):
    if char.isdigit():
        return "digit"
    if "\uac00" <= char <= "\ud7a3":
        return "hangul"
    return "letter" if char.isalpha() else "other"


def contains_token(text, key):
    """Whether `key` occurs in `text` as a whole token: '김민' is not in '김민수', '2024001' is in '2024001홍길동'."""
    text, key = _nfc(text).casefold(), _nfc(key).casefold().strip()
    start = text.find(key) if key else -1
    while start >= 0:
        before, after = text[start - 1:start], text[start + len(key):start + len(key) + 1]
        if all(not c or _char_kind(c) == "other" or _char_kind(c) != _char_kind(edge)
               for c, edge in ((before, key[0]), (after, key[-1]))):
            return True
        start = text.find(key, start + 1)
    return False


def _name_forms(name):
    words = name.split()
    return {sep.join(words) for sep in ("", " ", "_", "-", ".")} if words else set()


def match_roster(roster, text, lms_key=None):
    """(students, Korean reason when not exactly one) for a file's path text."""
    by_id = [s for s in roster if contains_token(text, s.id)]
    by_name = [s for s in roster if any(contains_token(text, form) for form in _name_forms(s.name))]
    if len(by_id) == 1 and by_name and by_id[0] not in by_name:
        other = ", ".join(f"{s.id} {s.name}" for s in by_name)
        return [], (f"학번은 {by_id[0].id} {by_id[0].name}, 이름은 {other}을(를) 가리킵니다 "
                    "(학번 and name point to different students)")
    found, rule = (by_id, "학번") if by_id else (by_name, "이름 (name)")
    if not found:
        found, rule = [s for s in roster if s.lms_id and (
            s.lms_id.casefold() == lms_key.casefold() if lms_key else contains_token(text, s.lms_id))], "LMS_ID"
    if len(found) == 1:
        return found, ""
    if not found:
        return [], "명단의 어느 학생과도 맞지 않습니다 (matches no roster student: 학번, 이름, LMS_ID)"
    return [], (f"{rule}이(가) 여러 학생과 맞습니다 (matches several students): "
                + ", ".join(f"{s.id} {s.name}" for s in found))


# ----------------------------------------------------------------------------- names

_MOODLE = re.compile(r"^(?P<name>.+?)_(?P<key>\d+)_assignsubmission_[a-z]+_?$", re.I)
_CANVAS = re.compile(r"^(?P<name>[^_]+)_(?:late_)?(?P<key>\d+)_\d+_(?P<file>.+)$")
_BLACKBOARD = re.compile(r"^(?P<assignment>.+)_(?P<key>[^_]+)_attempt_"
                         r"(?P<stamp>\d{4}-\d\d-\d\d-\d\d-\d\d-\d\d)(?:_(?P<file>.+))?$")
_COPY_MARKS = [
    re.compile(r"^(copy of\s+)+", re.I),  # Colab, English
    re.compile(r"(\s*의\s*사본)+", re.I),  # Colab, Korean
    re.compile(r"\s*-\s*(복사본|copy)(\s*\(\d+\))?$", re.I),  # Windows Explorer
    re.compile(r"\s+(복사본|copy)(\s+\d+)?$", re.I),  # macOS Finder
    re.compile(r"\s*\(\d+\)"),  # browser downloads: ' (1)'
]


class Naming(NamedTuple):
    label: str  # the student id without a roster ('' when the name says nothing)
    key: str  # what identifies the student in the LMS ('' for plain files)
    stamp: float | None  # the LMS's own submission time, when the name has one


def clean_name(stem, lesson):
    """A file or folder stem without copy marks, the lesson name and stray separators ('' if nothing is left)."""
    text = _nfc(stem)
    for pattern in _COPY_MARKS:
        text = pattern.sub("", text)
    text = re.sub(r"[\s_\-]*".join(map(re.escape, re.split(r"[\s_\-]+", _nfc(lesson)))), "", text,
                  flags=re.I)
    text = re.sub(r"([\s_\-.])[\s_\-.]+", r"\1", text).strip(" _-.")
    return UNSAFE_CHARACTERS.sub("_", text)


def _stem(part):
    return part[: -len(Path(part).suffix)] if Path(part).suffix else part


def naming(parts, lesson):
    """How to call the student who handed in the file at `parts` (folders inside the input, then its name)."""
    *folders, filename = parts
    stem = _stem(filename)
    blackboard, canvas = _BLACKBOARD.match(stem), _CANVAS.match(filename)
    if blackboard:
        stamp = time.mktime(time.strptime(blackboard["stamp"], "%Y-%m-%d-%H-%M-%S"))
        return Naming(clean_name(blackboard["key"], lesson), f"blackboard:{blackboard['key']}", stamp)
    if canvas:
        return Naming(clean_name(canvas["name"], lesson), f"canvas:{canvas['key']}", None)
    for folder in reversed(folders):
        moodle = _MOODLE.match(folder)
        if moodle:
            return Naming(clean_name(moodle["name"], lesson), f"moodle:{moodle['key']}", None)
    for part in [stem, *reversed(folders)]:
        label = clean_name(part, lesson)
        if label:
            return Naming(label, "", None)
    return Naming("", "", None)


# ----------------------------------------------------------------------------- reading inputs

@dataclass
class _File:
    parts: list  # folders inside the input (and nested archives), then the file name
    origin: str
    data: bytes
    modified: float


class _Refused(Exception):
    pass


def _is_junk(parts):
    return any(part.startswith((".", "~$")) or part.casefold() in JUNK_NAMES for part in parts)


def _unicode_path_extra(info):
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


def entry_name(info):
    """An entry's real name: zipfile decodes names without the UTF-8 flag (0x800) as CP437."""
    name = info.filename
    if not info.flag_bits & 0x800:
        name = _unicode_path_extra(info) or name
        if name == info.filename:
            try:
                raw = name.encode("cp437")
            except UnicodeEncodeError:
                raw = None
            for encoding in ("utf-8", "cp949") if raw is not None else ():
                try:
                    name = raw.decode(encoding)
                    break
                except UnicodeDecodeError:
                    pass
    return _nfc(name).replace("\\", "/")


def _entry_time(info):
    try:
        return time.mktime(tuple(info.date_time) + (0, 0, -1))
    except (OverflowError, ValueError):
        return 0.0


def _unsafe(name):
    if name.startswith("/") or re.match(r"^[A-Za-z]:", name):
        return "절대 경로입니다 (absolute path)"
    if ".." in name.split("/"):
        return "경로가 압축 폴더 밖으로 나갑니다 (path traversal: ../)"
    return ""


def _read_entry(archive, info, limits, budget):
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
            if size > budget[0]:
                raise _Refused(f"압축 전체 크기 제한을 넘었습니다 — zip 폭탄 의심 "
                               f"(zip bomb: archive total > {limits.max_total} bytes)")
            chunks.append(chunk)
    budget[0] -= size
    return b"".join(chunks)


def _archive_files(data, origin, parts, limits, refused, depth=1, budget=None):
    """Files inside a zip held in memory; problems go to `refused`, nothing is raised."""
    budget = [limits.max_total] if budget is None else budget
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
                yield from _archive_files(content, inner, entry_parts[:-1] + [_stem(entry_parts[-1])],
                                          limits, refused, depth + 1, budget)
            continue
        yield _File(entry_parts, inner, content, _entry_time(info))


def _disk_file(path, parts, limits, refused, found_in_folder=False):
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
        folder = parts[:-1] + [_stem(parts[-1])] if found_in_folder else []
        yield from _archive_files(data, str(path), folder, limits, refused)
    else:
        yield _File(parts, str(path), data, modified)


def _input_files(paths, limits, refused):
    for path in map(Path, paths):
        if path.is_dir():
            for found in sorted(path.rglob("*")):
                parts = [_nfc(p) for p in found.relative_to(path).parts]
                if not _is_junk(parts) and (found.is_file() or found.is_symlink()):
                    yield from _disk_file(found, parts, limits, refused, found_in_folder=True)
        elif path.exists():
            yield from _disk_file(path, [_nfc(path.name)], limits, refused)
        else:
            refused.append(Problem(str(path), "파일이나 폴더가 없습니다 (not found)"))


# ----------------------------------------------------------------------------- gathering

def _newest_first(files):
    """Notebooks before other files, then the newest; ties broken by origin."""
    return sorted(files, key=lambda f: (f[0].parts[-1].casefold().endswith(NOTEBOOK_SUFFIX), f[1], f[0].origin),
                  reverse=True)


def _pick(student, name, files, intake):
    chosen, *others = _newest_first(files)
    picked = chosen[0]
    intake.submissions.append(Submission(student, name, picked.data, picked.origin, chosen[1],
                                         hashlib.sha256(picked.data).hexdigest()))
    for other, _ in others:
        if other.parts[-1].casefold().endswith(NOTEBOOK_SUFFIX) or not picked.parts[-1].casefold().endswith(
                NOTEBOOK_SUFFIX):
            reason = f"같은 학생({student})의 더 최근 파일을 채점합니다 (superseded by newer): {picked.origin}"
        else:
            reason = (f"노트북(.ipynb)이 아니어서 같은 학생({student})의 노트북을 채점합니다 "
                      f"(not a notebook): {picked.origin}")
        intake.superseded.append(Problem(other.origin, reason))


def _safe_id(label):
    return UNSAFE_CHARACTERS.sub("_", label).lstrip(".") or "unnamed"


def gather(paths, lesson, roster=None, limits=ZipLimits()):
    """Find the submissions under `paths` (files, folders, zips) and name their students.

    `lesson` is a lesson name (or a course Lesson); `roster` a list of Student (read_roster).
    """
    lesson = getattr(lesson, "name", lesson)
    intake = Intake()
    groups = {}  # 학번, or (LMS key, label) -> (student id, roster name, [(file, modified)])
    for file in _input_files(paths, limits, intake.refused):
        label, key, stamp = naming(file.parts, lesson)
        modified = stamp if stamp is not None else file.modified
        if roster is not None:
            found, reason = match_roster(roster, "/".join(file.parts), key.split(":", 1)[-1] or None)
            if not found:
                intake.unmatched.append(Problem(file.origin, reason))
                continue
            group, student, name = found[0].id, found[0].id, found[0].name
        elif not label:
            intake.unmatched.append(Problem(file.origin, "파일·폴더 이름에 학생을 알아볼 부분이 없습니다 "
                                                         "(no student name in the file name)"))
            continue
        else:
            group, student, name = (key, label), label, None  # an LMS id alone could be misread
        groups.setdefault(group, (student, name, []))[2].append((file, modified))
    labels = [student for student, _, _ in groups.values()]
    for group, (student, name, files) in groups.items():
        if roster is None and labels.count(student) > 1 and group[0]:
            student = f"{student}_{group[0].split(':', 1)[1]}"  # two LMS users with one display name
        _pick(_safe_id(student), name, files, intake)
    matched = {s.student for s in intake.submissions}
    intake.missing = [s for s in roster or () if s.id not in matched]
    intake.submissions.sort(key=lambda s: s.student)
    return intake
