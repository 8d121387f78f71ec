"""The core's own components, registered like any plugin's: local mail sources,
the rule-based segmenter, the header/signature/record extractors, the default scorer,
the file sinks and the webhook sink."""

from __future__ import annotations

from ..scoring import plugin as scoring
from . import extractors, local_mail, segmenter, sinks

#: the webhook sink is registered by ``sinks`` (its module is imported when one is configured)
DEFAULT_PLUGINS = (local_mail, segmenter, extractors, scoring, sinks)
