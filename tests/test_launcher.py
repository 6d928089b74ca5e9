"""The launcher (run.py, run.bat, scripts/run.sh and setup.sh) and the Word report's browser on
Windows. There is no Windows machine to test on, so: run.py runs for real in a clean clone on
Linux, its Windows paths are checked with WINDOWS set, and its source is checked to start no
program but a Python interpreter."""
import ast
import hashlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path, PureWindowsPath

import plotly.graph_objects as go
import pytest

import run
from etl.outputs.export import charts

ROOT = Path(__file__).resolve().parents[1]
# calls that start a program: their command's first element must be a Python interpreter
STARTERS = {"subprocess": {"run", "call", "check_call", "check_output", "Popen"},
            "os": {"execv", "execve", "execl", "execle", "execlp", "execlpe", "execvp", "execvpe",
                   "spawnl", "spawnle", "spawnlp", "spawnlpe", "spawnv", "spawnve", "spawnvp",
                   "spawnvpe", "posix_spawn", "posix_spawnp"}}
SHELLS = {"os": {"system", "popen", "startfile"}}       # a shell line: never
INTERPRETERS = {"python", "str(python)", "sys.executable"}


def _callee(call: ast.Call) -> tuple[str, str] | None:
    f = call.func
    if isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name):
        return f.value.id, f.attr
    return None


def _program(node: ast.expr, scope: ast.FunctionDef | None, functions: dict) -> str:
    """The source of the first element of a command, following a local name to what it was
    assigned and a call of a function of the same file to the list it returns."""
    if isinstance(node, ast.List) and node.elts:
        return _program(node.elts[0], scope, functions) if not isinstance(node.elts[0], ast.Starred) else "*"
    if isinstance(node, ast.BinOp):                       # [python, ...] + list(args)
        return _program(node.left, scope, functions)
    if isinstance(node, ast.Subscript):                   # command[0]
        return _program(node.value, scope, functions)
    if isinstance(node, ast.Name) and node.id not in INTERPRETERS and scope is not None:
        values = [a.value for a in ast.walk(scope) if isinstance(a, ast.Assign)
                  and any(isinstance(t, ast.Name) and t.id == node.id for t in a.targets)]
        if len(values) == 1:
            return _program(values[0], scope, functions)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in functions:
        returns = [r.value for r in ast.walk(functions[node.func.id]) if isinstance(r, ast.Return)]
        if len(returns) == 1:
            return _program(returns[0], functions[node.func.id], functions)
    return ast.unparse(node)


def foreign_programs(source: str) -> list[str]:
    """Each call in `source` that starts something other than a Python interpreter, and each
    `python` that is not the virtual environment's interpreter."""
    tree = ast.parse(source)
    functions = {f.name: f for f in ast.walk(tree) if isinstance(f, ast.FunctionDef)}
    scope_of = {}  # each node's innermost enclosing function (ast.walk meets outer ones first)
    for function in functions.values():
        scope_of.update((id(node), function) for node in ast.walk(function))
    bad = []
    for call in ast.walk(tree):
        if not isinstance(call, ast.Call) or _callee(call) is None:
            continue
        module, name = _callee(call)
        if name in SHELLS.get(module, ()):
            bad.append(ast.unparse(call))
        elif name in STARTERS.get(module, ()) and call.args:
            if _program(call.args[0], scope_of.get(id(call)), functions) not in INTERPRETERS:
                bad.append(ast.unparse(call))
    for assign in ast.walk(tree):
        if isinstance(assign, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "python"
                                                  for t in assign.targets):
            if not ast.unparse(assign.value).startswith(("venv_python(", "setup(")):
                bad.append(ast.unparse(assign))
    return bad


def test_run_py_starts_only_python_interpreters():
    source = (ROOT / "run.py").read_text(encoding="utf-8")
    assert foreign_programs(source) == []
    assert "subprocess.run" in source and "os.execv" in source  # the walk saw the real calls
    for unix in ('subprocess.run(["sha256sum", "requirements.txt"])',
                 'def f(db):\n    command = ["mv", db, "x"]\n    subprocess.run(command)',
                 'def f(py):\n    os.execv(py, [py])',
                 'os.system("cut -d\' \' -f1")',
                 'python = "/usr/bin/env"'):
        assert foreign_programs(unix), unix


