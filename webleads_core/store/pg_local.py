"""A throwaway PostgreSQL server on loopback, for tests, benchmarks and trying webleads out.

Why here and not in a test file: the store's tests, the store benchmark and anyone who
wants to try the PostgreSQL store without a database server all need the same thing, a
real server that starts in a second and leaves nothing behind.  It uses the system's
``initdb`` and ``pg_ctl`` (Debian's ``postgresql`` package; ``scripts/services.sh``
installs it); PostgreSQL refuses to run as root, so as root the server runs as the
``postgres`` user (or ``WEBLEADS_PG_USER``) in a private temporary directory.

The server listens on 127.0.0.1 only, on a free port, with a socket directory of its
own, and trusts its local connections: never use it for real data.
"""

from __future__ import annotations

import glob
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Sequence

from ..errors import StoreError

__all__ = ["LocalPostgres", "find_binaries"]


def find_binaries() -> Path | None:
    """The directory holding ``initdb``, ``pg_ctl`` and ``postgres``, or None."""
    candidates = [os.environ.get("WEBLEADS_PG_BIN", "")]
    which = shutil.which("initdb")
    if which:
        candidates.append(str(Path(which).resolve().parent))
    candidates += ["/usr/local/bin"] + sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    for c in candidates:
        if c and all((Path(c) / b).exists() for b in ("initdb", "pg_ctl", "postgres")):
            return Path(c)
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LocalPostgres:
    """Start with :meth:`start` (or ``with LocalPostgres() as pg``); :attr:`url` is the
    superuser's URL of the ``postgres`` database; :meth:`create_database` makes a fresh one.

    Args:
        settings: extra ``postgres -c`` settings (name -> value).
        durable: keep fsync and synchronous commit on (benchmarks); tests turn them off.
    """

    def __init__(self, settings: dict[str, str] | None = None, *, durable: bool = False) -> None:
        self.settings = dict(settings or {})
        if not durable:
            self.settings = {"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off",
                             **self.settings}
        self.durable = durable
        self.root: Path | None = None
        self.port = 0
        self.user = "webleads"
        self._run_as: str | None = None
        self._bin: Path | None = None

    def __repr__(self) -> str:
        return f"LocalPostgres(port={self.port}, running={self.root is not None})"

    @property
    def data_dir(self) -> Path:
        assert self.root is not None
        return self.root / "data"

    @property
    def url(self) -> str:
        return self.url_for("postgres")

    def url_for(self, database: str) -> str:
        return f"postgresql://{self.user}@127.0.0.1:{self.port}/{database}"

    def _cmd(self, args: Sequence[str]) -> list[str]:
        if self._run_as:
            return ["runuser", "-u", self._run_as, "--", *args]
        return list(args)

    def _run(self, args: Sequence[str], timeout: float = 120) -> None:
        proc = subprocess.run(self._cmd(args), capture_output=True, text=True, timeout=timeout)
        if proc.returncode != 0:
            raise StoreError(f"{Path(args[0]).name} failed (exit {proc.returncode}): "
                             f"{(proc.stderr or proc.stdout).strip()[-400:]}")

    def start(self) -> LocalPostgres:
        self._bin = find_binaries()
        if self._bin is None:
            raise StoreError("PostgreSQL binaries (initdb, pg_ctl, postgres) not found: run scripts/services.sh "
                             "or set WEBLEADS_PG_BIN")
        self.root = Path(tempfile.mkdtemp(prefix="webleads-pg-"))
        if os.geteuid() == 0:
            self._run_as = os.environ.get("WEBLEADS_PG_USER", "postgres")
            try:
                pw = pwd.getpwnam(self._run_as)
            except KeyError:
                self.stop()
                raise StoreError(f"running as root and there is no {self._run_as!r} user to run PostgreSQL as "
                                 "(set WEBLEADS_PG_USER)") from None
            os.chown(self.root, pw.pw_uid, pw.pw_gid)
        try:
            self._run([str(self._bin / "initdb"), "-D", str(self.data_dir), "-U", self.user, "--auth=trust",
                       "-E", "UTF8", "--locale=C", "--no-sync"])
            opts = " ".join([f"-c listen_addresses=127.0.0.1", f"-c unix_socket_directories={self.root}"]
                            + [f"-c {k}={v}" for k, v in self.settings.items()])
            for attempt in range(5):
                self.port = _free_port()
                try:
                    self._run([str(self._bin / "pg_ctl"), "-D", str(self.data_dir), "-l",
                               str(self.root / "server.log"), "-w", "-t", "60",
                               "-o", f"-p {self.port} {opts}", "start"])
                    break
                except StoreError:
                    if attempt == 4:
                        raise
                    time.sleep(0.2)
        except BaseException:
            self.stop()
            raise
        return self

    def create_database(self, name: str | None = None) -> str:
        """Create a fresh database and return its URL."""
        import psycopg

        name = name or "t_" + secrets.token_hex(6)
        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url_for(name)

    def database_bytes(self, url: str) -> bytes:
        """Every byte of one database's table, index and TOAST files, after a checkpoint
        (tests look for erased values; the write-ahead log is not included)."""
        import psycopg

        with psycopg.connect(url, autocommit=True) as conn:
            (oid,) = conn.execute("SELECT oid FROM pg_database WHERE datname = current_database()").fetchone()
            conn.execute("CHECKPOINT")
        out = bytearray()
        for p in sorted((self.data_dir / "base" / str(oid)).iterdir()):
            if p.is_file():
                out += p.read_bytes()
        return bytes(out)

    def stop(self) -> None:
        if self.root is None:
            return
        try:
            if self._bin is not None and (self.data_dir / "postmaster.pid").exists():
                subprocess.run(self._cmd([str(self._bin / "pg_ctl"), "-D", str(self.data_dir), "-m", "immediate",
                                          "-w", "stop"]), capture_output=True, timeout=60)
        finally:
            shutil.rmtree(self.root, ignore_errors=True)
            self.root = None

    def __enter__(self) -> LocalPostgres:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
