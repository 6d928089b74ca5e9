"""The 'Tải báo cáo' page's work, apart from its widgets: save uploaded workbooks under safe
names, check and load them with the real command line in a subprocess, and give the results
back under the names the user chose.

    uploads = save(files, folder)               # [(name, bytes or uploaded file)] -> [Upload]
    checked = check(uploads, db, commune)       # python -m etl check --json  -> Outcome
    to_load = loadable(uploads, checked)        # the files that will load (worth_loading: their entries)
    loaded  = load(uploads, db, received_on, account, commune)  # python -m etl load --json -> Outcome
    check_and_load(uploads, db, received_on)    # check, then load every upload: one entry per upload
    problems_table(outcome), files_table(outcome, names)  # DataFrames for the page
    template(db, commune, month)                # python -m etl template      -> (bytes | None, message)

Why a subprocess: DuckDB lets one process write the warehouse, and the dashboard process must
never be it (it serves many sessions and reads a snapshot). The command line also waits for a
concurrent load (up to 30 s) and then says so; that message is shown as it is.
The user's file name is never used as a path: a file is saved as '<n>-<ascii slug>.<ext>' with
a whitelisted extension, in a folder the caller made fresh; the slug keeps the warehouse's
`source_file` readable on the 'Nộp báo cáo' page.

Every upload given to `load` leaves an audit row written by the loader: loaded, unchanged or
rejected (by the checks, by the account's commune: `--account`/`--commune`, or here before
saving: too many, too large, not a workbook), under the name it was uploaded with and the hash
of its bytes (none for files past the count or total size, which are never read). The upload
record (`--uploads`, JSON) carries those names and refusals to the command.
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
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd

from etl import labels, text
from etl.ingest.load import UNIT_CODES

ROOT = Path(__file__).resolve().parents[1]
EXTENSIONS = (".xlsx", ".xlsm", ".xls")
MAX_BYTES = 20 * 2**20  # SPEC §3 too_large
MAX_MB = MAX_BYTES // 2**20
MAX_FILES = 200
MAX_TOTAL_BYTES = 200 * 2**20  # per upload: Streamlit holds every file in memory until the run ends
MAX_TOTAL_MB = MAX_TOTAL_BYTES // 2**20
TIMEOUT = 900  # seconds; a province's month (100+ files) checks and loads in well under that

# --- Vietnamese texts, kept together for review ------------------------------------------
STATUS = {"checked": "Hợp lệ", "rejected": "Bị từ chối", "loaded": "Đã nạp", "unchanged": "Không thay đổi"}
SEVERITY = {"error": "Lỗi", "warning": "Cảnh báo"}
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
    refusal: dict | None = None  # a problem in the CLI's JSON shape, for a file never saved
    sha256: str | None = None  # of a file refused before saving, when its bytes were read

    @property
    def saved(self) -> bool:
        return self.path is not None


@dataclass
class Outcome:
    """The command line's answer: one SPEC §4 JSON file entry per upload, under the user's
    names, or `error` (Vietnamese) when the command could not run (warehouse busy...)."""
    files: list[dict] = field(default_factory=list)
    error: str | None = None

    def names(self, *statuses: str) -> list[str]:
        return [f["file"] for f in self.files if f["status"] in statuses]


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


def _refusal(message: str, code: str) -> dict:
    return {"severity": "error", "code": code, "sheet": None, "cell": None, "row": None, "column": None,
            "message": message}


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
        # too_many is not a SPEC §3 code: the page's own limits, not a fault of the file
        if i > MAX_FILES:
            out.append(Upload(name, refusal=_refusal(TOO_MANY.format(limit=MAX_FILES, name=name), "too_many")))
        elif total + size > MAX_TOTAL_BYTES:
            out.append(Upload(name, refusal=_refusal(TOO_MUCH.format(limit=MAX_TOTAL_MB, name=name), "too_many")))
        elif target is None or size > MAX_BYTES:
            total += size  # what is read counts, saved or not
            data = _bytes(content)
            if target is None:
                refusal = _refusal(BAD_EXTENSION.format(name=name), "unreadable")
            else:
                mb = f"{size / 2**20:.1f}".replace(".", ",")
                refusal = _refusal(TOO_LARGE.format(name=name, size=mb, limit=MAX_MB), "too_large")
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


def _run_json(command: str, uploads: list[Upload], db: Path, extra: list[str] = (), *, always: bool = False) -> Outcome:
    """`command --json` on the saved uploads; `always`: run it even when none was saved (a load
    still records the refused ones)."""
    saved = [u for u in uploads if u.saved]
    refused = [{"file": u.name, "saved": None, "upload": i, "kind": None, "status": "rejected", "commune": None,
                "period": None, "rows": {}, "problems": [u.refusal]} for i, u in enumerate(uploads) if not u.saved]
    if not saved and not (always and refused):
        return Outcome(refused)
    proc, error = run_cli([command, "--json", *extra, *(str(u.path) for u in saved)], db)
    if error:
        return Outcome(refused, error)
    try:
        answer = json.loads(proc.stdout)
    except json.JSONDecodeError:
        return Outcome(refused, _failure(proc, command))
    index = {u.path.name: i for i, u in enumerate(uploads) if u.saved}
    files = [_rename(entry, uploads, index) for entry in answer["files"]]
    return Outcome(sorted(files + refused, key=lambda f: f["upload"]))


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


def _rename(entry: dict, uploads: list[Upload], index: dict[str, int]) -> dict:
    """The CLI's entry under the user's file name (in messages too); `saved` keeps ours and
    `upload` the position in the upload list (two uploads may share a name)."""
    saved = entry["file"]
    i = index.get(saved, len(uploads))
    original = uploads[i].name if i < len(uploads) else saved
    problems = [{**p, "message": (p.get("message") or "").replace(saved, original)} for p in entry["problems"]]
    return {**entry, "file": original, "saved": saved, "upload": i, "problems": problems}


def check(uploads: list[Upload], db: Path, commune: str | None = None) -> Outcome:
    """Validate against the warehouse's unit registry; writes nothing. With `commune` (a commune
    account's own), any file that is not that commune's monthly report is refused too
    (`check --commune`, the loader's own rule)."""
    return _run_json("check", uploads, db, ["--commune", commune] if commune else [])


def worth_loading(checked: Outcome) -> list[dict]:
    """The check's entries worth loading: those that passed, and, when a unit registry file
    passed too, those rejected only for unknown units (the loader applies the registry first
    and checks them again)."""
    passed = [f for f in checked.files if f["saved"] and f["status"] == "checked"]
    registry = any(f["kind"] == "registry" for f in passed)

    def unit_only(entry: dict) -> bool:
        errors = {p["code"] for p in entry["problems"] if p["severity"] == "error"}
        return bool(errors) and errors <= UNIT_CODES

    return [f for f in checked.files if f["saved"] and (f["status"] == "checked" or (registry and unit_only(f)))]


def loadable(uploads: list[Upload], checked: Outcome) -> list[Upload]:
    """The uploads `worth_loading` picks, in upload order."""
    chosen = {f["saved"] for f in worth_loading(checked)}
    return [u for u in uploads if u.saved and u.path.name in chosen]


def load(uploads: list[Upload], db: Path, received_on: date | None = None, account: str | None = None,
         commune: str | None = None) -> Outcome:
    """Load into the warehouse; `received_on` (None: the time of loading) is the receipt day;
    `account` is who loads (the command checks its rights again) and `commune` limits the run to
    that commune's monthly reports. Uploads refused before saving are recorded as rejections."""
    extra = ["--received-on", received_on.isoformat()] if received_on else []
    extra += (["--account", account] if account else []) + (["--commune", commune] if commune else [])
    record = {"names": {u.path.name: u.name for u in uploads if u.saved},
              "refused": [{"file": u.name, "sha256": u.sha256, "codes": [u.refusal["code"]]}
                          for u in uploads if not u.saved]}
    with tempfile.TemporaryDirectory(prefix="tai-len-") as folder:
        manifest = Path(folder) / "uploads.json"
        manifest.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
        return _run_json("load", uploads, db, extra + ["--uploads", str(manifest)], always=True)


def check_and_load(uploads: list[Upload], db: Path, received_on: date | None = None, *, account: str | None = None,
                   commune: str | None = None) -> Outcome:
    """Check (against the registry as it is now), then give every upload to the loader, which
    loads what passes and records every other one as rejected; one entry per upload: the load's
    answer (kind, commune and month taken from the check when the loader skipped an unchanged
    file). `commune` limits what may load (see `check`)."""
    checked = check(uploads, db, commune)
    if checked.error:
        return checked
    loaded = load(uploads, db, received_on, account, commune)
    if loaded.error:
        return Outcome(checked.files, loaded.error)
    answers = {f["upload"]: f for f in loaded.files}
    files = []
    for entry in checked.files:
        answer = answers.get(entry["upload"], entry)
        known = {k: answer[k] if answer[k] is not None else entry[k] for k in ("kind", "commune", "period")}
        files.append({**answer, **known, "upload": entry["upload"]})
    return Outcome(files)


def counts(entry: dict) -> tuple[int, int]:
    """(errors, warnings) of one file entry."""
    errors = sum(p["severity"] == "error" for p in entry["problems"])
    return errors, len(entry["problems"]) - errors


def files_table(outcome: Outcome, commune_name=lambda code: code, month=lambda period: period) -> pd.DataFrame:
    """One row per file: name, kind, commune, month, result, error and warning counts."""
    rows = []
    for f in outcome.files:
        errors, warnings = counts(f)
        rows.append({"Tệp": f["file"], "Loại biểu": labels.KINDS.get(f["kind"], "Không nhận ra"),
                     "Đảng bộ": commune_name(f["commune"]) if f["commune"] else "",
                     "Tháng": month(f["period"]) if f["period"] else "",
                     "Kết quả": STATUS.get(f["status"], f["status"]), "Số lỗi": errors, "Số cảnh báo": warnings})
    return pd.DataFrame(rows, columns=["Tệp", "Loại biểu", "Đảng bộ", "Tháng", "Kết quả", "Số lỗi", "Số cảnh báo"])


def problems_table(outcome: Outcome) -> pd.DataFrame:
    """One row per problem, errors first: file (the user's name), sheet, cell, column, severity,
    code, message."""
    rows = [{"Tệp": f["file"], "Trang tính": p.get("sheet") or "", "Ô": p.get("cell") or "",
             "Cột": p.get("column") or "", "Mức độ": SEVERITY.get(p["severity"], p["severity"]),
             "Mã": p.get("code") or "", "Nội dung": p.get("message") or "", "_order": p["severity"] != "error"}
            for f in outcome.files for p in f["problems"]]
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
