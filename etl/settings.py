"""Indicator thresholds, the December report's organisation names and the limits on uploaded
workbooks: reads `settings.toml` (repository root) into a frozen `Settings`.

Takes a TOML file whose `[section]` tables hold `key = value` pairs and returns `Settings`,
whose field names are `<section>_<key>` (`[schedule] first_day` -> `schedule_first_day`).
A missing file at the default place gives the defaults; a key left out keeps its default.
Unknown keys, wrong types and impossible values raise `ValueError` with a Vietnamese message,
because a typo in a threshold must not silently change the numbers shown to the committee.
"""
from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass, fields
from pathlib import Path

DEFAULT_PATH = Path(__file__).resolve().parent.parent / "settings.toml"


@dataclass(frozen=True)
class Settings:
    schedule_first_day: int = 1          # I6 window, first day of the month
    schedule_last_day: int = 7           # I6 window, last day of the month
    tasks_deadline_day: int = 30         # I4: tasks sent on or before this day (or month end)
    submission_deadline_day: int = 5     # I15: report due this day of the next month
    attendance_well_attended_above: float = 90.0  # a meeting attended by more than this % is well attended
    attention_not_reported: bool = True
    attention_i5_below: bool = True
    attention_i5_margin_points: float = 10.0
    attention_behind_pace: bool = True
    attention_overdue_findings: bool = True
    attention_min_overdue_findings: int = 1
    attention_quality_flags: bool = True
    # The December report's header block and signature (party-document layout, export only)
    session_idle_minutes: int = 30          # dashboard: sign out after this long without use
    session_max_hours: int = 12             # dashboard: sign out this long after the sign-in, in use or not
    limits_max_sheets: int = 30             # worksheets per workbook (SPEC §3 too_many_sheets)
    limits_memory_mb: int = 1024            # memory one workbook's check may take (0: no limit)
    backup_folder: str = "data/backup"      # where backups go (python -m etl backup, the nightly one)
    backup_hour: int = 2                    # the running server's nightly backup, at this hour (0–23)
    backup_keep: int = 14                   # backups kept in the folder; older ones are removed

    organization_name: str = "HUYỆN ỦY BẢO LÂM"      # the committee above the board
    organization_board: str = "BAN TỔ CHỨC"          # the issuing body
    organization_place: str = "Bảo Lâm"              # "Bảo Lâm, ngày … tháng … năm …"
    organization_symbol: str = "BC/BTCHU"            # "Số …-BC/BTCHU"
    organization_signer: str = "TRƯỞNG BAN"          # the signer's title
    organization_sign_for: str = ""                  # above it when signing for: "K/T TRƯỞNG BAN"
    organization_recipients: tuple[str, ...] = (     # seed 002 §10: to the standing committee
        "Ban Thường vụ Huyện ủy (để báo cáo),", "Các đảng ủy cơ sở,", "Lưu Ban Tổ chức.")

    def __post_init__(self) -> None:
        for name in ("schedule_first_day", "schedule_last_day", "tasks_deadline_day",
                     "submission_deadline_day"):
            if not 1 <= getattr(self, name) <= 31:
                raise ValueError(f"Cài đặt '{_key(name)}' phải là một ngày từ 1 đến 31.")
        if self.schedule_first_day > self.schedule_last_day:
            raise ValueError("Cài đặt [schedule]: 'first_day' không được lớn hơn 'last_day'.")
        if self.attention_i5_margin_points < 0:
            raise ValueError("Cài đặt [attention] 'i5_margin_points' không được âm.")
        if not 1 <= self.session_idle_minutes <= 24 * 60:
            raise ValueError("Cài đặt [session]: 'idle_minutes' phải từ 1 đến 1440 (phút).")
        if not 1 <= self.session_max_hours <= 7 * 24:
            raise ValueError("Cài đặt [session]: 'max_hours' phải từ 1 đến 168 (giờ).")
        if self.limits_max_sheets < 1:
            raise ValueError("Cài đặt [limits] 'max_sheets' phải từ 1 trở lên.")
        if self.limits_memory_mb < 0:
            raise ValueError("Cài đặt [limits] 'memory_mb' không được âm (0 là không giới hạn).")
        if not 0 <= self.attendance_well_attended_above < 100:
            raise ValueError("Cài đặt [attendance] 'well_attended_above' phải từ 0 đến dưới 100 (%).")
        if not 0 <= self.backup_hour <= 23:
            raise ValueError("Cài đặt [backup] 'hour' phải từ 0 đến 23 (giờ trong ngày).")
        if self.backup_keep < 1:
            raise ValueError("Cài đặt [backup] 'keep' phải từ 1 trở lên.")
        if not self.backup_folder.strip():
            raise ValueError("Cài đặt [backup] 'folder' không được để trống.")
        if self.attention_min_overdue_findings < 1:
            raise ValueError("Cài đặt [attention] 'min_overdue_findings' phải từ 1 trở lên.")
        for name in ("organization_name", "organization_board", "organization_place",
                     "organization_symbol", "organization_signer"):
            if not getattr(self, name).strip():
                raise ValueError(f"Cài đặt '{_key(name)}' không được để trống.")


def _key(field_name: str) -> str:
    """'schedule_first_day' -> '[schedule] first_day', the way the TOML file spells it."""
    section, _, key = field_name.partition("_")
    return f"[{section}] {key}"


def load_settings(path: str | Path | None = None) -> Settings:
    """Read the settings file; `path=None` means `settings.toml` at the repository root."""
    file = Path(path) if path is not None else DEFAULT_PATH
    if path is None and not file.exists():
        return Settings()
    try:
        with file.open("rb") as handle:
            data = tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:
        raise ValueError(f"Tệp cài đặt {file} sai cú pháp TOML: {error}") from error
    types = {f.name: f.type for f in fields(Settings)}
    values: dict[str, object] = {}
    for section, table in data.items():
        if not isinstance(table, dict):
            raise ValueError(f"Tệp cài đặt {file}: '{section}' phải là một mục [{section}].")
        for key, value in table.items():
            name = f"{section}_{key}"
            if name not in types:
                raise ValueError(f"Tệp cài đặt {file}: không có cài đặt [{section}] {key}.")
            values[name] = _typed(file, name, types[name], value)
    return Settings(**values)


@functools.lru_cache(maxsize=1)
def for_this_process() -> Settings:
    """The settings file read once by this process, for work done per file (reading and checking
    workbooks), where reading it again for each of a thousand files would cost more than the
    work. A change takes effect in the next process: each load or check command is one."""
    return load_settings()


def _typed(file: Path, name: str, kind: str, value: object) -> object:
    # bool is a subclass of int in Python: check it first so `first_day = true` is refused.
    if kind == "bool" and isinstance(value, bool):
        return value
    if kind == "int" and isinstance(value, int) and not isinstance(value, bool):
        return value
    if kind == "float" and isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if kind == "str" and isinstance(value, str):
        return value
    if kind == "tuple[str, ...]" and isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    wanted = {"bool": "true/false", "int": "số nguyên", "float": "số", "str": "chuỗi ký tự",
              "tuple[str, ...]": "danh sách chuỗi ký tự"}[kind]
    raise ValueError(f"Tệp cài đặt {file}: '{_key(name)}' phải là {wanted}, không phải {value!r}.")
