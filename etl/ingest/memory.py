"""A cap on the memory one piece of work may add to this process, where the system has one.

    with memory.capped(megabytes):   # past the cap, allocations fail with MemoryError
        check the file

Linux's RLIMIT_AS (address space) is set, for the time of the work, to what the process has
mapped now plus `megabytes`, then put back. Relative, not absolute: DuckDB and threads reserve
address space they never touch (a load of 1,548 files maps 2.5 GB for 200 MB in use, a worker
forked from it 900 MB for 80 MB), and how much grows with the machine's cores. `megabytes` 0,
a system without the `resource` module (Windows) or without /proc (macOS, which does not
enforce RLIMIT_AS either): no cap. Allocations that fail inside python-calamine's Rust code
abort the process instead of raising; etl.ingest.read's counts keep those far below the cap.
"""
from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

try:
    import resource
except ImportError:  # Windows
    resource = None


def _mapped() -> int | None:
    """Bytes of address space this process has mapped, or None where that cannot be read."""
    try:
        with open("/proc/self/statm", "rb") as f:
            return int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError, AttributeError):
        return None


@contextmanager
def capped(megabytes: int) -> Iterator[None]:
    mapped = _mapped() if megabytes and resource is not None else None
    if mapped is None:
        yield
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    cap = mapped + megabytes * 2**20
    for limit in (soft, hard):  # a cap set outside (ulimit -v) stays when it is lower
        if limit != resource.RLIM_INFINITY:
            cap = min(cap, limit)
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
