"""The demo warehouse: sample reports generated and loaded, each with the day it was received.

Takes an output folder and a warehouse path (plus generate()'s options); returns the load
results. Board files (registry, targets, inspections) are loaded first; each monthly report
carries its own receipt date so submission timeliness (I15) looks as in real life.
"""
from __future__ import annotations

from datetime import datetime, time
from pathlib import Path

from etl.ingest.load import load_paths
from etl.sample import generate
from etl import warehouse
from etl.warehouse import db


def build_demo(sample_dir: Path, db_path: Path, **options):
    files = generate(Path(sample_dir), **options)
    received = {f.path: datetime.combine(f.received_on, time(8, 0)) for f in files if f.received_on}
    board = [f.path for f in files if f.kind != "monthly"]
    reports = [f.path for f in files if f.kind == "monthly"]
    con = db.connect(db_path)
    try:
        return load_paths(con, board) + load_paths(con, reports, received_at=received)
    finally:
        con.close()


DEMO_ACCOUNTS = (("bantochuc", "ban_to_chuc"), ("thuongtruc", "xem"), ("quantri", "quan_tri"), ("xa", "xa"))


def demo_accounts(db_path: Path) -> list[tuple[str, str, str]]:
    """One account of each role on the demo warehouse, each with a new generated password:
    [(name, role label, password)]. Demo only: run again, the passwords change (the old ones are
    shown nowhere). The `xa` account belongs to the demo's first commune."""
    from etl.access import accounts

    con = db.connect(db_path)
    try:
        first = con.execute("SELECT min(commune_code) FROM units_commune").fetchone()[0]
        out = []
        for name, role in DEMO_ACCOUNTS:
            key = f"xa_{first.lower()}" if role == "xa" else name
            password = accounts.generate_password()
            if accounts.lookup(con, key) is None:
                accounts.add_user(con, key, role, first if role == "xa" else None, password)
            else:
                accounts.set_password(con, key, password)
            label = accounts.ROLE_VN[role] + (f" ({first})" if role == "xa" else "")
            out.append((key, label, password))
        return out
    finally:
        con.close()


if __name__ == "__main__":  # python -m etl.sample.demo DB: print the demo's accounts
    import sys

    warehouse.keep_private()
    print("Tài khoản dùng thử (mật khẩu mới cho mỗi lần chạy):")
    for name, label, password in demo_accounts(Path(sys.argv[1])):
        print(f"  {name:<14} {password}   {label}")
