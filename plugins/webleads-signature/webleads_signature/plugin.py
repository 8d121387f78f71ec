"""The plugin's hook module (entry point ``webleads: signature``).

Registers the ML segmenter as ``ml`` with priority 10 (the default whenever this plugin
is installed; the core's ``rules`` segmenter has 0), the ``signature-ml`` extractor
(which replaces ``signature-rules``), and the ``train`` and ``evaluate`` commands.
Models load lazily, on the first message.
"""

from __future__ import annotations

from webleads_core import hookimpl

from .commands import configure_evaluate, configure_train, run_evaluate, run_train
from .extractor import SignatureMLExtractor
from .segmenter import MLSegmenter

#: Priority of the ``ml`` segmenter (the rule-based one registers with 0).
PRIORITY = -10  # below the rules (0) until the ML pair beats them; see docs/signature.md


@hookimpl
def register_segmenters(register):
    register("ml", MLSegmenter(), priority=PRIORITY)


@hookimpl
def register_extractors(register):
    register("signature-ml", SignatureMLExtractor())


@hookimpl
def register_commands(register):
    register("train", "train the ML segmenter or signature tagger on annotated mail", configure_train, run_train)
    register("evaluate", "evaluate a segmenter or tagger model on annotated mail (P/R/F1, report)",
             configure_evaluate, run_evaluate)
