"""RFC 822 parsing shared by all mail sources, safe on hostile input.

Public API: :class:`MailLimits`, :func:`parse_message`, :func:`parse_address_header`,
:func:`clean_display_name`, :func:`html_to_text`, :func:`is_automated`,
:func:`is_role_address`.
"""

from webleads_core.mail.addresses import (
    clean_display_name,
    decode_encoded_words,
    normalize_email,
    parse_address_header,
    sanitize_field,
)
from webleads_core.mail.automated import is_automated, is_role_address
from webleads_core.mail.html import html_to_text
from webleads_core.mail.limits import DEFAULT_LIMITS, MailLimits
from webleads_core.mail.parse import parse_message

__all__ = [
    "DEFAULT_LIMITS",
    "MailLimits",
    "clean_display_name",
    "decode_encoded_words",
    "html_to_text",
    "is_automated",
    "is_role_address",
    "normalize_email",
    "parse_address_header",
    "parse_message",
    "sanitize_field",
]
