"""Command line (SPEC §4): python -m etl load | check | template | export | users | confirm | reopen | original |
problems | backup | restore.

Exit codes: 0 every file loaded or passed (warnings allowed); 1 some file rejected (the
others still load), or a refused change; 2 usage error (argparse's own code). The parser and
its help are etl/cli_args.py; here, one function per command (COMMANDS) that calls the library.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from etl.cli_args import parse


def print_results(results, as_json: bool, out=sys.stdout, flags=None) -> None:
    """The per-file lines (or SPEC §4's JSON document), then the data-quality flags that the
    monthly reports among them raise (`flags`: etl.quality.flags_of_reports; None: no such report)."""
    from etl import labels, quality

    if as_json:
        document = {"files": [r.as_json() for r in results]}
        if flags is not None:
            document["data_quality"] = quality.as_json(flags)
        json.dump(document, out, ensure_ascii=False, indent=2, default=str)
        out.write("\n")
        return
    for r in results:
        where = " ".join(x for x in (r.commune, r.period) if x)
        out.write(f"{labels.FILE_STATUS[r.status].upper():<14} {r.file}" + (f"  ({where})" if where else "") + "\n")
        for p in r.problems:
            place = "!".join(x for x in (p.sheet, p.cell) if x) or "(cả tệp)"
            col = f" [{p.column}]" if p.column else ""
            out.write(f"    {labels.SEVERITY[p.severity]} {p.code}: {place}{col}: {p.message}\n")
    counts = {s: sum(r.status == s for r in results) for s in labels.FILE_STATUS}
    out.write("Tổng: " + ", ".join(f"{n} {labels.FILE_STATUS[s].lower()}" for s, n in counts.items() if n) + "\n")
    for line in quality.lines(flags) if flags is not None else ():
        out.write(line + "\n")


NO_MEMORY = ("Máy chủ không đủ bộ nhớ để chạy hết lệnh nên lệnh đã dừng. Hãy chạy lại với ít tệp hơn mỗi lần "
             "hoặc tách tệp lớn thành nhiều tệp; nếu vẫn lỗi, hãy báo quản trị hệ thống.")


def main(argv=None) -> int:
    """The command; a MemoryError outside the check of one file (which rejects that file alone)
    ends it with a Vietnamese line on stderr and exit code 1, never a traceback."""
    try:
        args = parse(argv)
        from etl import warehouse

        warehouse.keep_private()
        return COMMANDS[args.command](args)
    except MemoryError:
        print(NO_MEMORY, file=sys.stderr)
        return 1


def _fail(err) -> int:
    """A refused command: its Vietnamese message on stderr, exit code 1."""
    print(err, file=sys.stderr)
    return 1


def _missing(paths) -> int | None:
    """Exit code 2 after naming the paths that do not exist; None when all do."""
    missing = [p for p in paths if not Path(p).exists()]
    if missing:
        print(f"Không tìm thấy: {', '.join(missing)}", file=sys.stderr)
        return 2
    return None


def _upload_record(args) -> dict:
    """The dashboard's upload record (--uploads): {"names": {file name: name as uploaded},
    "refused": [uploads it refused before saving them]}; empty without one."""
    return json.loads(Path(args.uploads).read_text(encoding="utf-8")) if args.uploads else {}


def _answer(results, as_json: bool, flags=None) -> int:
    print_results(results, as_json, flags=flags)
    return 1 if any(r.status == "rejected" for r in results) else 0


def template(args) -> int:
    """python -m etl template: a blank monthly report for one commune and month."""
    from etl.outputs.template import TemplateError, template_from_warehouse
    from etl.warehouse import db

    out = Path(args.output or f"bao-cao-thang-{args.month}-{args.commune}.xlsx")
    try:
        template_from_warehouse(db.db_path(args.db), args.commune, args.month, out)
    except (TemplateError, db.WarehouseBusy) as err:
        return _fail(err)
    print(f"Đã tạo mẫu báo cáo: {out}")
    return 0


def check(args) -> int:
    """python -m etl check: validate against the warehouse's registry (none when it is absent),
    writing nothing; with --commune, only that commune's monthly reports pass. The data-quality
    flags the accepted monthly reports would raise once loaded follow."""
    from etl import quality
    from etl.ingest import check as checking
    from etl.ingest.admission import restrict
    from etl.ingest.units import Registry
    from etl.warehouse import db

    if (code := _missing(args.paths)) is not None:
        return code
    path, flags, accepted = db.db_path(args.db), None, []
    try:
        registry = Registry.from_warehouse(path)
        results = checking.check_paths(args.paths, registry, _upload_record(args).get("names"), accepted=accepted)
        if args.commune:
            results = [restrict(r, args.commune, registry) for r in results]
        if quality.monthly_keys(results, ("checked",)):
            flags = quality.flags_if_loaded(path, [c for c in accepted if c.result.status == "checked"])
    except db.WarehouseBusy as err:
        return _fail(err)
    return _answer(results, args.json, flags)


def load(args) -> int:
    """python -m etl load: the account's rights applied (etl.access.rights), the upload record's
    names and refusals recorded with the others; then the data-quality flags of the monthly
    reports loaded."""
    from etl import quality
    from etl.access import audit, rights
    from etl.ingest import load as loader
    from etl.warehouse import db

    if (code := _missing(args.paths)) is not None:
        return code
    try:
        con = db.connect(args.db)
    except db.WarehouseBusy as err:
        return _fail(err)
    try:
        by = rights.acting(con, args.account, "upload")
        commune = rights.load_commune(by, args.commune, args.received_on)
        account = by.name if by is not None else None
        uploads = _upload_record(args)
        results = loader.load_paths(con, args.paths, received_at=args.received_on, account=account,
                                    commune=commune, names=uploads.get("names"))
        refused = uploads.get("refused") or []  # uploads the dashboard refused before saving them
        audit.record_many(con, "reject", [{"file_name": r["file"], "sha256": r.get("sha256"),
                                           "detail": r.get("detail") or ", ".join(sorted(r["codes"]))}
                                          for r in refused],
                          account=account)
        keys = quality.monthly_keys(results)
        flags = quality.flags_of_reports(con, keys) if keys else None
    except (rights.Refused, db.WarehouseBusy) as err:
        return _fail(err)
    finally:
        con.close()
    return _answer(results, args.json, flags)


def _reading(args, query, hint: str = "Hãy chỉ đúng kho dữ liệu bằng --db."):
    """query(con) on the warehouse --db names, opened read-only; FileNotFoundError (Vietnamese,
    ending with `hint`) when there is no such warehouse."""
    from etl.warehouse import db

    path = db.db_path(args.db)
    if not path.exists():
        raise FileNotFoundError(f"Không tìm thấy kho dữ liệu {path}. {hint}")
    con = db.connect(path, read_only=True)
    try:
        return query(con)
    finally:
        con.close()


def export(args) -> int:
    """The summary of a period (--period, or --year: the whole year): its files into
    args.output_dir; warnings to stderr; the export's audit row written once the files are made."""
    from etl.access import audit, rights
    from etl.outputs.export import charts, export_year
    from etl.warehouse import db

    period = args.period if args.period is not None else args.year

    def make(con):
        rights.acting(con, args.account, "export")
        return export_year(con, period, args.commune, args.output_dir, images=not args.no_images)
    try:
        result = _reading(args, make, "Hãy nạp báo cáo trước (python -m etl load).")
    except (FileNotFoundError, rights.Refused, db.WarehouseBusy) as err:
        return _fail(err)
    finally:
        charts.close()  # before exit: the browser's profile folder is removed at exit
    for warning in result.warnings:
        print(f"Cảnh báo: {warning}", file=sys.stderr)
    made = [p for p in (result.xlsx, result.docx, result.briefing) if p is not None]
    print("\n".join(f"Đã xuất: {p}" for p in made))
    try:
        con = db.connect(db.db_path(args.db))
        try:
            audit.record_export(con, period, args.commune, {p.name: p.read_bytes() for p in made},
                                account=args.account)
        finally:
            con.close()
    except db.WarehouseBusy as err:
        return _fail(f"Chưa ghi được nhật ký xuất báo cáo: {err}")
    return 0


