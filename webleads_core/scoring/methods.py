"""The default per-evidence scorer: how much the *method* that found a value is worth.

A value read from structured data (an API record, JSON-LD, microdata, an h-card) or
from an email header is what its author typed into a field; a signature is written by
the person for exactly this purpose; a phone number spotted in free page text or a
bracketed address is a guess.  The extractor's own confidence says how sure it is
about *its reading*; the prior says how trustworthy that kind of place is.  The two
multiply, so neither can raise a value above what the other allows.
"""

from __future__ import annotations

from typing import Mapping

from ..records import Evidence

#: Method -> prior (0..1).  Unknown methods get :data:`DEFAULT_PRIOR`.
METHOD_PRIORS: Mapping[str, float] = {
    # structured data: typed into a field by whoever published it
    "record": 1.0, "jsonld": 1.0, "microdata": 1.0, "rdfa": 1.0, "hcard": 1.0, "header": 1.0,
    # written by the person for this purpose
    "signature": 0.95, "mailto": 0.95, "tel": 0.95,
    # someone else's rendering of it
    "quoted_header": 0.9, "team": 0.9, "cloudflare": 0.9, "decoded": 0.9,
    # free text
    "bracket": 0.8, "text": 0.75,
}
DEFAULT_PRIOR = 0.85


def method_prior(method: str) -> float:
    return METHOD_PRIORS.get(method, DEFAULT_PRIOR)


class MethodPriorScorer:
    """``confidence = extractor confidence x prior(method)``: structured data and
    signatures above free text.  Registered by the core as ``method-prior``."""

    name = "method-prior"

    def score(self, evidence: Evidence) -> float:
        return max(0.0, min(1.0, float(evidence.confidence) * method_prior(evidence.method)))
