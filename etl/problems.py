"""Validation problems: the stable codes of SPEC §3 and the Problem record every check returns.

A problem is data, not an exception: checks return lists of them, the loader rejects a file
when any has severity "error", and the command line prints them as a table or as JSON.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

ERROR = "error"
WARNING = "warning"

# code -> (severity, short Vietnamese title used in tables and the help text)
CODES: dict[str, tuple[str, str]] = {
    "unreadable": (ERROR, "Tệp không đọc được"),
    "encrypted": (ERROR, "Tệp có mật khẩu"),
    "too_large": (ERROR, "Tệp quá lớn"),
    "too_many_sheets": (ERROR, "Tệp có quá nhiều trang tính"),
    "unknown_kind": (ERROR, "Không nhận ra biểu mẫu"),
    "period_missing": (ERROR, "Thiếu hoặc sai tháng, năm báo cáo"),
    "period_conflict": (ERROR, "Tháng, năm báo cáo không thống nhất"),
    "unknown_commune": (ERROR, "Không tìm thấy đảng bộ"),
    "unknown_branch": (ERROR, "Không tìm thấy chi bộ"),
    "ambiguous_unit": (ERROR, "Tên đơn vị khớp nhiều đơn vị"),
    "required_missing": (ERROR, "Thiếu giá trị bắt buộc"),
    "bad_type": (ERROR, "Sai kiểu dữ liệu"),
    "bad_value": (ERROR, "Giá trị không có trong danh sách"),
    "negative": (ERROR, "Số âm"),
    "over_total": (ERROR, "Vượt quá tổng số"),
    "date_order": (ERROR, "Ngày ban hành trước ngày họp"),
    "duplicate_row": (ERROR, "Trùng dòng"),
    # not in SPEC §3: the project's own (etl.access.confirm); a confirmed report takes no new version
    "report_confirmed": (ERROR, "Báo cáo đã được duyệt"),
    # etl.ingest.admission: a run limited to one commune takes its monthly reports only
    "not_permitted": (ERROR, "Không được nạp tệp này"),
    "branch_missing": (WARNING, "Thiếu chi bộ trong báo cáo"),
    "date_outside_period": (WARNING, "Ngày ngoài tháng báo cáo"),
    "totals_mismatch": (WARNING, "Dòng tổng cộng không khớp"),
    "details_not_held": (WARNING, "Có chi tiết nhưng ghi không sinh hoạt"),
    "over_active": (WARNING, "Số dự vượt số phải sinh hoạt"),
    "unaccented_match": (WARNING, "Tên không dấu đã được đối chiếu"),
}


def cell_ref(row: int, col: int) -> str:
    """Zero-based (row, col) -> A1 reference: (0, 0) -> 'A1', (4, 27) -> 'AB5'."""
    letters = ""
    n = col + 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return f"{letters}{row + 1}"


@dataclass(frozen=True)
class Problem:
    code: str
    message: str
    file: str = ""
    sheet: str | None = None
    cell: str | None = None
    row: int | None = None  # 1-based Excel row
    column: str | None = None  # the column's header as written in the file
    value: object = None

    def __post_init__(self):
        if self.code not in CODES:
            raise ValueError(f"unknown problem code {self.code!r}")

    @property
    def severity(self) -> str:
        return CODES[self.code][0]

    def as_json(self) -> dict:
        """The SPEC §4 problem object."""
        d = asdict(self)
        return {
            "severity": self.severity,
            "code": d["code"],
            "sheet": d["sheet"],
            "cell": d["cell"],
            "row": d["row"],
            "column": d["column"],
            "message": d["message"],
        }

    @classmethod
    def from_json(cls, d: dict, file: str = "") -> "Problem":
        """The problem an `as_json()` object describes, in the file `file` (the object does not
        name it: its file entry does). ValueError on an unknown code or on a severity that is
        not the code's."""
        problem = cls(code=d["code"], message=d["message"], file=file, sheet=d.get("sheet"), cell=d.get("cell"),
                      row=d.get("row"), column=d.get("column"))
        if d.get("severity", problem.severity) != problem.severity:
            raise ValueError(f"problem {problem.code!r} has severity {problem.severity!r}, not {d['severity']!r}")
        return problem


def at(code: str, message: str, *, sheet: str | None, row0: int | None = None,
       col0: int | None = None, column: str | None = None, value: object = None) -> Problem:
    """A problem located by zero-based sheet coordinates (file is filled in by the loader)."""
    return Problem(
        code=code,
        message=message,
        sheet=sheet,
        cell=cell_ref(row0, col0) if row0 is not None and col0 is not None else None,
        row=row0 + 1 if row0 is not None else None,
        column=column,
        value=value,
    )


def has_errors(problems: list[Problem]) -> bool:
    return any(p.severity == ERROR for p in problems)
