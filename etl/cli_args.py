"""The words of `python -m etl` (SPEC §4): its parser, with the Vietnamese help, the argument
types (dates, months, periods, hashes) and the checks argparse cannot state. etl/__main__.py runs
the command it names.
"""
from __future__ import annotations

import argparse
from datetime import datetime

from etl.period import Month


def _date(value: str) -> datetime:
    try:
        return datetime.strptime(value, "%Y-%m-%d")
    except ValueError:
        raise argparse.ArgumentTypeError(f"ngày không hợp lệ '{value}', cần dạng YYYY-MM-DD") from None


def _period(value: str) -> str:
    try:
        return str(Month.parse(value))
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from None


def _sha256(value: str) -> str:
    digest = value.strip().lower()
    if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
        raise argparse.ArgumentTypeError(f"mã băm SHA-256 không hợp lệ '{value}', cần đủ 64 chữ số hệ 16 "
                                         "(cột Mã băm SHA-256 của trang Nhật ký hoạt động)")
    return digest


def _export_period(value: str):
    from etl.period import Period

    try:
        return Period.parse(value)
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from None


ACCOUNT_HELP = "tài khoản bảng điều khiển thực hiện thao tác, ghi vào nhật ký (mặc định: dòng lệnh)"
FILE_ACCOUNT_HELP = ("tài khoản bảng điều khiển yêu cầu: chỉ được tệp của đảng bộ tài khoản đó được xem "
                     "(mặc định: dòng lệnh, mọi tệp)")


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
    check.add_argument("--uploads", metavar="FILE", help=argparse.SUPPRESS)  # the dashboard's upload record (JSON)
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
    orig = sub.add_parser("original", parents=[with_db], help="ghi ra tệp gốc đúng từng byte của một báo cáo tháng đã "
                          "nạp, hoặc của một tệp bất kỳ đã đưa vào nạp (kể cả tệp bị từ chối) theo mã băm")
    orig.add_argument("--commune", metavar="CODE", help="mã đảng bộ (cùng --month)")
    orig.add_argument("--month", type=_period, metavar="YYYY-MM", help="tháng báo cáo")
    orig.add_argument("--version", type=int, metavar="N", help="lần nạp thứ N (mặc định: phiên bản hiện hành)")
    orig.add_argument("--sha256", type=_sha256, metavar="HASH", help="mã băm SHA-256 của tệp (thay cho --commune "
                      "và --month)")
    orig.add_argument("-o", "--output", required=True, metavar="FILE", help="tệp ghi ra")
    orig.add_argument("--account", metavar="NAME", help=FILE_ACCOUNT_HELP)
    prob = sub.add_parser("problems", parents=[with_db], help="in các lỗi của một tệp đã bị từ chối, theo mã băm")
    prob.add_argument("--sha256", required=True, type=_sha256, metavar="HASH", help="mã băm SHA-256 của tệp")
    prob.add_argument("--json", action="store_true", help="in kết quả dạng JSON (như load --json)")
    prob.add_argument("--account", metavar="NAME", help=FILE_ACCOUNT_HELP)
    bak = sub.add_parser("backup", help="sao lưu kho dữ liệu, tệp đăng nhập và các tệp gốc vào một tệp nén")
    bak.add_argument("-o", "--output-dir", metavar="DIR", help="thư mục ghi bản sao lưu (mặc định: [backup] folder "
                     "trong settings.toml)")
    bak.add_argument("--db", help="tệp kho dữ liệu DuckDB (mặc định: $WAREHOUSE_DB hoặc data/warehouse.duckdb)")
    res = sub.add_parser("restore", help="khôi phục một bản sao lưu thành kho dữ liệu mới (kiểm tra mã SHA-256 trước)")
    res.add_argument("backup", metavar="BACKUP", help="tệp .zip của bản sao lưu (tệp .zip.sha256 đi kèm bên cạnh)")
    res.add_argument("--db", required=True, metavar="NEW", help="đường dẫn kho dữ liệu khôi phục ra")
    res.add_argument("--replace", action="store_true",
                     help="cho phép thay một kho đã có ở NEW (kho cũ được đổi tên để giữ lại, không bị xóa)")
    return p


def parse(argv=None) -> argparse.Namespace:
    """The arguments, with the checks argparse cannot state (a usage error exits 2)."""
    p = parser()
    args = p.parse_args(argv)
    if args.command == "load" and not args.paths and not args.uploads:
        p.error("cần ít nhất một tệp hoặc thư mục (PATH)")
    if args.command == "original" and (args.sha256 is None) == (args.commune is None or args.month is None):
        p.error("cần --commune và --month (báo cáo tháng), hoặc chỉ --sha256 (một tệp theo mã băm)")
    if args.command == "original" and args.sha256 is not None and (args.commune or args.month or args.version):
        p.error("--sha256 không đi cùng --commune, --month hay --version")
    return args
