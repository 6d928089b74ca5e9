"""The demo warehouse: sample reports generated and loaded, each with the day it was received.

Takes an output folder and a warehouse path (plus generate()'s options); returns the load
results. Board files (registry, targets, inspections) are loaded first; each monthly report
carries its own receipt date so submission timeliness (I15) looks as in real life.
"""
from __future__ import annotations

from datetime import datetime, time
from pathlib import Path

from etl.load import load_paths
from etl.sample import generate
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
