"""Size and shape caps applied to every message before and while it is parsed.

The caps are the first line of defence against hostile mail (see ``BAD_INPUTS.md``):
the standard library's parsers are super-linear on some inputs, so nothing reaches
them (or our own walker) before its size is bounded.
"""

from __future__ import annotations

import attrs

KiB = 1024
MiB = 1024 * KiB


def _positive(instance: object, attribute: attrs.Attribute, value: int) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise ValueError(f"{attribute.name} must be a positive int, got {value!r}")


@attrs.frozen
class MailLimits:
    """Caps for :func:`webleads_core.mail.parse_message`.

    Attributes:
        max_message_bytes: how much of one message a source reads.  Beyond it only the
            first and the last half are kept (defect ``message.truncated``): the header
            block and, most of the time, the text part are at the head; a text part
            placed after big attachments is at the tail.
        max_header_bytes: the whole top-level header block.  Over it the item is
            rejected (``mail.header_too_large``) without looking at the body.
        max_header_value: one header's value.  An over-long address header is cut at an
            address boundary (defect ``header.truncated``); an over-long ``From`` rejects
            the item (``mail.from_too_large``); other headers are cut.
        max_addresses: addresses taken from one header (defect ``address.cap`` beyond).
        max_mime_depth: multipart nesting (defect ``mime.depth_cap``).
        max_parts: MIME entities visited, containers included (defect ``mime.part_cap``).
        max_text_bytes: characters kept from the *end* of the chosen text part.
        text_head_bytes: characters kept from the *start* of the chosen text part, on top
            of the tail.  Signatures of bottom-posted mail and of the oldest message of a
            thread sit at the end, but in a top-posted reply (the common case) the
            sender's own text and signature come first and the quoted history, with its
            own signatures, follows: keeping head and tail keeps both, and whatever is
            dropped from the middle is old quoted history (defect ``text.truncated``).
        max_html_bytes: decoded HTML handed to lxml (head and tail kept beyond it).
        max_part_header_bytes: header block of one MIME part (defect
            ``mime.part_header_too_large``, the part is skipped).
    """

    max_message_bytes: int = attrs.field(default=32 * MiB, validator=_positive)
    max_header_bytes: int = attrs.field(default=64 * KiB, validator=_positive)
    max_header_value: int = attrs.field(default=16 * KiB, validator=_positive)
    max_addresses: int = attrs.field(default=200, validator=_positive)
    max_mime_depth: int = attrs.field(default=8, validator=_positive)
    max_parts: int = attrs.field(default=100, validator=_positive)
    max_text_bytes: int = attrs.field(default=64 * KiB, validator=_positive)
    text_head_bytes: int = attrs.field(default=16 * KiB, validator=_positive)
    max_html_bytes: int = attrs.field(default=2 * MiB, validator=_positive)
    max_part_header_bytes: int = attrs.field(default=16 * KiB, validator=_positive)


DEFAULT_LIMITS = MailLimits()
