"""The scheduler: a source on a short interval picks up new mail by itself; SIGTERM in
the middle of a run leaves a consistent store and the next run resumes; and
``webleads serve`` with the demo config serves the portal and the API."""

from __future__ import annotations

import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from webleads_core import ConfigError
from webleads_core.testing.helpers import eml
from webleads_serve.context import AppContext
from webleads_serve.scheduler import Scheduler
from webleads_serve.settings import load_serve_config
from webleads_serve.testing import OWNER, write_config

REPO = Path(__file__).resolve().parents[3]


def maildir(root: Path, n: int, start: int = 0) -> Path:
    box = root / "box"
    for sub in ("cur", "new", "tmp"):
        (box / sub).mkdir(parents=True, exist_ok=True)
    for i in range(start, start + n):
        body = (f"Hello,\n\nplease find the figures attached.\n\nBest regards,\nPerson Number{i}\n"
                f"Account Manager\nCompany{i % 50} Ltd\nTel: +44 20 7946 {i % 10000:04d}\n")
        raw = eml(f"Person Number{i} <person{i}@company{i % 50}.example>", OWNER, body,
                  msgid=f"<m{i}@test.example>")
        (box / "new" / f"{1700000000 + i}.M{i}P1.test").write_bytes(raw)
    return box


def table_count(db: Path, table: str) -> int:
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10)
    try:
        return con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    except sqlite3.OperationalError:  # the store is being created
        return 0
    finally:
        con.close()


def start_serve(cfg: Path, *extra: str) -> tuple[subprocess.Popen, str]:
    env = dict(os.environ, WEBLEADS_DISABLE_PLUGIN_AUTOLOAD="")
    proc = subprocess.Popen([sys.executable, "-m", "webleads_core.cli.main", "serve", "-c", str(cfg), "--port", "0",
                             *extra], stderr=subprocess.PIPE, text=True, env=env)
    line = proc.stderr.readline()
    m = re.search(r"listening on (http://\S+?),", line)
    assert m, line
    return proc, m.group(1)


def test_schedule_parsing():
    import datetime as dt

    from webleads_serve.schedule import parse_schedule

    t0 = dt.datetime(2025, 3, 4, 10, 12, 30, tzinfo=dt.timezone.utc)
    assert parse_schedule("every 15m").next_after(t0, t0) == t0 + dt.timedelta(minutes=15)
    assert parse_schedule("daily").interval == 86400
    assert parse_schedule("2s").interval == 2
    assert parse_schedule("0 3 * * *").next_after(t0, t0) == dt.datetime(2025, 3, 5, 3, 0, tzinfo=dt.timezone.utc)
    # Mondays at 09:30 (2025-03-04 is a Tuesday)
    assert parse_schedule("30 9 * * 1").next_after(t0, t0) == dt.datetime(2025, 3, 10, 9, 30, tzinfo=dt.timezone.utc)
    assert parse_schedule("*/20 * * * *").next_after(t0, t0) == dt.datetime(2025, 3, 4, 10, 20,
                                                                            tzinfo=dt.timezone.utc)
    assert parse_schedule("daily").next_after(None, t0) == t0  # never ran: due now
    for bad in ("sometimes", "61 * * * *", "* * * *", "every 0s", True, "1-2-3 * * * *"):
        with pytest.raises(ConfigError):
            parse_schedule(bad)


def test_config_errors_are_one_line(tmp_path):
    cfg = write_config(tmp_path, 25, extra_serve="colour = 'blue'")
    with pytest.raises(ConfigError, match="unknown serve keys: colour"):
        load_serve_config(cfg)
    cfg = write_config(tmp_path, 25, schedule="now and then")
    with pytest.raises(ConfigError, match=r"sources\[0\].schedule"):
        load_serve_config(cfg)
    text = cfg.read_text().replace('schedule = "now and then"', "").replace('host = "127.0.0.1"\nport',
                                                                           'host = "smtp.example.com"\nport')
    cfg.write_text(text)
    with pytest.raises(ConfigError, match="only allowed for a relay on loopback"):
        load_serve_config(cfg)


