"""Runs the dashboard on this machine, Linux or Windows: `python run.py [options of streamlit run]`.

In order: checks that Python is 3.11 or newer; creates the virtual environment `.venv` and
installs the pinned requirements.txt into it, again only when that file changed (its sha256 is
kept in `.venv/.requirements.sha256`); builds the demo warehouse from generated sample reports
when the warehouse file is absent (under a temporary name, so only a complete one takes the
name); gives the demo warehouse one account of each role with new passwords; starts the server
(`python -m ui.serve --server.headless true` and the options given here). `--setup-only` stops
after the virtual environment (scripts/setup.sh uses it). The warehouse is $WAREHOUSE_DB, or
data/demo.duckdb.

Standard library only, and every program it starts is a Python interpreter (the one running it,
or the virtual environment's), so nothing depends on a Unix tool; tests/test_launcher.py checks
both. The file parses under old Pythons too (no f-strings, no new syntax), so that one too old
gets the Vietnamese message rather than a syntax error.
"""
import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
MIN_PYTHON = (3, 11)
DEMO_DB = "data/demo.duckdb"
STAMP = ".requirements.sha256"
WINDOWS = os.name == "nt"


class LaunchError(Exception):
    """A step failed; its text (Vietnamese) is all the user sees."""


def python_problem(version=None):
    """The message for a Python older than MIN_PYTHON, else None."""
    version = tuple(version or sys.version_info)[:2]
    if version >= MIN_PYTHON:
        return None
    return ("Cần Python {0}.{1} trở lên (máy đang chạy Python {2}.{3}). Cài bản mới từ "
            "https://www.python.org/downloads/ rồi chạy lại.").format(*(MIN_PYTHON + version))


def venv_python(venv):
    """The interpreter of the virtual environment at the path `venv`: Scripts\\python.exe on Windows."""
    return venv / "Scripts" / "python.exe" if WINDOWS else venv / "bin" / "python"


def requirements_hash(root=ROOT):
    return hashlib.sha256((Path(root) / "requirements.txt").read_bytes()).hexdigest()


def create_venv(venv):
    """A new virtual environment with pip; a half-made one is removed so the next run starts over."""
    import venv as venv_module
    try:
        venv_module.EnvBuilder(with_pip=True).create(str(venv))
    except (OSError, subprocess.CalledProcessError) as error:
        shutil.rmtree(str(venv), ignore_errors=True)
        raise LaunchError("Không tạo được môi trường ảo {0} ({1}). Trên Debian/Ubuntu cần cài gói "
                          "python3-venv.".format(venv, error))


def setup(root=ROOT):
    """Makes `root/.venv` ready and returns its interpreter. An existing environment whose stamp
    matches requirements.txt is used as it is, even a link to another checkout's."""
    venv = Path(root) / ".venv"
    python = venv_python(venv)
    if not python.exists():
        print("Đang tạo môi trường ảo {0}...".format(venv))
        create_venv(venv)
    stamp = venv / STAMP
    want = requirements_hash(root)
    have = stamp.read_bytes().decode("ascii", "replace").strip() if stamp.exists() else ""
    if have != want:
        print("Đang cài các gói cần thiết (requirements.txt), lần đầu mất vài phút...")
        done = subprocess.run([str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check",
                               "-r", str(Path(root) / "requirements.txt")])
        if done.returncode != 0:
            raise LaunchError("Cài các gói không thành công (mã lỗi {0}): kiểm tra kết nối mạng rồi "
                              "chạy lại.".format(done.returncode))
        stamp.write_text(want + "\n", encoding="ascii")
    return python


def originals_of(db):
    """The folder of original files beside a warehouse (etl.warehouse.originals.store_for)."""
    db = Path(db)
    return db.with_name(db.stem + ".files")


def build_demo(python, db):
    """The demo warehouse at `db`, built under a temporary name and renamed once complete, with
    the folder of its original files (named after the warehouse, so it moves too). Its reports
    carry a few oddities (data/sample/oddities.csv), so the page "Chất lượng số liệu" has flags
    to show."""
    db = Path(db)
    building = db.with_name(db.stem + ".building" + db.suffix)
    print("Đang tạo kho dữ liệu minh họa {0} từ báo cáo mẫu (khoảng 15 giây)...".format(db))
    for stale in (building, building.with_name(building.name + ".wal")):
        if stale.exists():
            stale.unlink()
    if originals_of(building).exists():
        shutil.rmtree(str(originals_of(building)))
    done = subprocess.run([str(python), "-m", "etl.sample", str(Path("data", "sample")), "--oddities",
                           "--db", str(building)])
    if done.returncode != 0:
        raise LaunchError("Không tạo được kho dữ liệu minh họa (mã lỗi {0}).".format(done.returncode))
    if originals_of(db).exists():
        shutil.rmtree(str(originals_of(db)))  # an older demo's files
    if originals_of(building).exists():
        os.replace(str(originals_of(building)), str(originals_of(db)))
    os.replace(str(building), str(db))  # only a complete demo warehouse takes the name


def serve_command(python, args):
    return [str(python), "-m", "ui.serve", "--server.headless", "true"] + list(args)


def run(args, root=ROOT):
    """Sets up, prepares the warehouse and starts the server; returns the exit code."""
    problem = python_problem()
    if problem:
        print(problem, file=sys.stderr)
        return 1
    os.chdir(str(root))  # relative paths (WAREHOUSE_DB too) are the repository's, as for its commands
    setup_only = "--setup-only" in args
    args = [a for a in args if a != "--setup-only"]
    python = setup(root)
    if setup_only:
        return 0
    db = os.environ["WAREHOUSE_DB"] = os.environ.get("WAREHOUSE_DB") or DEMO_DB  # set but empty: the demo
    os.environ.setdefault("PYTHONUTF8", "1")  # Windows: files and pipes in UTF-8, as on Linux
    if not Path(db).exists():
        build_demo(python, db)
    if Path(db) == Path(DEMO_DB):  # demo accounts, new passwords each start
        done = subprocess.run([str(python), "-m", "etl.sample.demo", db])
        if done.returncode != 0:
            raise LaunchError("Không tạo được tài khoản dùng thử (mã lỗi {0}).".format(done.returncode))
    command = serve_command(python, args)
    if WINDOWS:  # Windows has no exec: os.execv would start a second process and return
        return subprocess.run(command).returncode
    os.execv(command[0], command)  # the server takes this process (its id, its signals)


def main():
    try:
        return run(sys.argv[1:])
    except LaunchError as error:
        print(error, file=sys.stderr)
        return 1
    except OSError as error:  # a file in use or not writable: said, not a traceback
        print("Lỗi: {0}".format(error), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
