"""webleads-signature: signature intelligence for webleads.

An ML segmenter (zones of an email, quoted and forwarded messages included), a
signature field tagger (name, title, company, typed phones in E.164, emails, address,
websites, social profiles), and the ``webleads train`` / ``webleads evaluate`` commands.

Public API::

    from webleads_signature import load_segmenter, load_tagger

    seg = load_segmenter()            # the shipped model, checked against its card
    zones = seg.zones(text, sender)   # webleads_core.records.Zone tuples
    values = load_tagger().tag(block, author_name="Jane Doe", author_email="jane@acme.example")
"""

from __future__ import annotations

from .artifacts import ModelError

__all__ = ["ModelError", "load_segmenter", "load_tagger"]


def load_segmenter(name: str = "webleads-segmenter"):
    """The named segmentation model (:class:`~webleads_signature.segmenter.SegmenterModel`)."""
    from . import artifacts
    from .segmenter import SegmenterModel

    payload, card, _ = artifacts.load(name, "segmenter")
    return SegmenterModel(payload, card)


def load_tagger(name: str = "webleads-tagger"):
    """The named tagging model (:class:`~webleads_signature.tagger.TaggerModel`)."""
    from . import artifacts
    from .tagger import TaggerModel

    payload, card, _ = artifacts.load(name, "tagger")
    return TaggerModel(payload, card)
