"""The 'Tải báo cáo' page's work, apart from its widgets: save uploaded workbooks under safe
names, check and load them with the real command line in a subprocess, and give the results
back as the library's FileResult and Problem objects, under the names the user chose.

    uploads = save(files, folder)               # [(name, bytes or uploaded file)] -> [Upload]
    checked = check(uploads, db, commune)       # python -m etl check --json  -> Outcome
    to_load = loadable(uploads, checked)        # the files that will load (worth_loading: their results)
    loaded  = load(uploads, db, received_on, account, commune)  # python -m etl load --json -> Outcome
    check_and_load(uploads, db, received_on)    # check, then load every upload: one result per upload
    problems_table(outcome), files_table(outcome, names)  # DataFrames for the page
    template(db, commune, month)                # python -m etl template      -> (bytes | None, message)

Why a subprocess: uploads are the dashboard's writes that go to the loader's process (ui.writes
states the rule: small acts such as a confirmation are written in-process, loads are not). A
load holds the warehouse for as long as its files take, checks them with a memory cap per file,
and may be killed for memory, none of which may stall or end the server that serves every
session. The command line also waits for a concurrent load (up to 30 s) and then says so; that
message is shown as it is.
The user's file name is never used as a path: a file is saved as '<n>-<ascii slug>.<ext>' with
a whitelisted extension, in a folder the caller made fresh; the slug keeps the warehouse's
`source_file` readable on the 'Nộp báo cáo' page. The upload record (`--uploads`, JSON) gives
the command the name each file was uploaded under: its answer and its messages use that name.

Every upload given to `load` leaves an audit row written by the loader: loaded, unchanged or
rejected (by the checks, by the account's commune: `--account`/`--commune`, or here before
saving: too large, not a workbook, or held back by the page's own limits of MAX_FILES files and
MAX_TOTAL_MB per upload), under the name it was uploaded with and the hash of its bytes (none
for files held back, which are never read). The page's limits are not problems of the file:
such a file is listed apart (`Outcome.held_back`), as not checked, with the page's reason.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

import pandas as pd

from etl import labels, text
from etl.ingest.check import FileResult, unit_only
from etl.problems import Problem
from ui.upload_limits import MAX_BYTES, MAX_FILES, MAX_MB, MAX_TOTAL_BYTES, MAX_TOTAL_MB  # noqa: F401

ROOT = Path(__file__).resolve().parents[1]
EXTENSIONS = (".xlsx", ".xlsm", ".xls")
TIMEOUT = 900  # seconds; a province's month (100+ files) checks and loads in well under that

# --- Vietnamese texts, kept together for review ------------------------------------------
HELD_BACK = "Chưa kiểm tra"  # a file past the page's own limits per upload
BAD_EXTENSION = ("Tệp '{name}' không phải sổ tính Excel: chỉ nhận tệp .xlsx, .xlsm hoặc .xls. "
                 "Hãy mở tệp bằng Excel, Lưu dưới dạng (Save As) kiểu .xlsx rồi tải lên lại.")
TOO_LARGE = ("Tệp '{name}' nặng {size} MB, quá giới hạn {limit} MB. Hãy xóa các trang tính, hình ảnh "
             "không cần thiết hoặc lưu lại kiểu .xlsx rồi tải lên lại.")
TOO_MANY = ("Mỗi lần chỉ nhận tối đa {limit} tệp: tệp '{name}' chưa được kiểm tra. Hãy tải tệp này "
            "lên ở lần sau.")
TOO_MUCH = ("Mỗi lần chỉ nhận tổng cộng tối đa {limit} MB: tệp '{name}' chưa được kiểm tra. Hãy tải tệp này "
            "lên ở lần sau.")
NO_ANSWER = ("Lệnh {command} dừng vì lỗi (mã thoát {code}). Hãy báo cho quản trị hệ thống kèm thời điểm xảy "
             "ra. {detail}")
TIMED_OUT = "Lệnh {command} chạy quá {seconds} giây nên đã dừng. Hãy chia nhỏ số tệp rồi thử lại."
NO_MEMORY = ("Máy chủ không đủ bộ nhớ cho lệnh {command} với các tệp này nên lệnh đã dừng. Hãy tải lên ít tệp "
             "hơn mỗi lần hoặc tách tệp lớn thành nhiều tệp rồi thử lại; nếu vẫn lỗi, hãy báo cho quản trị hệ thống.")


@dataclass(frozen=True)
class Upload:
    """One uploaded file: the user's name (display only), where it was saved, or why not."""
    name: str
    path: Path | None = None
    refusal: Problem | None = None  # why a file was not saved: a SPEC §3 problem (not a workbook, too large)
    held_back: str | None = None  # the page's own limit (files or MB per upload) kept it back: why
    sha256: str | None = None  # of a file refused before saving, when its bytes were read

    @property
    def saved(self) -> bool:
        return self.path is not None


