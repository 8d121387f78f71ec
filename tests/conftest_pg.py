"""A throwaway PostgreSQL server for the store's tests (a pytest plugin: test modules that
need it say ``pytest_plugins = ["conftest_pg"]``).

One server per test session (it starts in about a second), one fresh database per test.
The binaries come from Debian's ``postgresql`` package (``make test`` runs
``scripts/services.sh``, which installs it when missing); without them the tests fail
with that instruction, they are not skipped.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest

from webleads_core.store.pg_local import LocalPostgres, find_binaries


@pytest.fixture(scope="session")
def pg_server() -> Iterator[LocalPostgres]:
    import psycopg  # noqa: F401  - make test installs the postgres extra; a clear ImportError otherwise

    if find_binaries() is None:
        pytest.fail("PostgreSQL binaries not found: run scripts/services.sh (make test does)")
    server = LocalPostgres()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def pg_url(pg_server: LocalPostgres) -> str:
    """The URL of a fresh, empty database."""
    return pg_server.create_database()


@pytest.fixture
def pg_keys(tmp_path: Path) -> Path:
    """The key directory of the test's PostgreSQL store (the keys live outside the database)."""
    path = tmp_path / "pg-keys"
    path.mkdir()
    return path
