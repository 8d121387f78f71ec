"""The core's own components, registered like any plugin's: local mail sources,
the rule-based segmenter, the header/signature/record extractors, the file sinks."""

from __future__ import annotations

from . import extractors, local_mail, segmenter, sinks

DEFAULT_PLUGINS = (local_mail, segmenter, extractors, sinks)
