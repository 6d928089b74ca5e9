"""The DuckDB warehouse: connect and migrate (db), the dashboard's read copy (snapshot), and
the SQL of its schema, views and indicators (sql/)."""
from contextlib import contextmanager


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