def test_run_py_uses_the_standard_library_only_and_parses_on_old_pythons():
    tree = ast.parse((ROOT / "run.py").read_text(encoding="utf-8"), feature_version=(3, 5))
    imported = {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    imported |= {n.module.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    assert imported <= set(sys.stdlib_module_names), imported - set(sys.stdlib_module_names)


def test_too_old_a_python_is_told_in_vietnamese():
    assert run.python_problem((3, 11, 0)) is None and run.python_problem((3, 13)) is None
    message = run.python_problem((3, 9, 2))
    assert message.startswith("Cần Python 3.11 trở lên (máy đang chạy Python 3.9)")


def test_windows_paths(monkeypatch, tmp_path):
    monkeypatch.setattr(run, "WINDOWS", True)
    venv = PureWindowsPath(r"C:\Users\BanToChuc\bantochuc\.venv")
    assert str(run.venv_python(venv)) == r"C:\Users\BanToChuc\bantochuc\.venv\Scripts\python.exe"
    # setup finds Scripts\python.exe: a ready environment is used as it is, a stale one updated by it
    (tmp_path / "requirements.txt").write_text("duckdb==1.0.0\n")
    python = tmp_path / ".venv" / "Scripts" / "python.exe"
    python.parent.mkdir(parents=True)
    python.write_text("")
    calls = []
    monkeypatch.setattr(run.subprocess, "run", lambda cmd, **kw: calls.append(cmd) or
                        subprocess.CompletedProcess(cmd, 0))
    stamp = tmp_path / ".venv" / run.STAMP
    stamp.write_text(hashlib.sha256(b"duckdb==1.0.0\n").hexdigest() + "\n")
    assert run.setup(tmp_path) == python and calls == []
    (tmp_path / "requirements.txt").write_text("duckdb==1.1.0\n")
    assert run.setup(tmp_path) == python
    assert calls == [[str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check",
                      "-r", str(tmp_path / "requirements.txt")]]
    assert stamp.read_text().strip() == hashlib.sha256(b"duckdb==1.1.0\n").hexdigest()
    monkeypatch.setattr(run, "WINDOWS", False)
    assert run.venv_python(tmp_path / ".venv") == tmp_path / ".venv" / "bin" / "python"


def test_a_failed_install_is_said_and_leaves_the_stamp(monkeypatch, tmp_path):
    (tmp_path / "requirements.txt").write_text("duckdb==1.0.0\n")
    python = run.venv_python(tmp_path / ".venv")
    python.parent.mkdir(parents=True)
    python.write_text("")
    monkeypatch.setattr(run.subprocess, "run", lambda cmd, **kw: subprocess.CompletedProcess(cmd, 1))
    with pytest.raises(run.LaunchError, match="Cài các gói không thành công"):
        run.setup(tmp_path)
    assert not (tmp_path / ".venv" / run.STAMP).exists()  # the next start tries again


def test_a_venv_that_cannot_be_made_is_said_and_removed(monkeypatch, tmp_path):
    """Debian without python3-venv: the venv module makes the folder, then ensurepip fails."""
    import venv

    def half_made(self, env_dir):
        Path(env_dir, "bin").mkdir(parents=True)
        raise subprocess.CalledProcessError(1, ["python", "-m", "ensurepip"])
    monkeypatch.setattr(venv.EnvBuilder, "create", half_made)
    with pytest.raises(run.LaunchError, match="Không tạo được môi trường ảo .*python3-venv"):
        run.setup(tmp_path)
    assert not (tmp_path / ".venv").exists()  # the next start makes it again, whole


def test_only_a_complete_demo_warehouse_takes_the_name(monkeypatch, tmp_path):
    """The demo is built under a temporary name; once complete, it and the folder of its original
    files (etl.warehouse.originals.store_for: named after the warehouse) take the final names."""
    from etl.warehouse import originals

    monkeypatch.chdir(tmp_path)
    db = Path("data", "demo.duckdb")
    db.parent.mkdir()
    Path("data", "demo.building.duckdb").write_bytes(b"left by a killed start")
    (originals.store_for(db) / "ab").mkdir(parents=True)  # an older demo's originals

    def build(returncode):
        def fake(cmd, **kw):
            assert "--oddities" in cmd                # the page "Chất lượng số liệu" has flags to show
            building = Path(cmd[cmd.index("--db") + 1])
            assert not building.exists()          # a stale half-built file is not built upon
            building.write_bytes(b"built")
            kept = originals.store_for(building) / "cd" / "cdef"  # where the loader keeps the files
            kept.parent.mkdir(parents=True, exist_ok=True)
            kept.write_bytes(b"original")
            return subprocess.CompletedProcess(cmd, returncode)
        return fake

    monkeypatch.setattr(run.subprocess, "run", build(1))
    with pytest.raises(run.LaunchError, match="Không tạo được kho dữ liệu minh họa"):
        run.build_demo(Path("python"), str(db))
    assert not db.exists()
    monkeypatch.setattr(run.subprocess, "run", build(0))
    run.build_demo(Path("python"), str(db))
    assert db.read_bytes() == b"built" and not Path("data", "demo.building.duckdb").exists()
    assert run.originals_of(db) == originals.store_for(db)
    assert (originals.store_for(db) / "cd" / "cdef").read_bytes() == b"original"
    assert not (originals.store_for(db) / "ab").exists()
    assert sorted(p.name for p in Path("data").iterdir()) == ["demo.duckdb", "demo.files"]


def test_run_builds_the_demo_once_gives_accounts_and_hands_over_to_the_server(monkeypatch, tmp_path):
    (tmp_path / "data").mkdir()
    calls, started = [], []

    def fake_run(cmd, **kw):
        calls.append(cmd[1:3])
        if "--db" in cmd:
            Path(cmd[cmd.index("--db") + 1]).write_bytes(b"demo")
        return subprocess.CompletedProcess(cmd, 0)

    monkeypatch.setattr(run, "setup", lambda root: Path("/venv/bin/python"))
    monkeypatch.setattr(run.subprocess, "run", fake_run)
    monkeypatch.setattr(run.os, "execv", lambda path, argv: started.append(argv))
    monkeypatch.setenv("WAREHOUSE_DB", "")     # set but empty: the demo, as the bash script did
    monkeypatch.delenv("PYTHONUTF8", raising=False)  # run() sets it for the server: undone after
    monkeypatch.chdir(ROOT)
    run.run(["--server.port", "8600"], root=tmp_path)
    run.run(["--server.port", "8600"], root=tmp_path)
    assert calls == [["-m", "etl.sample"], ["-m", "etl.sample.demo"], ["-m", "etl.sample.demo"]]
    assert (tmp_path / "data" / "demo.duckdb").read_bytes() == b"demo"
    assert started == [["/venv/bin/python", "-m", "ui.serve", "--server.headless", "true",
                        "--server.port", "8600"]] * 2
    calls.clear()
    monkeypatch.setenv("WAREHOUSE_DB", str(tmp_path / "data" / "demo.duckdb"))  # not the demo's name
    assert run.run(["--setup-only"], root=tmp_path) == 0 and calls == []
    run.run([], root=tmp_path)
    assert calls == []                          # a warehouse of its own: no demo accounts


def test_windows_finds_chrome_or_edge(monkeypatch):
    env = {"PROGRAMFILES": r"C:\Program Files", "PROGRAMFILES(X86)": r"C:\Program Files (x86)",
           "LOCALAPPDATA": r"C:\Users\BanToChuc\AppData\Local"}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("BROWSER_PATH", raising=False)
    edge = r"C:\Program Files (x86)\Microsoft\Edge\Application\msedge.exe"
    user_chrome = r"C:\Users\BanToChuc\AppData\Local\Google\Chrome\Application\chrome.exe"
    with monkeypatch.context() as m:
        m.setattr(os, "name", "nt")
        found = charts.installed_browsers()
        m.setattr(charts, "_usable", lambda p: p == edge)
        with_edge = charts.find_browser()
        m.setattr(charts, "_usable", lambda p: p in (edge, user_chrome))
        with_both = charts.find_browser()
        m.setattr(charts, "_usable", lambda p: False)
        nothing = charts.find_browser(), charts.to_png([go.Figure()])
    assert found == [r"C:\Program Files\Google\Chrome\Application\chrome.exe",
                     r"C:\Program Files (x86)\Google\Chrome\Application\chrome.exe", user_chrome,
                     edge, r"C:\Program Files\Microsoft\Edge\Application\msedge.exe"]
    assert (with_edge, with_both) == (edge, user_chrome)
    assert nothing[0] is None and nothing[1] == ([], [
        "Không tìm thấy trình duyệt Chrome hoặc Edge: báo cáo Word được tạo không có biểu đồ. "
        "Cài Google Chrome hoặc Microsoft Edge, hoặc đặt biến BROWSER_PATH."])


def test_run_bat_calls_run_py_and_keeps_the_window_open():
    raw = (ROOT / "run.bat").read_bytes()
    assert raw.count(b"\r\n") == raw.count(b"\n") > 0          # CRLF only, as cmd.exe expects
    text = raw.decode("utf-8")
    assert "py -3 run.py %*" in text and "pause" in text
    assert "run.bat -text" in (ROOT / ".gitattributes").read_text()  # git leaves the CRLF alone


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _clone(tmp_path, python3_name="python3"):
    """A clean clone of this repository, its .venv a link to the test's (skipped unless that
    one's stamp matches: the launcher would install into it), and an environment whose PATH
    holds no Unix tool but bash and the dirname the scripts start with: the run path needs none.
    Returns (clone, env, the stamp)."""
    venv = Path(sys.prefix)
    want = hashlib.sha256((ROOT / "requirements.txt").read_bytes()).hexdigest()
    stamp = venv / run.STAMP
    if not stamp.exists() or stamp.read_text().strip() != want:
        pytest.skip("the test's virtual environment has no stamp for this requirements.txt")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
    for name in ("run.py", "scripts/run.sh", "scripts/setup.sh", "scripts/python.sh"):
        (clone / name).write_bytes((ROOT / name).read_bytes())  # the launcher as it is on disk
    (clone / ".venv").symlink_to(venv)  # installed already: honoured, since its stamp matches
    tools = tmp_path / "bin"
    tools.mkdir()
    for name, target in (("bash", "/bin/bash"), ("dirname", "/usr/bin/dirname"),
                         (python3_name, getattr(sys, "_base_executable", sys.executable))):
        (tools / name).symlink_to(target)
    env = {k: v for k, v in os.environ.items() if k not in ("WAREHOUSE_DB", "PYTHON")}
    env["PATH"] = str(tools)
    return clone, env, stamp


def test_the_scripts_find_a_recent_python_beside_an_old_python3(tmp_path):
    clone, env, stamp = _clone(tmp_path, "python3.11")
    old = tmp_path / "bin" / "python3"   # a python3 that is too old: fails the version check
    old.write_text("#!/bin/bash\nexit 1\n")
    old.chmod(0o755)
    setup = subprocess.run([str(tmp_path / "bin" / "bash"), "scripts/setup.sh"], cwd=clone, env=env,
                           capture_output=True, text=True)
    assert setup.returncode == 0, setup.stderr


def test_a_clean_clone_sets_up_builds_the_demo_and_serves(tmp_path):
    clone, env, stamp = _clone(tmp_path)
    tools = tmp_path / "bin"
    before = stamp.stat().st_mtime_ns

    setup = subprocess.run([str(tools / "bash"), "scripts/setup.sh"], cwd=clone, env=env, capture_output=True, text=True)
    assert setup.returncode == 0, setup.stderr
    assert "Đang cài" not in setup.stdout and stamp.stat().st_mtime_ns == before

    port = _free_port()
    server = subprocess.Popen([str(tools / "bash"), "scripts/run.sh", "--server.port", str(port)], cwd=clone, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              start_new_session=True)
    try:
        deadline, answer = time.monotonic() + 300, None
        while time.monotonic() < deadline and server.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as r:
                    answer = r.read().decode()
                    break
            except OSError:
                time.sleep(1)
        assert answer == "ok", server.poll()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        output = server.communicate(timeout=30)[0]
    assert "Đang tạo kho dữ liệu minh họa" in output and "Đang cài" not in output
    assert "bantochuc" in output and "xa_" in output                 # the demo accounts
    assert (clone / "data" / "demo.duckdb").exists()
    assert not list((clone / "data").glob("*.building*"))
    assert stamp.stat().st_mtime_ns == before


def test_deploy_examples_agree_with_the_server_and_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    upload_mb = int(next(line.split("=")[1] for line in (ROOT / ".streamlit" / "config.toml").read_text()
                         .splitlines() if line.startswith("maxUploadSize")))
    unit = (ROOT / "deploy" / "bantochuc.service").read_text(encoding="utf-8")
    nginx = (ROOT / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    caddy = (ROOT / "deploy" / "Caddyfile").read_text(encoding="utf-8")
    for name in ("deploy/bantochuc.service", "deploy/nginx.conf", "deploy/Caddyfile"):
        assert f"`{name}`" in readme, name
    # the service starts the server as run.py does, on the real warehouse
    python = "/opt/bantochuc/.venv/bin/python"
    assert f"ExecStart={' '.join(run.serve_command(python, []))}\n" in unit
    assert "Environment=WAREHOUSE_DB=/opt/bantochuc/data/warehouse.duckdb" in unit
    # one workbook and its form pass, the metrics stay inside, the app is reached on this machine
    assert f"client_max_body_size {upload_mb + 1}m;" in nginx and f"max_size {upload_mb + 1}MB" in caddy
    assert "location = /_stcore/metrics { deny all; }" in nginx
    assert "respond /_stcore/metrics 403" in caddy
    assert "proxy_pass http://127.0.0.1:8501;" in nginx and "reverse_proxy 127.0.0.1:8501" in caddy
    assert "listen 443 ssl;" in nginx
