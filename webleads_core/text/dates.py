"""Dates from headers and from short pieces of text, in bounded time.

``Date:`` headers go through :func:`email.utils.parsedate_to_datetime` (linear, no
guessing).  ``dateparser`` is slow on long or odd input (2.6 s on ``"x" * 2000``,
BAD_INPUTS #10 and #28), so :func:`parse_date_text` hands it only strings of at most
:data:`MAX_DATEPARSER_CHARS` characters, with a fixed language list (no language
detection) and only the ``custom-formats`` and ``absolute-time`` parsers (the
``timestamp`` and ``no-spaces-time`` parsers turn phone numbers and ids into dates).
dateparser is imported on first use: importing the mail parser does not pay for it.
"""

from __future__ import annotations

import datetime as dt
import email.utils
from typing import Any

__all__ = ["MAX_DATEPARSER_CHARS", "DATEPARSER_LANGUAGES", "parse_date_text", "parse_header_date"]

MIN_YEAR = 1970
MAX_YEAR = 2100
MAX_OFFSET = dt.timedelta(hours=14)
#: Longest string ever given to dateparser.
MAX_DATEPARSER_CHARS = 64
MAX_HEADER_DATE_CHARS = 256
#: Languages of the date strings found in quoted-reply headers and signatures we read.
DATEPARSER_LANGUAGES: tuple[str, ...] = ("en", "de", "fr", "es", "it", "nl", "pt")
DATEPARSER_SETTINGS: dict[str, Any] = {
    "PREFER_DATES_FROM": "past",
    "RETURN_AS_TIMEZONE_AWARE": True,
    "TIMEZONE": "UTC",
    "PARSERS": ["custom-formats", "absolute-time"],
}

_UTC = dt.timezone.utc


def _plausible(value: dt.datetime) -> dt.datetime | None:
    if value.tzinfo is None or value.utcoffset() is None:
        value = value.replace(tzinfo=_UTC)
    offset = value.utcoffset()
    if offset is None or abs(offset) > MAX_OFFSET:
        return None
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        return None
    return value


def parse_header_date(value: str | None, defects: list[str] | None = None) -> dt.datetime | None:
    """An RFC 5322 ``Date:`` value as an aware datetime (its own offset; UTC when it
    names none), or None.

    Garbage, years outside 1970..2100 and offsets beyond +/-14 h give None, and, when a
    ``defects`` list is passed, the defect ``header.date_invalid``.  Never raises.
    """
    if value is None:
        return None
    text = value.strip()
    result: dt.datetime | None = None
    if text and len(text) <= MAX_HEADER_DATE_CHARS:
        try:
            parsed = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError, OverflowError, IndexError, AttributeError):
            parsed = None
        if parsed is not None:
            result = _plausible(parsed)
    if result is None and defects is not None:
        defects.append("header.date_invalid")
    return result


_parser: Any = None


def _date_parser() -> Any:
    global _parser
    if _parser is None:
        from dateparser.date import DateDataParser

        _parser = DateDataParser(
            languages=list(DATEPARSER_LANGUAGES), settings=dict(DATEPARSER_SETTINGS)
        )
    return _parser


def _call_dateparser(text: str) -> dt.datetime | None:
    """The one place that calls dateparser (tests replace it to count calls)."""
    return _date_parser().get_date_data(text).date_obj


def parse_date_text(s: str | None) -> dt.datetime | None:
    """A date written in text ("12 March 2004", "Mon, 5 Jan 2004 10:00") or None.

    Strings longer than 64 characters are refused without calling dateparser.  One
    ``DateDataParser`` is built on first use and reused (``dateparser.parse`` builds a
    new one, reloading language data, on every call with custom settings).
    """
    if not s:
        return None
    text = " ".join(s.split())
    if not text or len(text) > MAX_DATEPARSER_CHARS:
        return None
    try:
        parsed = _call_dateparser(text)
    except Exception:  # dateparser raises assorted errors on odd input; a date is optional
        return None
    if not isinstance(parsed, dt.datetime):
        return None
    return _plausible(parsed)
