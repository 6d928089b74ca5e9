"""The README documents every command and every settings section, and opens with the two commands."""
import re
import tomllib
from pathlib import Path

from etl.cli_args import parser

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_opens_with_the_two_commands():
    block = README.split("```")[1]
    commands = [line.split("#")[0].strip() for line in block.splitlines() if line.strip() and not line.startswith("bash\n")]
    assert [c for c in commands if c and c != "bash"] == ["bash scripts/run.sh", "bash scripts/test.sh"]
    assert (ROOT / ".ci" / "run").read_text().strip().endswith("exec bash scripts/test.sh")


def test_every_command_is_documented():
    sub = next(a for a in parser()._actions if a.dest == "command")
    for name in sub.choices:
        assert f"python -m etl {name}" in README, name


def test_every_settings_section_and_key_is_documented():
    settings = tomllib.loads((ROOT / "settings.toml").read_text(encoding="utf-8"))
    for section, keys in settings.items():
        assert f"[{section}]" in README, section
        for key in keys:
            assert f"`{key}`" in README, f"{section}.{key}"


HISTORY = re.compile(r"\b[Ii]ssue #?\d+|\b[Ii]t used to\b|\bused to (?:be|build|take|write|show|read|run)\b|"
                     r"\b[Pp]reviously\b|\b[Ff]ormerly\b")


def test_the_code_says_what_it_does_not_its_history():
    """Docstrings and comments say what the code does and why; its history (issue numbers, what it
    used to do) is in the commits."""
    files = [p for folder in ("etl", "ui", "pages", "bench", "scripts", "tests") for p in (ROOT / folder).rglob("*")
             if p.suffix in {".py", ".sql", ".sh"} and ".venv" not in p.parts]
    files += [ROOT / "dashboard.py", ROOT / "settings.toml"]
    found = [f"{p.relative_to(ROOT)}:{n}: {line.strip()}" for p in files
             for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
             if HISTORY.search(line) and p.name != "test_docs.py"]
    assert not found, "\n".join(found)
