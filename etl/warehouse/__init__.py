"""The DuckDB warehouse: connect and migrate (db), the dashboard's read copy (snapshot), and
the SQL of its schema, views and indicators (sql/)."""
import os
from contextlib import contextmanager

PRIVATE_UMASK = 0o077  # files 0600, folders 0700


def keep_private() -> None:
    """Every file and folder this process creates from now on is its owner's only: the warehouse
    and its write-ahead log, the login file, the dashboard's snapshot copies, the folders made for
    them, exports and sample reports. DuckDB creates its files itself, so the process's umask is
    the one place to say it; the entry points call this first (files made before keep their mode).
    Here, not in db: the server calls it before it answers, when importing DuckDB would delay that."""
    os.umask(PRIVATE_UMASK)


@contextmanager
def transaction(con):
    """One transaction on `con`: committed when the block ends, rolled back when it raises."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
