"""The rule-based segmenter, registered with priority 0 so a trained one can take over."""

from __future__ import annotations

from ..hookspecs import hookimpl
from ..records import ParsedMessage, Zone


class RuleSegmenter:
    """Adapter from :func:`webleads_core.segment.segment` to the Segmenter protocol."""

    name = "rules"

    def segment(self, message: ParsedMessage) -> tuple[Zone, ...]:
        from ..segment import segment

        return segment(message.text, message.sender)


@hookimpl
def register_segmenters(register):
    register("rules", RuleSegmenter(), priority=0)
