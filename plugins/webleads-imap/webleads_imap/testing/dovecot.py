"""A real Dovecot IMAP server on free loopback ports, for tests and benchmarks.

Started in the foreground (``dovecot -F``) with its own config in a temporary folder,
stopped by its PID.  Lessons from running it here (as root, Debian 12):

* Dovecot refuses to run ``imap-login`` as root: ``default_login_user = dovenull``;
* it refuses mail uid 0: mail is owned by the ``dovecot`` user and group;
* root-run Dovecot cannot read files under a 0700 parent such as pytest's ``tmp_path``:
  the folder is made with ``tempfile.mkdtemp`` and opened to 0755;
* ``doveadm mailbox update --uid-validity`` forces a UIDVALIDITY change;
* writing files straight into the Maildir (``tmp/`` then a rename into ``new/`` or
  ``cur/``) loads a thousand messages in well under a second.

Run as an unprivileged user, everything runs as that user instead.
"""

from __future__ import annotations

import grp
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Iterable

from .certs import TestCerts, make_certs


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def find_dovecot() -> str | None:
    for candidate in (shutil.which("dovecot"), "/usr/sbin/dovecot"):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


_CONF = """\
protocols = imap
listen = 127.0.0.1
base_dir = {base}/run
state_dir = {base}/state
instance_name = webleads-test-{tag}
log_path = {base}/dovecot.log
ssl = yes
ssl_cert = <{cert}
ssl_key = <{key}
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
default_login_user = {login_user}
default_internal_user = {internal_user}
first_valid_uid = {first_uid}
first_valid_gid = {first_gid}
mail_location = maildir:{base}/mail/%u
mail_max_userip_connections = 200
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {base}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={base}/home/%u
}}
namespace inbox {{
  inbox = yes
  separator = /
  mailbox Sent {{
    special_use = \\Sent
    auto = create
  }}
  mailbox Archive {{
    special_use = \\Archive
    auto = create
  }}
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {imap_port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {imaps_port}
    ssl = yes
  }}
  process_min_avail = 1
}}
service imap {{
  process_limit = 64
}}
"""


