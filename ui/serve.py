"""Starts the dashboard: `python -m ui.serve [options of streamlit run]`.

The same as `streamlit run dashboard.py`, but Streamlit's old pages-folder mode is left before
the first visit. Streamlit starts in that mode because pages/ lies beside dashboard.py, and keeps
it until some script run calls st.navigation: on the first visit after a start, a link naming a
page (/hoi-nghi-cap-uy) showed a "Page not found" box, and one naming a page file
(/hoi_nghi_cap_uy) ran that file without dashboard.py. ui.page.routed() still guards a server
started with plain `streamlit run`. While the first browser loads Streamlit's own code, a thread
imports what the first script runs need (pandas, plotly, the indicator layer), builds one figure
of each kind and, once Streamlit's runtime is up, has ui.data make the indicator calls people
made most (ui.prefetch; again after each load), so the first visit does not wait for them.
Streamlit's ASGI app is served wrapped in ui.upload_guard.middleware, which refuses an upload
before its body is read unless the session may upload (ui.streamlit_internals.wrap_app;
tests/test_server.py checks that the wrap is in place).
A second thread makes the nightly backup (nightly_backups).
"""
from __future__ import annotations

import logging
import sys
import threading
import time
from pathlib import Path

from etl import warehouse
from etl.settings import load_settings
from ui import upload_guard
from ui import streamlit_internals as internals

DASHBOARD = Path(__file__).resolve().parents[1] / "dashboard.py"


def warm() -> None:
    # only once the server is up: importing alongside Streamlit's own start (the GIL) delayed the
    # server's first answer by a third of a second, and the browser then needs another second or
    # more for Streamlit's code before the first script run asks for any of this
    while not internals.server_started():  # st.cache_data also keeps its results in the runtime's storage
        time.sleep(0.02)
    from ui import charts, data, filters, page, prefetch, present  # noqa: F401  (ui.page imports ui.auth)
    charts.warm()
    prefetch.enable()
    data.source()


log = logging.getLogger("dashboard.backup")


def nightly_backups() -> None:
    """Every night at [backup] hour (settings.toml, read again each night): a backup of the
    warehouse into [backup] folder, keeping the newest [backup] keep (etl.warehouse.backup.nightly,
    which keeps the outcome for the audit page); a failure is logged and the next night tries again."""
    from etl.warehouse import backup, db  # not before the server answers: see warm

    while True:
        time.sleep(backup.seconds_until(load_settings().backup_hour))
        s = load_settings()
        try:
            made = backup.nightly(db.db_path(), s.backup_folder, s.backup_keep)
            log.info("nightly backup %s (%d bytes, sha256 %s)", made.path, made.size, made.sha256)
        except Exception as err:  # noqa: BLE001  the thread must live to the next night; the outcome is kept
            log.error("nightly backup failed: %s", err)


def main() -> None:
    warehouse.keep_private()  # the login file, the snapshot copies and anything else it writes
    internals.wrap_app(upload_guard.middleware)
    threading.Thread(target=warm, name="warm", daemon=True).start()
    threading.Thread(target=nightly_backups, name="nightly-backup", daemon=True).start()
    internals.leave_pages_folder_mode()
    internals.run(str(DASHBOARD), sys.argv[1:])


if __name__ == "__main__":
    main()
