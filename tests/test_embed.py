"""examples/embed.py runs and does what it says."""

from __future__ import annotations

import re
import subprocess
import sys

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_embed_example_runs():
    r = subprocess.run([sys.executable, str(ROOT / "examples" / "embed.py")], capture_output=True, text=True,
                       timeout=300)
    assert r.returncode == 0, r.stderr
    m = re.search(r"extract: (\d+) messages, \d+ skipped, (\d+) contacts", r.stdout)
    assert m and int(m.group(1)) >= 40 and int(m.group(2)) >= 10
    assert re.search(r"run: \d+ processed, then 0 new on the rerun", r.stdout)
    assert int(re.search(r"vCards written: (\d+)", r.stdout).group(1)) >= 10