@dataclass
class Outcome:
    """The command line's answer: `files[i]`, the library's FileResult (under the name the user
    uploaded the file as), answers `uploads[i]`; uploads the page held back by its own limits are
    apart (`held_back`), never checked; `error` (Vietnamese) when the command could not run
    (warehouse busy...)."""
    files: list[FileResult] = field(default_factory=list)
    uploads: list[Upload] = field(default_factory=list)
    held_back: list[Upload] = field(default_factory=list)
    error: str | None = None

    def names(self, *statuses: str) -> list[str]:
        return [f.file for f in self.files if f.status in statuses]


def safe_name(index: int, name: str) -> str | None:
    """'<index>-<slug>.<ext>' from a whitelist, or None when the extension is not a workbook's.
    Only the last component of `name` counts ('..\\..\\x.xlsx' and '../../x.xlsx' -> 'x')."""
    base = re.split(r"[\\/]", name)[-1]
    stem, dot, ext = base.rpartition(".")
    ext = f".{ext.lower()}" if dot else ""
    if ext not in EXTENSIONS:
        return None
    slug = text.slug(stem, 60)
    return f"{index:03d}-{slug}{ext}" if slug else f"{index:03d}{ext}"


def _size(content) -> int:
    """Bytes, or an uploaded file (Streamlit's UploadedFile knows its size without a copy)."""
    return len(content) if isinstance(content, (bytes, bytearray)) else int(content.size)


def _bytes(content) -> bytes:
    return bytes(content) if isinstance(content, (bytes, bytearray)) else content.getvalue()


def save(files, folder: Path) -> list[Upload]:
    """Write (name, content) pairs into `folder` (fresh, made by the caller) under safe names;
    content is bytes or an uploaded file (read only here, once its size passed). Files past
    MAX_FILES or past MAX_TOTAL_BYTES in all are never read; files over MAX_BYTES or without a
    workbook extension are not written (their hash is kept for the audit trail)."""
    folder = Path(folder)
    out, total = [], 0
    for i, (name, content) in enumerate(files, start=1):
        target, size = safe_name(i, name), _size(content)
        # the page's own limits hold a file back: no fault of the file, so no problem code of SPEC §3
        if i > MAX_FILES:
            out.append(Upload(name, held_back=TOO_MANY.format(limit=MAX_FILES, name=name)))
        elif total + size > MAX_TOTAL_BYTES:
            out.append(Upload(name, held_back=TOO_MUCH.format(limit=MAX_TOTAL_MB, name=name)))
        elif target is None or size > MAX_BYTES:
            total += size  # what is read counts, saved or not
            data = _bytes(content)
            if target is None:
                refusal = Problem("unreadable", BAD_EXTENSION.format(name=name), file=name)
            else:
                mb = f"{size / 2**20:.1f}".replace(".", ",")
                refusal = Problem("too_large", TOO_LARGE.format(name=name, size=mb, limit=MAX_MB), file=name)
            out.append(Upload(name, refusal=refusal, sha256=hashlib.sha256(data).hexdigest()))
        else:
            total += size
            path = folder / target
            path.write_bytes(_bytes(content))
            out.append(Upload(name, path))
    return out


