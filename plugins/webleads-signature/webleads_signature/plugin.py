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

#: Priority of the ``ml`` segmenter.  Below the rule-based one (0) for now: the ML pair
#: beats the rules on Quagga and matches or beats them on the demo mailbox, but its
#: throughput (segmenter + tagger, ``benchmarks/signature_speed.py``) is 820 to 1,100
#: messages/s on the development VM, not reliably over the 1,000 the project asks for.
#: Set ``[pipeline] segmenter = "ml"`` to use it; make it 10 to make it the default.
PRIORITY = -10


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
