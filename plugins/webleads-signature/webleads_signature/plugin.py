"""The plugin's hook module (entry point ``webleads: signature``).

Registers the ML segmenter as ``ml`` with priority :data:`PRIORITY` (the core's ``rules``
segmenter has 0: the highest is the default), the ``signature-ml`` extractor (which
replaces ``signature-rules`` whenever the ``ml`` segmenter is the pipeline's), and the
``train`` and ``evaluate`` commands.
Models load lazily, on the first message.
"""

from __future__ import annotations

from webleads_core import hookimpl

from .commands import configure_evaluate, configure_train, run_evaluate, run_train
from .extractor import SignatureMLExtractor
from .segmenter import MLSegmenter

#: Priority of the ``ml`` segmenter: above the rule-based one (0), so that installing the
#: plugin makes the ML pair the default (it reads signatures better than the rules on
#: Quagga and on the demo mailbox, at 1,030 to 1,180 messages/s for segmenter plus tagger,
#: ``benchmarks/signature_speed.py``).  ``[pipeline] segmenter = "rules"`` selects the rules.
PRIORITY = 10


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
