"""Segmenters: label the lines of an email as body, greeting, sign-off, signature,
quoted and forwarded messages with their header blocks, disclaimers and device footers.

The rule-based segmenter here is the default and the baseline a learned one must beat:

* :func:`segment` -- ``(text, sender=None) -> tuple[Zone, ...]``
* :func:`parse_quoted_header` -- the people named in a ``reply_header`` / ``forward_header`` zone.
"""

from __future__ import annotations

from .quoted_headers import parse_quoted_header
from .rules import segment

__all__ = ["parse_quoted_header", "segment"]
