"""Whether a checked file may be written in this run, beyond its own content.

Takes a file's FileResult and check meta, and what the run says about who loads and when, and
returns the problems that refuse it (none: it may load):
  - a run limited to one commune (`load --commune`, or a commune account's `--account`) takes
    that commune's monthly reports only; any other file gets `not_permitted`;
  - a monthly report cannot have been received before its month began: such a receipt date
    (`--received-on`, the upload page's date, or the time of loading) is `bad_value` on the cell
    that gives the report's month.
The loader (etl.ingest.load) and `check --commune` both ask here, so the rules live in one place.
"""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from etl import labels
from etl import vnformat as vn
from etl.period import Month
from etl.problems import Problem, at

NOT_YOURS = ("Tài khoản của {own} chỉ được tải lên báo cáo tháng của chính đảng bộ mình; tệp này là {what}. "
             "Hãy gửi tệp cho Ban Tổ chức hoặc đảng bộ có liên quan.")
KINDS_VN = {kind: label.lower() for kind, label in labels.KINDS.items() if kind != "monthly"}
BEFORE_MONTH = ("Ngày nhận báo cáo {received} trước tháng báo cáo {month}: báo cáo tháng {month} chỉ nhận được "
                "từ ngày {first} trở đi. Hãy kiểm tra lại tháng báo cáo ở ô này, hoặc ngày nhận đã khai "
                "(ô 'Ngày nhận báo cáo' hay --received-on).")


def _commune_vn(code: str, registry) -> str:
    unit = registry.communes.get(code) if registry is not None else None
    return f"đảng bộ {unit.name} ({code})" if unit else f"đảng bộ {code}"


def same_commune(a: str | None, b: str | None) -> bool:
    return a is not None and b is not None and a.strip().upper() == b.strip().upper()


def commune_refusal(result, commune: str | None, registry=None) -> Problem | None:
    """`not_permitted` when the run is limited to `commune` (None: no limit) and the file is not
    that commune's monthly report."""
    if commune is None or (result.kind == "monthly" and same_commune(result.commune, commune)):
        return None
    if result.kind == "monthly" and result.commune:
        what = f"báo cáo tháng của {_commune_vn(result.commune, registry)}"
    else:
        what = KINDS_VN.get(result.kind, "một tệp không nhận ra loại biểu")
    return Problem("not_permitted", NOT_YOURS.format(own=_commune_vn(commune.strip().upper(), registry), what=what),
                   file=result.file)


def received_refusal(result, meta: dict, received: datetime | None) -> Problem | None:
    """`bad_value` at the report's month cell when a monthly report's receipt date (None: now) is
    before the first day of its month."""
    if result.kind != "monthly" or not result.period:
        return None
    received = received or datetime.now()
    first = datetime.combine(Month.parse(result.period).first_day, datetime.min.time())
    if received >= first:
        return None
    message = BEFORE_MONTH.format(received=vn.day(received), month=vn.month_numeric(result.period),
                                  first=vn.day(first))
    sheet, row0, col0 = meta.get("period_at") or (None, None, None)
    return replace(at("bad_value", message, sheet=sheet, row0=row0, col0=col0, value=vn.day(received)),
                   file=result.file)


def refusals(result, meta: dict, *, commune: str | None = None, registry=None,
             received: datetime | None = None) -> list[Problem]:
    """Every problem that refuses the file in this run, the commune's first."""
    return [p for p in (commune_refusal(result, commune, registry), received_refusal(result, meta, received))
            if p is not None]


def restrict(result, commune: str | None, registry=None):
    """A checked FileResult as `check --commune` reports it: rejected, with the refusal first,
    when it is not `commune`'s monthly report."""
    refusal = commune_refusal(result, commune, registry)
    if refusal is not None:
        result.problems.insert(0, refusal)
        result.status = "rejected"
    return result
