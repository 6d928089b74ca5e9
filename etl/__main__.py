"""Command line (SPEC §4): python -m etl load | check | template | export | users | confirm | reopen.

Exit codes: 0 every file loaded or passed (warnings allowed); 1 some file rejected (the
others still load), or a refused change; 2 usage error (argparse's own code).
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from datetime import datetime
from pathlib import Path

STATUS_VN = {"loaded": "ĐÃ NẠP", "unchanged": "KHÔNG ĐỔI", "rejected": "BỊ TỪ CHỐI", "checked": "HỢP LỆ"}
SEVERITY_VN = {"error": "Lỗi", "warning": "Cảnh báo"}


def _date(value: str) -> datetime:
    try:
        return datetime.strptime(value, "%Y-%m-%d")
    except ValueError:
        raise argparse.ArgumentTypeError(f"ngày không hợp lệ '{value}', cần dạng YYYY-MM-DD") from None


def _period(value: str) -> str:
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", value):
        raise argparse.ArgumentTypeError(f"tháng không hợp lệ '{value}', cần dạng YYYY-MM")
    return value


def _export_period(value: str):
    from etl.period import Period

    try:
        return Period.parse(value)
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from None


ACCOUNT_HELP = "tài khoản bảng điều khiển thực hiện thao tác, ghi vào nhật ký (mặc định: dòng lệnh)"


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m etl", description="Nạp và kiểm tra báo cáo của các đảng bộ.")
    sub = p.add_subparsers(dest="command", required=True)
    load = sub.add_parser("load", help="kiểm tra và nạp tệp hoặc thư mục vào kho dữ liệu")
    # "*": the dashboard's upload record may hold only files refused before saving (still audited)
    load.add_argument("paths", nargs="*", metavar="PATH")
    load.add_argument("--db", help="tệp kho dữ liệu DuckDB (mặc định: $WAREHOUSE_DB hoặc data/warehouse.duckdb)")
    load.add_argument("--json", action="store_true", help="in kết quả dạng JSON")
    load.add_argument("--received-on", type=_date, metavar="YYYY-MM-DD",
                      help="ngày nhận báo cáo (khi nạp lại báo cáo cũ); mặc định là thời điểm nạp")
    load.add_argument("--account", metavar="NAME", help=ACCOUNT_HELP + "; tài khoản đảng bộ xã chỉ nạp được báo "
                      "cáo tháng của đảng bộ mình")
    load.add_argument("--commune", metavar="CODE", help="chỉ nhận báo cáo tháng của đảng bộ này (tệp khác bị từ chối)")
    load.add_argument("--uploads", metavar="FILE", help=argparse.SUPPRESS)  # the dashboard's upload record (JSON)
    check = sub.add_parser("check", help="chỉ kiểm tra, không ghi gì")
    check.add_argument("paths", nargs="+", metavar="PATH")
    check.add_argument("--db", help="kho dữ liệu để đối chiếu danh mục đơn vị")
    check.add_argument("--json", action="store_true")
    check.add_argument("--commune", metavar="CODE", help="chỉ nhận báo cáo tháng của đảng bộ này (tệp khác bị từ chối)")
    tpl = sub.add_parser("template", help="tạo mẫu báo cáo tháng trống cho một đảng bộ")
    tpl.add_argument("--commune", required=True, metavar="CODE")
    tpl.add_argument("--month", required=True, type=_period, metavar="YYYY-MM")
    tpl.add_argument("-o", "--output", metavar="FILE")
    tpl.add_argument("--db")
    exp = sub.add_parser(
        "export", help="xuất tổng hợp một kỳ (tháng, quý, 6 tháng, năm): bảng tính Excel và dự thảo báo cáo Word",
        description="Ghi tong-hop-sinh-hoat-chi-bo-KỲ.xlsx và bao-cao-chat-luong-sinh-hoat-chi-bo-KỲ.docx "
                    "vào thư mục -o (mặc định data/export). Số liệu lấy từ cùng lớp chỉ số với bảng điều khiển.")
    when = exp.add_mutually_exclusive_group(required=True)
    when.add_argument("--period", type=_export_period, metavar="P",
                      help="kỳ tổng hợp: YYYY-MM (tháng), YYYY-Qn (quý), YYYY-H1 / YYYY-H2 (6 tháng), YYYY (năm)")
    when.add_argument("--year", type=int, metavar="YYYY", help="năm tổng hợp (như --period YYYY)")
    exp.add_argument("--commune", action="append", default=[], metavar="CODE",
                     help="mã đảng bộ (lặp lại để chọn nhiều); mặc định: toàn Đảng bộ")
    exp.add_argument("-o", "--output-dir", default="data/export", metavar="DIR",
                     help="thư mục ghi hai tệp (mặc định data/export; tạo mới nếu chưa có)")
    exp.add_argument("--db", help="tệp kho dữ liệu DuckDB (mặc định: $WAREHOUSE_DB hoặc data/warehouse.duckdb)")
    exp.add_argument("--no-images", action="store_true",
                     help="không vẽ biểu đồ vào báo cáo Word (không cần trình duyệt Chromium)")
    exp.add_argument("--account", metavar="NAME", help=ACCOUNT_HELP)
    accts = sub.add_parser("users", help="quản lý tài khoản đăng nhập bảng điều khiển")
    acts = accts.add_subparsers(dest="users_command", required=True)
    with_db = argparse.ArgumentParser(add_help=False)  # --db after the action: users add NAME --db F
    with_db.add_argument("--db", help="tệp kho dữ liệu DuckDB (mặc định: $WAREHOUSE_DB hoặc data/warehouse.duckdb)")
    add = acts.add_parser("add", parents=[with_db], help="tạo tài khoản; mật khẩu sinh ngẫu nhiên được in ra một lần")
    add.add_argument("name", metavar="NAME")
    add.add_argument("--role", required=True, choices=["xem", "ban_to_chuc", "quan_tri", "xa"],
                     help="xem: chỉ xem; ban_to_chuc: nạp, xuất, duyệt; quan_tri: quản lý tài khoản; "
                          "xa: một đảng bộ (cần --commune)")
    add.add_argument("--commune", metavar="CODE", help="mã đảng bộ của tài khoản vai trò xa")
    pwd = acts.add_parser("set-password", parents=[with_db], help="đặt mật khẩu mới (nhập hai lần, không hiện trên màn hình)")
    pwd.add_argument("name", metavar="NAME")
    pwd.add_argument("--password-stdin", action="store_true", help="đọc mật khẩu từ dòng đầu của đầu vào chuẩn")
    for act, text in (("disable", "khóa tài khoản (giữ lịch sử)"), ("enable", "mở khóa tài khoản")):
        acts.add_parser(act, parents=[with_db], help=text).add_argument("name", metavar="NAME")
    acts.add_parser("list", parents=[with_db], help="liệt kê tài khoản (không bao giờ in mật khẩu)")
    for act, text in (("confirm", "duyệt báo cáo tháng của một đảng bộ: không nhận phiên bản mới đến khi mở lại"),
                      ("reopen", "mở lại báo cáo đã duyệt để nạp được phiên bản mới")):
        cmd = sub.add_parser(act, parents=[with_db], help=text)
        cmd.add_argument("--commune", required=True, metavar="CODE", help="mã đảng bộ")
        cmd.add_argument("--month", required=True, type=_period, metavar="YYYY-MM", help="tháng báo cáo")
        cmd.add_argument("--account", metavar="NAME", help="tài khoản Ban Tổ chức thực hiện (mặc định: dòng lệnh)")
        if act == "reopen":
            cmd.add_argument("--reason", metavar="TEXT", help="lý do mở lại (ghi vào nhật ký)")
    return p


def print_results(results, as_json: bool, out=sys.stdout) -> None:
    if as_json:
        json.dump({"files": [r.as_json() for r in results]}, out, ensure_ascii=False, indent=2, default=str)
        out.write("\n")
        return
    for r in results:
        where = " ".join(x for x in (r.commune, r.period) if x)
        out.write(f"{STATUS_VN[r.status]:<12} {r.file}" + (f"  ({where})" if where else "") + "\n")
        for p in r.problems:
            place = "!".join(x for x in (p.sheet, p.cell) if x) or "(cả tệp)"
            col = f" [{p.column}]" if p.column else ""
            out.write(f"    {SEVERITY_VN[p.severity]} {p.code}: {place}{col}: {p.message}\n")
    counts = {s: sum(r.status == s for r in results) for s in STATUS_VN}
    out.write("Tổng: " + ", ".join(f"{n} {STATUS_VN[s].lower()}" for s, n in counts.items() if n) + "\n")


NO_MEMORY = ("Máy chủ không đủ bộ nhớ để chạy hết lệnh nên lệnh đã dừng. Hãy chạy lại với ít tệp hơn mỗi lần "
             "hoặc tách tệp lớn thành nhiều tệp; nếu vẫn lỗi, hãy báo quản trị hệ thống.")


def main(argv=None) -> int:
    """The command; a MemoryError outside the check of one file (which rejects that file alone)
    ends it with a Vietnamese line on stderr and exit code 1, never a traceback."""
    try:
        return _main(argv)
    except MemoryError:
        print(NO_MEMORY, file=sys.stderr)
        return 1


def _main(argv=None) -> int:
    p = parser()
    args = p.parse_args(argv)
    if args.command == "load" and not args.paths and not args.uploads:
        p.error("cần ít nhất một tệp hoặc thư mục (PATH)")
    from etl.warehouse import db

    db.keep_private()
    if args.command == "template":
        from etl.outputs.template import TemplateError, write_template
        out = Path(args.output or f"bao-cao-thang-{args.month}-{args.commune}.xlsx")
        path = db.db_path(args.db)
        if not path.exists():  # a read-only command: never create an empty warehouse
            print(f"Không tìm thấy kho dữ liệu {path}. Hãy nạp tệp Danh mục đơn vị trước "
                  "(python -m etl load) hoặc chỉ đúng kho dữ liệu bằng --db.", file=sys.stderr)
            return 1
        try:
            con = db.connect(path, read_only=True)
            try:
                write_template(con, args.commune, args.month, out)
            finally:
                con.close()
        except (TemplateError, db.WarehouseBusy) as err:
            print(err, file=sys.stderr)
            return 1
        print(f"Đã tạo mẫu báo cáo: {out}")
        return 0
    if args.command == "export":
        return export(args)
    if args.command == "users":
        return users(args)
    if args.command in ("confirm", "reopen"):
        return confirmation(args)

    from etl.ingest import check
    from etl.ingest.units import Registry

    missing = [p for p in args.paths if not Path(p).exists()]
    if missing:
        print(f"Không tìm thấy: {', '.join(missing)}", file=sys.stderr)
        return 2
    try:
        if args.command == "check":
            path = db.db_path(args.db)
            if path.exists():
                con = db.connect(path, read_only=True)
                registry = Registry.from_db(con)
                con.close()
            else:
                registry = Registry()
            results = check.check_paths(args.paths, registry)
            if args.commune:
                from etl.ingest.admission import restrict
                results = [restrict(r, args.commune, registry) for r in results]
        else:
            con = db.connect(args.db)
            try:
                results = _load(con, args)
            finally:
                con.close()
    except db.WarehouseBusy as err:
        print(err, file=sys.stderr)
        return 1
    except AccountRefused as err:
        print(err, file=sys.stderr)
        return 1
    print_results(results, args.json)
    return 1 if any(r.status == "rejected" for r in results) else 0


class AccountRefused(Exception):
    """--account names no account, a locked one, or one without the right; the message is Vietnamese."""


WHAT_VN = {"upload": "nạp báo cáo", "export": "xuất báo cáo", "confirm": "duyệt báo cáo"}


def acting(con, name: str | None, action: str | None = None):
    """The Account that --account names (None without one): it must exist, not be locked and,
    given `action` ('upload' allows a commune account's 'upload_commune'), hold that right."""
    from etl.access import accounts

    if name is None:
        return None
    account = accounts.lookup(con, name)
    if account is None:
        raise AccountRefused(f"Không có tài khoản '{name}'.")
    if account.disabled:
        raise AccountRefused(f"Tài khoản '{account.name}' đã bị khóa.")
    if action and not (accounts.can(account, action) or (action == "upload" and account.commune
                                                           and accounts.can(account, "upload_commune", account.commune))):
        raise AccountRefused(f"Tài khoản {account.name} ({account.role_vn}) không có quyền {WHAT_VN[action]}.")
    return account


def _load(con, args) -> list:
    """`load`: the account's rights applied (a commune account loads its own monthly reports, at
    the time of loading), the upload record's names and refusals recorded with the others."""
    from etl.access import accounts, audit
    from etl.ingest import load as loader
    from etl.ingest.admission import same_commune

    by = acting(con, args.account, "upload")
    commune = args.commune
    if by is not None and not accounts.can(by, "upload"):  # a commune account
        if commune and not same_commune(commune, by.commune):
            raise AccountRefused(f"Tài khoản {by.name} chỉ được nạp báo cáo của đảng bộ {by.commune}.")
        if args.received_on:
            raise AccountRefused(f"Tài khoản {by.name} ({by.role_vn}) không được khai ngày nhận báo cáo: ngày nhận "
                                 "là thời điểm nạp. Chỉ Ban Tổ chức được khai ngày nhận khi nạp bổ sung báo cáo cũ.")
        commune = by.commune
    uploads = json.loads(Path(args.uploads).read_text(encoding="utf-8")) if args.uploads else {}
    results = loader.load_paths(con, args.paths, received_at=args.received_on, account=args.account and by.name,
                                commune=commune, names=uploads.get("names"))
    refused = uploads.get("refused") or []  # uploads the dashboard refused before saving them
    audit.record_many(con, "reject", [{"file_name": r["file"], "sha256": r.get("sha256"),
                                       "detail": ", ".join(sorted(r["codes"]))} for r in refused],
                      account=args.account and by.name)
    return results


def export(args) -> int:
    """The summary of a period (--period, or --year: the whole year): both files into
    args.output_dir; warnings to stderr."""
    from etl.access import audit
    from etl.outputs.export import charts, export_year
    from etl.warehouse import db

    period = args.period if args.period is not None else args.year
    path = db.db_path(args.db)
    if not path.exists():
        print(f"Không tìm thấy kho dữ liệu {path}. Hãy nạp báo cáo trước (python -m etl load).",
              file=sys.stderr)
        return 1
    try:
        con = db.connect(path, read_only=True)
        try:
            acting(con, args.account, "export")
        except AccountRefused as err:
            con.close()
            print(err, file=sys.stderr)
            return 1
        try:
            result = export_year(con, period, args.commune, args.output_dir,
                                 images=not args.no_images)
        finally:
            con.close()
            charts.close()  # before exit: the browser's profile folder is removed at exit
    except db.WarehouseBusy as err:
        print(err, file=sys.stderr)
        return 1
    for warning in result.warnings:
        print(f"Cảnh báo: {warning}", file=sys.stderr)
    made = [p for p in (result.xlsx, result.docx, result.briefing) if p is not None]
    print("\n".join(f"Đã xuất: {p}" for p in made))
    try:
        con = db.connect(path)
        try:
            audit.record_export(con, period, args.commune, {p.name: p.read_bytes() for p in made},
                                account=args.account)
        finally:
            con.close()
    except db.WarehouseBusy as err:
        print(f"Chưa ghi được nhật ký xuất báo cáo: {err}", file=sys.stderr)
        return 1
    return 0


def _writable(path):
    """A writable warehouse connection, or None after saying on stderr that a load holds it."""
    from etl.warehouse import db

    try:
        return db.connect(path)
    except db.WarehouseBusy as err:
        print(err, file=sys.stderr)
        return None


def users(args) -> int:
    """python -m etl users add | set-password | disable | enable | list; 1 on a refused change.
    A change takes effect on the dashboard at once: its read copy of the warehouse is refreshed
    here, so no login checks an old password, and no session of a locked account lives on."""
    import getpass

    from etl.access import accounts, logins
    from etl.warehouse import db, snapshot

    con = _writable(args.db)
    if con is None:
        return 1
    try:
        cmd = args.users_command
        if cmd == "add":
            password = accounts.add_user(con, args.name, args.role, args.commune)
            print(f"Đã tạo tài khoản {accounts.normalize_name(args.name)} ({accounts.ROLE_VN[args.role]}).")
            print(f"Mật khẩu (chỉ hiện một lần, hãy ghi lại và trao tận tay): {password}")
        elif cmd == "set-password":
            if args.password_stdin:
                password = sys.stdin.readline().rstrip("\r\n")
            else:
                password = getpass.getpass("Mật khẩu mới: ")
                if getpass.getpass("Nhập lại mật khẩu: ") != password:
                    print("Hai lần nhập không khớp; mật khẩu không đổi.", file=sys.stderr)
                    return 1
            accounts.set_password(con, args.name, password)
            print(f"Đã đặt mật khẩu mới cho {accounts.normalize_name(args.name)}.")
        elif cmd in ("disable", "enable"):
            (accounts.disable if cmd == "disable" else accounts.enable)(con, args.name)
            state = "khóa" if cmd == "disable" else "mở khóa"
            print(f"Đã {state} tài khoản {accounts.normalize_name(args.name)}.")
        else:
            rows = accounts.list_users(con)
            if not rows:
                print("Chưa có tài khoản nào.")
                return 0
            with logins.opened(args.db) as log:
                last_logins = logins.last_logins(log)
            for a in rows:
                state = "đã khóa" if a.disabled else "hoạt động"
                last = f"{last_logins[a.name]:%d/%m/%Y %H:%M}" if a.name in last_logins else "chưa đăng nhập"
                print(f"{a.name:<20} {a.role_vn:<24} {a.commune or '':<8} {state:<12} lần cuối: {last}")
            return 0
    except accounts.AccountError as err:
        print(err, file=sys.stderr)
        return 1
    except db.WarehouseBusy as err:
        print(err, file=sys.stderr)
        return 1
    finally:
        con.close()
    if snapshot.snapshot_path(db.db_path(args.db)).exists():  # a dashboard reads this warehouse
        snapshot.refresh(args.db)
    return 0


def confirmation(args) -> int:
    """python -m etl confirm | reopen --commune CODE --month YYYY-MM; 1 when refused."""
    from etl.access import accounts, confirm

    con = _writable(args.db)
    if con is None:
        return 1
    try:
        # --account: the dashboard runs this command for a signed-in user; the role rule applies
        by = accounts.lookup(con, args.account) if args.account else None
        if args.account and by is None:
            raise accounts.AccountError(f"Không có tài khoản '{args.account}'.")
        if args.command == "confirm":
            done = confirm.confirm(con, args.commune, args.month, by=by)
            print(f"Đã duyệt báo cáo tháng {confirm.month_vn(args.month)} của đảng bộ {done.commune_code}. "
                  "Báo cáo này không nhận phiên bản mới cho đến khi được mở lại.")
        else:
            done = confirm.reopen(con, args.commune, args.month, by=by, reason=args.reason)
            print(f"Đã mở lại báo cáo tháng {confirm.month_vn(args.month)} của đảng bộ {done.commune_code}; "
                  "có thể nạp phiên bản mới.")
    except (confirm.ConfirmError, accounts.AccountError) as err:
        print(err, file=sys.stderr)
        return 1
    finally:
        con.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
