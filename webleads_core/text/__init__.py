"""Text normalisation shared by every extractor: emails, phones, URLs, names, vocabularies.

The public helpers are re-exported here; the vocabularies stay in
:mod:`webleads_core.text.vocab` (import them from there).  Dates live in
:mod:`webleads_core.text.dates` and are imported from that module directly.
"""

from __future__ import annotations

from .emails import email_domain, find_emails, fold_plus_tag, is_free_mail, normalise_email
from .names import clean_person_name, looks_like_name, name_key
from .phones import PhoneMatch, find_phones, infer_region
from .urls import find_urls, normalise_url, social_profile

__all__ = [
    "PhoneMatch",
    "clean_person_name",
    "email_domain",
    "find_emails",
    "find_phones",
    "find_urls",
    "fold_plus_tag",
    "infer_region",
    "is_free_mail",
    "looks_like_name",
    "name_key",
    "normalise_email",
    "normalise_url",
    "social_profile",
]