def _writable(path):
    """A writable warehouse connection, or None after saying on stderr that a load holds it."""
    from etl.warehouse import db

    try:
        return db.connect(path)
    except db.WarehouseBusy as err:
        _fail(err)
        return None


def _users_add(con, args) -> None:
    from etl.access import accounts

    password = accounts.add_user(con, args.name, args.role, args.commune)
    print(f"Đã tạo tài khoản {accounts.normalize_name(args.name)} ({accounts.ROLE_VN[args.role]}).")
    print(f"Mật khẩu (chỉ hiện một lần, hãy ghi lại và trao tận tay): {password}")


def _users_set_password(con, args) -> int | None:
    import getpass

    from etl.access import accounts

    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass("Mật khẩu mới: ")
        if getpass.getpass("Nhập lại mật khẩu: ") != password:
            return _fail("Hai lần nhập không khớp; mật khẩu không đổi.")
    accounts.set_password(con, args.name, password)
    print(f"Đã đặt mật khẩu mới cho {accounts.normalize_name(args.name)}.")
    return None


def _users_lock(con, args) -> None:
    from etl.access import accounts

    disable = args.users_command == "disable"
    (accounts.disable if disable else accounts.enable)(con, args.name)
    print(f"Đã {'khóa' if disable else 'mở khóa'} tài khoản {accounts.normalize_name(args.name)}.")