class Dovecot:
    """One running Dovecot.  Use as a context manager or call :meth:`start`/:meth:`stop`.

    Attributes:
        base: its folder (config, Maildirs, log).
        imap_port: plain + STARTTLS port; imaps_port: implicit TLS port.
        certs: the test CA and server certificate (``certs.ca`` for ``ca_file``).
        users: ``{username: password}``.
    """

    def __init__(self, users: dict[str, str] | None = None, certs: TestCerts | None = None,
                 spare_users: int = 64) -> None:
        self.users = dict(users or {"alice@webleads-demo.example": "alice-secret-pw"})
        # accounts handed out by add_user(): all in the passwd-file from the start, since
        # Dovecot notices a rewritten passwd-file by its mtime, in whole seconds
        self.spares = [(f"user{n}@webleads-demo.example", f"pw-{n}-Zq7!") for n in range(1, spare_users + 1)]
        self.base = Path(tempfile.mkdtemp(prefix="webleads-dovecot-"))
        self.base.chmod(0o755)
        self.certs = certs or make_certs(self.base / "certs")
        self.imap_port = free_port()
        self.imaps_port = free_port()
        self.proc: subprocess.Popen | None = None
        self._n = 0
        if os.geteuid() == 0:
            self.uid, self.gid = pwd.getpwnam("dovecot").pw_uid, grp.getgrnam("dovecot").gr_gid
            self.login_user, self.internal_user = "dovenull", "dovecot"
        else:
            self.uid, self.gid = os.getuid(), os.getgid()
            self.login_user = self.internal_user = pwd.getpwuid(self.uid).pw_name

    # -- life cycle -------------------------------------------------------------------------

    @property
    def conf(self) -> Path:
        return self.base / "dovecot.conf"

    def start(self, timeout: float = 20.0) -> Dovecot:
        exe = find_dovecot()
        if exe is None:
            raise RuntimeError("dovecot is not installed: run scripts/services.sh "
                               "(Debian package dovecot-imapd)")
        for sub in ("run", "state", "mail", "home"):
            (self.base / sub).mkdir(exist_ok=True)
        self._write_passwd()
        self.conf.write_text(_CONF.format(
            base=self.base, tag=self.base.name[-8:].replace("_", ""), cert=self.certs.cert,
            key=self.certs.key, login_user=self.login_user, internal_user=self.internal_user,
            first_uid=min(self.uid, 500), first_gid=min(self.gid, 500), uid=self.uid, gid=self.gid,
            imap_port=self.imap_port, imaps_port=self.imaps_port))
        for user in self.users:
            self.maildir(user)
            self.maildir(user, "Sent")
        self._chown(self.base / "mail")
        self._chown(self.base / "home")
        self.proc = subprocess.Popen([exe, "-F", "-c", str(self.conf)], stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL, stderr=open(self.base / "stderr.log", "wb"))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"dovecot exited with {self.proc.returncode}: {self.log_tail()}")
            if all(_accepts(p) for p in (self.imap_port, self.imaps_port)):
                return self
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"dovecot did not listen within {timeout} s: {self.log_tail()}")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.proc = None

    def cleanup(self) -> None:
        self.stop()
        shutil.rmtree(self.base, ignore_errors=True)

    def __enter__(self) -> Dovecot:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.cleanup()

    def _write_passwd(self) -> None:
        tmp = self.base / "passwd.tmp"
        entries = list(self.users.items()) + [s for s in self.spares if s[0] not in self.users]
        tmp.write_text("".join(f"{u}:{{PLAIN}}{p}::::\n" for u, p in entries))
        tmp.chmod(0o644)
        tmp.rename(self.base / "passwd")  # Dovecot reloads a passwd-file when it changes

    def add_user(self) -> str:
        """A fresh account on the running server (own Maildir with INBOX and Sent);
        its password is ``users[name]``."""
        if self.spares:
            user, password = self.spares.pop(0)
            self.users[user] = password
        else:
            user = f"extra{len(self.users)}@webleads-demo.example"
            self.users[user] = f"pw-{len(self.users)}-Zq7!"
            time.sleep(1.1)  # a new mtime second, so that Dovecot rereads the file
            self._write_passwd()
        self.maildir(user)
        self.maildir(user, "Sent")
        self._chown(self.base / "mail" / user)
        return user

    def log_tail(self, n: int = 20) -> str:
        out = []
        for name in ("stderr.log", "dovecot.log"):
            p = self.base / name
            if p.exists():
                out.extend(p.read_text(errors="replace").splitlines()[-n:])
        return "\n".join(out)

    # -- mail --------------------------------------------------------------------------------

    def maildir(self, user: str, folder: str = "INBOX") -> Path:
        root = self.base / "mail" / user
        path = root if folder == "INBOX" else root / ("." + folder.replace("/", "."))
        for sub in ("cur", "new", "tmp"):
            (path / sub).mkdir(parents=True, exist_ok=True)
        if folder != "INBOX":
            (path / "maildirfolder").touch()
        return path

    def _chown(self, path: Path) -> None:
        if os.geteuid() != 0:
            return
        os.chown(path, self.uid, self.gid)
        for dirpath, dirnames, filenames in os.walk(path):
            for name in dirnames + filenames:
                os.chown(os.path.join(dirpath, name), self.uid, self.gid)

    def deliver(self, user: str, messages: Iterable[bytes], folder: str = "INBOX",
                seen: bool | Iterable[bool] = False, received: float | None = None) -> int:
        """Write messages into a Maildir (``tmp/`` then a rename), as a delivery agent does.

        ``seen`` marks them read (``:2,S`` in ``cur/``); unseen ones go to ``new/``.
        ``received`` (a Unix time) sets the file times, which Dovecot reports as the
        INTERNALDATE that ``SEARCH SINCE`` looks at.  Returns how many were written.
        """
        md = self.maildir(user, folder)
        flags = None if isinstance(seen, bool) else iter(seen)
        count = 0
        now = int(time.time())
        for raw in messages:
            self._n += 1
            is_seen = seen if flags is None else next(flags)
            name = f"{now}.M{self._n}P{os.getpid()}.webleads,S={len(raw)}"
            tmp = md / "tmp" / name
            tmp.write_bytes(raw)
            if os.geteuid() == 0:
                os.chown(tmp, self.uid, self.gid)
            if received is not None:
                os.utime(tmp, (received, received))
            tmp.rename(md / "cur" / f"{name}:2,S" if is_seen else md / "new" / name)
            count += 1
        if os.geteuid() == 0:
            for d in (md, md / "cur", md / "new", md / "tmp"):
                os.chown(d, self.uid, self.gid)
        return count

    # -- doveadm -----------------------------------------------------------------------------

    def doveadm(self, *args: str) -> str:
        exe = shutil.which("doveadm") or "/usr/bin/doveadm"
        res = subprocess.run([exe, "-c", str(self.conf), *args], capture_output=True, text=True, timeout=60)
        if res.returncode != 0:
            raise RuntimeError(f"doveadm {args[0]} failed: {res.stderr.strip()[:300]}")
        return res.stdout

    def set_uidvalidity(self, user: str, value: int, folder: str = "INBOX") -> None:
        self.doveadm("mailbox", "update", "-u", user, "--uid-validity", str(value), folder)

    def status(self, user: str, folder: str = "INBOX") -> dict[str, int]:
        out = self.doveadm("mailbox", "status", "-u", user, "messages uidvalidity uidnext unseen", folder)
        return {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", out)}

    def flags(self, user: str, folder: str = "INBOX") -> dict[int, str]:
        """``{uid: flags}`` as Dovecot stores them (to check nothing was marked read)."""
        out = self.doveadm("fetch", "-u", user, "uid flags", "mailbox", folder, "all")
        result: dict[int, str] = {}
        uid = None
        for line in out.splitlines():
            if line.startswith("uid: "):
                uid = int(line[5:])
            elif line.startswith("flags:") and uid is not None:
                result[uid] = line[6:].strip()
        return result

    def expunge(self, user: str, uids: Iterable[int], folder: str = "INBOX") -> None:
        for uid in uids:
            self.doveadm("expunge", "-u", user, "mailbox", folder, "uid", str(uid))


def _accepts(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False