def test_a_source_on_a_short_interval_picks_up_new_mail(tmp_path):
    box = maildir(tmp_path, 3)
    cfg = write_config(tmp_path, 25, schedule="every 1s", mailbox=box.name)
    serve = load_serve_config(cfg)
    ctx = AppContext.create(serve)
    sched = Scheduler(serve, ctx.state)
    sched.start()
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not [r for r in ctx.state.runs() if r["status"] == "ok"]:
            time.sleep(0.1)
        with ctx.store() as store:
            assert store.match("person1@company1.example")
            assert not store.match("person77@company27.example")
        maildir(tmp_path, 1, start=77)  # new mail arrives; nobody runs anything
        found = False
        while time.monotonic() < deadline and not found:
            time.sleep(0.2)
            with ctx.store() as store:
                found = bool(store.match("person77@company27.example"))
        assert found, "the scheduler did not pick up the new message"
        runs = ctx.state.runs()
        assert len(runs) >= 2 and {r["trigger"] for r in runs} >= {"startup", "schedule"}
    finally:
        assert sched.stop(30)
        ctx.state.close()


def test_sigterm_in_the_middle_of_a_run_keeps_the_store_consistent_and_the_next_run_resumes(tmp_path):
    n = 1500
    maildir(tmp_path, n)
    cfg = write_config(tmp_path, 25, mailbox="box")
    db = tmp_path / "store.db"
    proc, _ = start_serve(cfg)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if db.exists() and table_count(db, "items") > 0:
                break
            time.sleep(0.02)
        proc.send_signal(signal.SIGTERM)
        rest = proc.stderr.read()
        assert proc.wait(60) == 0, rest
    finally:
        if proc.poll() is None:
            proc.kill()
    assert "stopped" in rest
    first = table_count(db, "items")
    assert 0 < first < n, "SIGTERM did not land in the middle of the run"
    con = sqlite3.connect(db)
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert con.execute("SELECT status FROM runs").fetchall()[-1][0] != "running"
    con.close()
    serve_db = tmp_path / "store.db.serve.db"
    con = sqlite3.connect(serve_db)
    assert con.execute("SELECT status FROM serve_runs").fetchall() == [("stopped",)]
    con.close()
    # every message committed so far is a contact, none half-written
    assert table_count(db, "contacts") == first

    done = subprocess.run([sys.executable, "-m", "webleads_core.cli.main", "serve", "-c", str(cfg), "--once"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert table_count(db, "items") == n
    assert table_count(db, "contacts") == n  # one contact per sender: no duplicates, none lost


def test_webleads_serve_with_the_demo_config_serves_portal_and_api(tmp_path, smtp):
    shutil.copytree(REPO / "examples" / "mailbox", tmp_path / "mailbox")
    text = (REPO / "examples" / "serve.toml").read_text().replace("port = 8025", f"port = {smtp.port}")
    cfg = tmp_path / "serve.toml"
    cfg.write_text(text)
    key = subprocess.run([sys.executable, "-m", "webleads_core.cli.main", "serve", "-c", str(cfg), "--add-key",
                          "me@webleads-demo.example"], capture_output=True, text=True, timeout=60)
    assert key.returncode == 0, key.stderr
    api_key = key.stdout.strip()
    proc, url = start_serve(cfg)
    try:
        page = httpx.get(url + "/", timeout=20)
        assert page.status_code == 200 and 'name="identifier"' in page.text
        assert httpx.get(url + "/api/openapi.json", timeout=20).json()["info"]["title"] == "webleads"
        deadline = time.monotonic() + 60
        total = 0
        while time.monotonic() < deadline and not total:
            r = httpx.get(url + "/api/v1/contacts", headers={"Authorization": f"Bearer {api_key}"}, timeout=20)
            total = r.json()["total"]
            time.sleep(0.2)
        assert total >= 20
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(60) == 0
    bad = subprocess.run([sys.executable, "-m", "webleads_core.cli.main", "serve", "-c", str(tmp_path / "nope.toml")],
                         capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1