def _users_list(con, args) -> int:
    """Every account and its last login; 0 (nothing changed, no read copy to refresh)."""
    from etl.access import accounts, logins

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


USERS = {"add": _users_add, "set-password": _users_set_password, "disable": _users_lock, "enable": _users_lock,
         "list": _users_list}


def users(args) -> int:
    """python -m etl users add | set-password | disable | enable | list; 1 on a refused change.
    A change takes effect on the dashboard at once: its read copy of the warehouse is refreshed
    here, so no login checks an old password, and no session of a locked account lives on."""
    from etl.access import accounts
    from etl.warehouse import db, snapshot

    con = _writable(args.db)
    if con is None:
        return 1
    try:
        code = USERS[args.users_command](con, args)
    except (accounts.AccountError, db.WarehouseBusy) as err:
        return _fail(err)
    finally:
        con.close()
    if code is not None:
        return code
    if snapshot.snapshot_path(db.db_path(args.db)).exists():  # a dashboard reads this warehouse
        snapshot.refresh(args.db)
    return 0


def confirmation(args) -> int:
    """python -m etl confirm | reopen --commune CODE --month YYYY-MM; 1 when refused."""
    from etl import vnformat as vn
    from etl.access import confirm, rights

    con = _writable(args.db)
    if con is None:
        return 1
    try:
        # --account: the dashboard runs this command for a signed-in user; the role rule applies
        by = rights.named(con, args.account) if args.account else None
        if args.command == "confirm":
            done = confirm.confirm(con, args.commune, args.month, by=by)
            print(f"Đã duyệt báo cáo tháng {vn.month_numeric(args.month)} của đảng bộ {done.commune_code}. "
                  "Báo cáo này không nhận phiên bản mới cho đến khi được mở lại.")
        else:
            done = confirm.reopen(con, args.commune, args.month, by=by, reason=args.reason)
            print(f"Đã mở lại báo cáo tháng {vn.month_numeric(args.month)} của đảng bộ {done.commune_code}; "
                  "có thể nạp phiên bản mới.")
    except (confirm.ConfirmError, rights.Refused) as err:
        return _fail(err)
    finally:
        con.close()
    return 0


