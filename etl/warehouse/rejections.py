"""Rejected files and their problems: what a commune sent that the loader refused, and why.

`record(con, result, ...)` writes a rejected file's audit row ('reject', etl.access.audit) and its
problems (tables rejections and rejection_problems, schema version 7) in one transaction, so
neither is there without the other; `find(con, sha256)` and `at_row(con, at, file_name, sha256)`
read one rejection back as the FileResult the loader gave (its problems as etl.problems.Problem),
for `python -m etl problems` and the audit page. The file's bytes are kept apart, by content
(etl.warehouse.originals).

A rejection's commune decides who may see it (etl.access.rights.may_view_file): the commune the
report names, unless the run was limited to another commune (a commune account's upload, or
`load --commune`): then neither that commune nor the one the file names surely sent it, and, like
a file naming no commune, it is the board's only.
"""
from __future__ import annotations

from datetime import datetime

from etl.access import audit
from etl.ingest.admission import same_commune
from etl.ingest.check import FileResult
from etl.problems import Problem
from etl.warehouse import db, transaction


def record(con, result: FileResult, *, account=None, commune: str | None = None) -> None:
    """The audit row of a rejected file (its error codes as detail) and its problems, in one
    transaction; `commune`: the one commune the run was limited to (None: no limit)."""
    whose = result.commune if commune is None or same_commune(result.commune, commune) else None
    at = datetime.now()
    codes = sorted({p.code for p in result.problems if p.severity == "error"})
    with transaction(con):
        audit.record(con, "reject", account=account, file_name=result.file, sha256=result.sha256,
                     detail=", ".join(codes), at=at)
        [(rejection_id,)] = con.execute(
            "INSERT INTO rejections VALUES (nextval('rejection_ids'), ?, ?, ?, ?, ?, ?) RETURNING rejection_id",
            [at, result.file, result.sha256, result.kind, whose, result.period]).fetchall()
        # one typed Arrow insert however many problems (a damaged registry may have thousands);
        # `incoming` is read by name from this function's locals (DuckDB's replacement scan)
        incoming = db._arrow("rejection_problems", [  # noqa: F841
            {"rejection_id": rejection_id, "seq": seq, "severity": p.severity, "code": p.code, "sheet": p.sheet,
             "cell": p.cell, "row_no": p.row, "header": p.column, "message": p.message}
            for seq, p in enumerate(result.problems)], [])
        con.execute("INSERT INTO rejection_problems BY NAME SELECT * FROM incoming")


def find(con, sha256: str) -> FileResult | None:
    """The newest rejection of content `sha256` (None: never rejected since version 7)."""
    return _one(con, "sha256 = ?", [sha256.strip().lower()])


def at_row(con, at: datetime, file_name: str | None, sha256: str | None) -> FileResult | None:
    """The rejection an audit row ('reject') records, by its time, file name and content (None:
    a rejection recorded before version 7, or a file the upload page refused unsaved)."""
    return _one(con, '"at" = ? AND file_name IS NOT DISTINCT FROM ? AND sha256 IS NOT DISTINCT FROM ?',
                [at, file_name, sha256])


def none_stored(sha256: str) -> str:
    """What to say of a content without a stored rejection."""
    return (f"Kho dữ liệu không lưu lần từ chối nào của tệp có mã băm {sha256[:12]}…: tệp đã được nạp, chưa từng "
            "được đưa vào nạp, hoặc bị từ chối trước khi kho bắt đầu lưu danh sách lỗi (khi đó Nhật ký hoạt động "
            "chỉ ghi mã lỗi).")


def commune_of(con, sha256: str) -> str | None:
    """The commune of a content's rejections when they all name one (None: none, or several)."""
    row = con.execute("SELECT CASE WHEN count(DISTINCT commune_code) = 1 AND count(commune_code) = count(*) "
                      "THEN max(commune_code) END FROM rejections WHERE sha256 = ?", [sha256]).fetchone()
    return row[0] if row else None


def _one(con, where: str, params: list) -> FileResult | None:
    head = con.execute(f"SELECT rejection_id, file_name, sha256, kind, commune_code, period FROM rejections "
                       f"WHERE {where} ORDER BY rejection_id DESC LIMIT 1", params).fetchone()
    if head is None:
        return None
    rejection_id, file_name, sha256, kind, commune, period = head
    rows = con.execute("SELECT code, message, sheet, cell, row_no, header FROM rejection_problems "
                       "WHERE rejection_id = ? ORDER BY seq", [rejection_id]).fetchall()
    problems = [Problem(code=code, message=message, file=file_name or "", sheet=sheet, cell=cell, row=row,
                        column=header) for code, message, sheet, cell, row, header in rows]
    return FileResult(file=file_name or "", kind=kind, status="rejected", commune=commune, period=period,
                      problems=problems, sha256=sha256)
