"""Progress on long runs: items, rate and skipped items, on stderr."""

from __future__ import annotations

import sys
from typing import Any


class Progress:
    """A tqdm bar when enabled (the CLI enables it when stderr is a terminal)."""

    def __init__(self, enabled: bool = True, desc: str = "items", stream: Any = None) -> None:
        self._bar = None
        if enabled:
            from tqdm import tqdm

            self._bar = tqdm(desc=desc, unit=" msg", file=stream or sys.stderr, dynamic_ncols=True,
                             mininterval=0.25)
        self._n = 0

    def update(self, items: int, skipped: int) -> None:
        if self._bar is None:
            return
        self._bar.update(items - self._n)
        self._n = items
        if skipped:
            self._bar.set_postfix(skipped=skipped, refresh=False)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None