def original(args) -> int:
    """python -m etl original: the kept bytes of a commune-month report's current version (or
    version N), or of any file given to the loader (--sha256), into -o FILE; 1 when there is no
    such report, version or kept file, or --account may not view its commune."""
    from etl import vnformat as vn
    from etl.access import rights
    from etl.warehouse import db, originals

    def find(con) -> dict:
        if args.sha256:
            rights.viewing_file(con, args.account, originals.commune_of(con, args.sha256))
            return originals.given(con, args.sha256)
        rights.viewing_file(con, args.account, args.commune.strip().upper())
        return originals.find(con, args.commune, args.month, args.version)
    try:
        found = _reading(args, find)
        data = originals.read(originals.store_for(args.db), found["sha256"])
    except (FileNotFoundError, originals.OriginalMissing, rights.Refused, db.WarehouseBusy) as err:
        return _fail(err)
    out = Path(args.output)
    out.write_bytes(data)
    if args.sha256:
        print(f"Đã ghi {out}: tệp gửi lên '{found['file_name']}' ({found['what']}), {vn.number(len(data))} byte, "
              f"SHA-256 {found['sha256']}.")
        return 0
    current = " (phiên bản hiện hành)" if found["is_current"] else ""
    print(f"Đã ghi {out}: báo cáo tháng {args.month[5:]}/{args.month[:4]} của đảng bộ {args.commune.strip().upper()}, "
          f"lần nạp {found['version']}{current}, tệp gửi lên '{found['source_file']}', {vn.number(len(data))} byte, "
          f"SHA-256 {found['sha256']}.")
    return 0


def problems(args) -> int:
    """python -m etl problems --sha256 HASH: the problems of that content's newest rejection, as
    load prints them (--json: SPEC §4's document); 1 when none are stored or --account may not
    view its commune."""
    from etl.access import rights
    from etl.warehouse import db, originals, rejections

    def find(con):
        rights.viewing_file(con, args.account, originals.commune_of(con, args.sha256))
        return rejections.find(con, args.sha256)
    try:
        found = _reading(args, find)
    except (FileNotFoundError, rights.Refused, db.WarehouseBusy) as err:
        return _fail(err)
    if found is None:
        return _fail(rejections.none_stored(args.sha256))
    print_results([found], args.json)
    return 0


def backup(args) -> int:
    """python -m etl backup | restore: what was written, its size and checksum; 1 when refused."""
    from etl import vnformat as vn
    from etl.settings import load_settings
    from etl.warehouse import backup as backups

    try:
        if args.command == "backup":
            made = backups.make(args.db, args.output_dir or load_settings().backup_folder)
            print(f"Đã sao lưu: {made.path}\nDung lượng: {vn.number(made.size)} byte; tệp gốc: "
                  f"{vn.number(made.originals)}\nSHA-256: {made.sha256} (ghi trong {made.path.name}.sha256)")
        else:
            done = backups.restore(args.backup, args.db, replace=args.replace)
            for aside in done.set_aside:
                print(f"Đã đổi tên tệp cũ thành: {aside}")
            print(f"Đã khôi phục kho dữ liệu: {done.warehouse} ({vn.number(done.warehouse.stat().st_size)} byte); tệp "
                  f"gốc: {vn.number(done.originals)}; tệp đăng nhập: {'có' if done.logins else 'không có trong bản sao lưu'}."
                  "\nĐã kiểm tra mã SHA-256 của bản sao lưu và của từng thành phần.")
    except backups.BackupError as err:
        return _fail(err)
    return 0


# One function per command: a new command is a parser entry above and a line here.
COMMANDS = {"load": load, "check": check, "template": template, "export": export, "users": users,
            "confirm": confirmation, "reopen": confirmation, "original": original, "problems": problems,
            "backup": backup, "restore": backup}


if __name__ == "__main__":
    sys.exit(main())
