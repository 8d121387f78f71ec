"""The ``signature-ml`` extractor: the ML tagger on every signature block of a capture.

It produces evidence exactly as the core's ``signature-rules`` extractor does (the
subject is the block's author when the block agrees, else the first email of the block,
else the block itself; method ``signature``; the span is the value's line in the
message), and declares ``replaces = ("signature-rules",)`` and ``pairs_with = "ml"``: the
engine runs it instead of the rule-based tagger whenever the ``ml`` segmenter is the
pipeline's (``[pipeline] segmenter = "ml"``, or the default once the plugin's priority
puts it first).

When the model is missing or does not match its card, the rule-based tagger does the
work (one warning) and the evidence says so in ``extractor_version``.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import threading
from typing import Any, Iterator

from webleads_core.records import Capture, Evidence, HeaderContact

from .artifacts import ModelError

log = logging.getLogger("webleads.signature")

DEFAULT_MODEL = "webleads-tagger"
MODEL_ENV = "WEBLEADS_TAGGER_MODEL"
FALLBACK_VERSION = "rules-fallback"
CODE_VERSION = "1"


class SignatureTagger:
    """The tagger component: the named model, loaded on first use, or the rules."""

    def __init__(self, model: str | None = None) -> None:
        self._model_name = model
        self._model: Any = None
        self._fallback = False
        self._lock = threading.Lock()

    def _ensure(self) -> None:
        if self._model is not None or self._fallback:
            return
        with self._lock:
            if self._model is not None or self._fallback:
                return
            from . import artifacts
            from .tagger import TaggerModel

            name = self._model_name or os.environ.get(MODEL_ENV) or DEFAULT_MODEL
            try:
                payload, card, _ = artifacts.load(name, "tagger")
                self._model = TaggerModel(payload, card)
            except ModelError as exc:
                log.warning("signature tagger model unavailable (%s); using the rule-based tagger", exc)
                self._fallback = True

    @property
    def loaded(self) -> bool:
        return self._model is not None or self._fallback

    @property
    def version(self) -> str:
        """``1+<model name>-<model version>``, or ``1+rules-fallback``; just ``1`` before the
        first block (reading the attribute does not load the model)."""
        if self._model is not None:
            return f"{CODE_VERSION}+{self._model.card.get('name', 'model')}-{self._model.version}"
        return f"{CODE_VERSION}+{FALLBACK_VERSION}" if self._fallback else CODE_VERSION

    def tag(self, text: str, author: HeaderContact | None, region_hint: str | None = None) -> list[Any]:
        self._ensure()
        name = author.name if author else None
        email = author.email if author else None
        if self._model is None:
            from webleads_core.default_plugins.signature_rules import tag_signature

            return tag_signature(text, author_name=name, author_email=email, region_hint=region_hint)
        return self._model.tag(text, author_name=name, author_email=email, region_hint=region_hint)


_WARM_BLOCK = """Ann Example
Head of Sales | Example GmbH
Tel. +49 30 1234567 | Mobile +49 151 23456789
Fax +1 212 555 0100
www.example.com"""


def _when(capture: Capture) -> dt.datetime:
    return capture.sent_at or capture.observed_at


class SignatureMLExtractor:
    """Fields of each signature block by the ML tagger (see the module docstring)."""

    name = "signature-ml"
    kinds = ("email",)
    replaces = ("signature-rules",)
    #: Used only with the ML segmenter, whose blocks it is tuned on (the engine leaves an
    #: extractor with ``pairs_with`` out, replacing nothing, under another segmenter).
    pairs_with = "ml"

    def __init__(self, model: str | None = None) -> None:
        self.tagger = SignatureTagger(model)

    @property
    def version(self) -> str:
        return self.tagger.version

    def warm_up(self) -> None:
        """Load the tagger's model and read a fictional block (phone metadata of a few
        regions, pattern caches): called before worker processes are forked."""
        self.tagger.tag(_WARM_BLOCK, HeaderContact(email="ann.example@example.com", name="Ann Example"))

    def extract(self, capture: Capture) -> Iterator[Evidence]:
        when = _when(capture)
        if capture.blocks:
            self.tagger._ensure()
        version = self.version
        for i, block in enumerate(capture.blocks):
            values = list(self.tagger.tag(block.text, block.author))
            emails = [v.value for v in values if v.field == "email"]
            author = block.author
            if author is not None and author.email and (not emails or author.email in emails):
                subject, kind = f"email:{author.email}", author.kind
            elif emails:
                subject, kind = f"email:{emails[0]}", "person"
            else:
                subject, kind = f"block:{capture.item_id}:{i}", "person"
            for v in values:
                yield Evidence(
                    field=v.field, value=v.value, subtype=v.subtype, subject=subject,
                    source=capture.source, item_id=capture.item_id, owner=capture.owner,
                    extractor=self.name, extractor_version=version, method="signature",
                    span=(block.start + v.line, block.start + v.line + 1), observed_at=when,
                    confidence=v.confidence, kind=kind, role=block.role)
