"""The dashboard's write rule (ui/writes.py): it is the only module of the dashboard that opens
the warehouse writable; every other connection the dashboard opens is read-only, and uploads
reach the warehouse through the loader's process (ui/upload.py)."""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DASHBOARD = [ROOT / "dashboard.py", *sorted((ROOT / "ui").glob("*.py")), *sorted((ROOT / "pages").glob("*.py"))]


def _writable_connects(path: Path) -> list[int]:
    """Lines of `path` calling a `connect(...)` without read_only=True (duckdb's or etl's db)."""
    lines = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "connect":
            read_only = any(k.arg == "read_only" and isinstance(k.value, ast.Constant) and k.value.value is True
                            for k in node.keywords)
            if not read_only:
                lines.append(node.lineno)
    return lines


def test_only_ui_writes_opens_the_warehouse_writable():
    found = {p.relative_to(ROOT).as_posix(): n for p in DASHBOARD if (n := _writable_connects(p))}
    assert list(found) == ["ui/writes.py"], found


def test_the_write_rule_is_written_down_and_upload_does_not_deny_it():
    from ui import upload, writes
    rule = writes.__doc__
    for act in ("confirm", "record_export", "quality.verify", "ensure_admin", "store_rehash", "set_password",
                "python -m etl load"):
        assert act in rule
    assert "ui.writes" in upload.__doc__ and "must\nnever be it" not in upload.__doc__
