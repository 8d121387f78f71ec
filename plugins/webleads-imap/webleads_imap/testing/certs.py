"""Test certificates made with the ``openssl`` command: a private CA, a server
certificate for ``localhost``/``127.0.0.1`` signed by it, and one for a wrong host."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import attrs


@attrs.frozen
class TestCerts:
    """Paths of the PEM files.

    Attributes:
        ca: the test CA (what a ``ca_file`` option points at).
        cert, key: server certificate and key for localhost and 127.0.0.1.
        wrong_cert, wrong_key: signed by the same CA, for ``wrong-host.example`` only.
    """

    ca: Path
    cert: Path
    key: Path
    wrong_cert: Path
    wrong_key: Path


def _openssl(*args: str, cwd: Path) -> None:
    exe = shutil.which("openssl")
    if exe is None:
        raise RuntimeError("the openssl command is needed to make test certificates")
    subprocess.run([exe, *args], cwd=cwd, check=True, capture_output=True, timeout=60)


def make_certs(folder: Path) -> TestCerts:
    """Write a CA and two server certificates into ``folder`` (EC keys: fast to make)."""
    folder.mkdir(parents=True, exist_ok=True)
    _openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
             "-keyout", "ca.key", "-out", "ca.pem", "-days", "3", "-subj", "/CN=webleads test CA",
             "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign",
             cwd=folder)
    for stem, san, cn in (("server", "DNS:localhost,IP:127.0.0.1,IP:::1", "localhost"),
                          ("wrong", "DNS:wrong-host.example", "wrong-host.example")):
        _openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                 "-keyout", f"{stem}.key", "-out", f"{stem}.csr", "-subj", f"/CN={cn}", cwd=folder)
        (folder / f"{stem}.ext").write_text(f"subjectAltName={san}\nbasicConstraints=CA:FALSE\n"
                                            "extendedKeyUsage=serverAuth\n")
        _openssl("x509", "-req", "-in", f"{stem}.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
                 "-CAcreateserial", "-out", f"{stem}.pem", "-days", "3", "-extfile", f"{stem}.ext",
                 cwd=folder)
    for p in folder.iterdir():
        p.chmod(0o600 if p.suffix == ".key" else 0o644)
    return TestCerts(ca=folder / "ca.pem", cert=folder / "server.pem", key=folder / "server.key",
                     wrong_cert=folder / "wrong.pem", wrong_key=folder / "wrong.key")