def run_cli(args: list[str], db: Path) -> tuple[subprocess.CompletedProcess | None, str | None]:
    """python -m etl <args> from the repository root on warehouse `db`: (process, None) or
    (None, Vietnamese message) when it ran too long. The command caps the memory each file's
    check may take itself (settings.toml [limits] memory_mb, etl.ingest.memory)."""
    env = {**os.environ, "WAREHOUSE_DB": str(Path(db).resolve()), "PYTHONIOENCODING": "utf-8"}
    command = f"python -m etl {args[0]}"
    try:
        proc = subprocess.run([sys.executable, "-m", "etl", *args], cwd=ROOT, env=env, capture_output=True,
                              text=True, encoding="utf-8", timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        return None, TIMED_OUT.format(command=command, seconds=TIMEOUT)
    return proc, None


def _record(uploads: list[Upload]) -> dict:
    """The upload record (`--uploads`): the name each saved file was uploaded under, which the
    command gives it in its answer and messages, and the uploads refused or held back here, for
    the audit trail (an audit row's detail: the problem codes, or why the page held it back)."""
    return {"names": {u.path.name: u.name for u in uploads if u.saved},
            "refused": [{"file": u.name, "sha256": u.sha256, "codes": [u.refusal.code] if u.refusal else [],
                         "detail": u.held_back} for u in uploads if not u.saved]}


def _outcome(uploads: list[Upload], answers: list[FileResult] | None, error: str | None = None) -> Outcome:
    """The uploads paired with the command's answers, which come in the order of the saved files
    given (None: the command gave none); a file refused before saving is rejected for its problem."""
    answers = iter(answers or ())
    out = Outcome(error=error)
    for u in uploads:
        if u.held_back:
            out.held_back.append(u)
            continue
        if u.saved:
            answer = next(answers, None)
            if answer is None:
                continue
        else:
            answer = FileResult(u.name, status="rejected", problems=[u.refusal], sha256=u.sha256)
        out.files.append(answer)
        out.uploads.append(u)
    return out


def _run_json(command: str, uploads: list[Upload], db: Path, extra: list[str] = (), *, always: bool = False) -> Outcome:
    """`command --json` on the saved uploads, with the upload record; `always`: run it even when
    none was saved (a load still records the refused ones)."""
    saved = [u for u in uploads if u.saved]
    if not saved and not (always and uploads):
        return _outcome(uploads, [])
    with tempfile.TemporaryDirectory(prefix="tai-len-") as folder:
        record = Path(folder) / "uploads.json"
        record.write_text(json.dumps(_record(uploads), ensure_ascii=False), encoding="utf-8")
        proc, error = run_cli([command, "--json", *extra, "--uploads", str(record), *(str(u.path) for u in saved)],
                              db)
    if error:
        return _outcome(uploads, None, error)
    try:
        answers = [FileResult.from_json(f) for f in json.loads(proc.stdout)["files"]]
    except (json.JSONDecodeError, KeyError, TypeError, ValueError):
        return _outcome(uploads, None, _failure(proc, command))
    if len(answers) != len(saved):
        return _outcome(uploads, None, _failure(proc, command))
    return _outcome(uploads, answers)


def _failure(proc: subprocess.CompletedProcess, command: str) -> str:
    """The message of a command that gave no result. Exit 1 with a line on stderr is the
    command's own Vietnamese sentence (warehouse busy after waiting 30 s, unknown commune);
    a traceback is a crash, shown as such."""
    lines = proc.stderr.strip().splitlines()
    detail = lines[-1] if lines else ""
    if proc.returncode == 1 and detail and "Traceback" not in proc.stderr:
        return detail
    if _out_of_memory(proc):
        return NO_MEMORY.format(command=f"python -m etl {command}")
    return NO_ANSWER.format(command=f"python -m etl {command}", code=proc.returncode,
                            detail=f"(Chi tiết kỹ thuật: {detail})" if detail else "")


def _out_of_memory(proc: subprocess.CompletedProcess) -> bool:
    """Killed for lack of memory: by the kernel's out-of-memory killer (SIGKILL), or aborted by
    an allocation that failed in python-calamine's Rust code ("memory allocation of N bytes
    failed"). A check that needs more than [limits] memory_mb ends neither way: that file is
    rejected (too_large) and the command goes on."""
    killed = getattr(signal, "SIGKILL", None)  # none on Windows
    return (killed is not None and proc.returncode == -killed) or "memory allocation of" in proc.stderr


def check(uploads: list[Upload], db: Path, commune: str | None = None) -> Outcome:
    """Validate against the warehouse's unit registry; writes nothing. With `commune` (a commune
    account's own), any file that is not that commune's monthly report is refused too
    (`check --commune`, the loader's own rule)."""
    return _run_json("check", uploads, db, ["--commune", commune] if commune else [])


def worth_loading(checked: Outcome) -> list[FileResult]:
    """The check's results worth loading: those that passed, and, when a unit registry file
    passed too, those rejected only for their units (etl.ingest.check.unit_only: the loader
    applies the registry first and checks them again)."""
    answered = [(f, u) for f, u in zip(checked.files, checked.uploads) if u.saved]
    registry = any(f.status == "checked" and f.kind == "registry" for f, _ in answered)
    return [f for f, _ in answered if f.status == "checked" or (registry and unit_only(f))]


def loadable(uploads: list[Upload], checked: Outcome) -> list[Upload]:
    """The uploads among `uploads` whose results `worth_loading` picks, in upload order."""
    worth = {id(f) for f in worth_loading(checked)}
    chosen = {id(u) for f, u in zip(checked.files, checked.uploads) if id(f) in worth}
    return [u for u in uploads if id(u) in chosen]


def load(uploads: list[Upload], db: Path, received_on: date | None = None, account: str | None = None,
         commune: str | None = None) -> Outcome:
    """Load into the warehouse; `received_on` (None: the time of loading) is the receipt day;
    `account` is who loads (the command checks its rights again) and `commune` limits the run to
    that commune's monthly reports. Uploads refused or held back before saving are recorded as
    rejections."""
    extra = ["--received-on", received_on.isoformat()] if received_on else []
    extra += (["--account", account] if account else []) + (["--commune", commune] if commune else [])
    return _run_json("load", uploads, db, extra, always=True)


def check_and_load(uploads: list[Upload], db: Path, received_on: date | None = None, *, account: str | None = None,
                   commune: str | None = None) -> Outcome:
    """Check (against the registry as it is now), then give every upload to the loader, which
    loads what passes and records every other one as rejected; one result per upload: the load's
    answer (kind, commune and month taken from the check when the loader skipped an unchanged
    file). `commune` limits what may load (see `check`)."""
    checked = check(uploads, db, commune)
    if checked.error:
        return checked
    loaded = load(uploads, db, received_on, account, commune)
    if loaded.error:
        return replace(checked, error=loaded.error)
    files = [replace(answer, **{k: getattr(answer, k) if getattr(answer, k) is not None else getattr(entry, k)
                                for k in ("kind", "commune", "period")})
             for entry, answer in zip(checked.files, loaded.files)]
    return replace(loaded, files=files)


def counts(result: FileResult) -> tuple[int, int]:
    """(errors, warnings) of one file's result."""
    errors = sum(p.severity == "error" for p in result.problems)
    return errors, len(result.problems) - errors


def files_table(outcome: Outcome, commune_name=lambda code: code, month=lambda period: period) -> pd.DataFrame:
    """One row per file: name, kind, commune, month, result, error and warning counts; the files
    the page held back last, as not checked."""
    rows = []
    for f in outcome.files:
        errors, warnings = counts(f)
        rows.append({"Tệp": f.file, "Loại biểu": labels.KINDS.get(f.kind, "Không nhận ra"),
                     "Đảng bộ": commune_name(f.commune) if f.commune else "",
                     "Tháng": month(f.period) if f.period else "",
                     "Kết quả": labels.FILE_STATUS.get(f.status, f.status), "Số lỗi": errors, "Số cảnh báo": warnings})
    rows += [{"Tệp": u.name, "Loại biểu": "", "Đảng bộ": "", "Tháng": "", "Kết quả": HELD_BACK, "Số lỗi": 0,
              "Số cảnh báo": 0} for u in outcome.held_back]
    return pd.DataFrame(rows, columns=["Tệp", "Loại biểu", "Đảng bộ", "Tháng", "Kết quả", "Số lỗi", "Số cảnh báo"])


def problems_table(outcome: Outcome) -> pd.DataFrame:
    """One row per problem, errors first: file (the user's name), sheet, cell, column, severity,
    code, message."""
    return problems_of(outcome.files)


def problems_of(files: list[FileResult]) -> pd.DataFrame:
    """problems_table's rows for the problems of `files` (the audit page: a stored rejection's)."""
    rows = [{"Tệp": f.file, "Trang tính": p.sheet or "", "Ô": p.cell or "", "Cột": p.column or "",
             "Mức độ": labels.SEVERITY.get(p.severity, p.severity), "Mã": p.code, "Nội dung": p.message,
             "_order": p.severity != "error"}
            for f in files for p in f.problems]
    df = pd.DataFrame(rows, columns=["Tệp", "Trang tính", "Ô", "Cột", "Mức độ", "Mã", "Nội dung", "_order"])
    return df.sort_values("_order", kind="stable").drop(columns="_order").reset_index(drop=True)


def template(db: Path, commune: str, month: str) -> tuple[bytes | None, str]:
    """A blank monthly report pre-filled for `commune` and `month` ('YYYY-MM'): (bytes, '') or
    (None, the command's Vietnamese message)."""
    with tempfile.TemporaryDirectory(prefix="mau-bao-cao-") as folder:
        out = Path(folder) / "mau.xlsx"
        proc, error = run_cli(["template", "--commune", commune, "--month", month, "-o", str(out)], db)
        if error:
            return None, error
        if proc.returncode != 0 or not out.exists():
            return None, _failure(proc, "template")
        return out.read_bytes(), ""
