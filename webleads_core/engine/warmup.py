"""Warming a pipeline before worker processes are forked from it.

The first messages a fresh process reads cost about ten times the later ones: models
load, phone metadata of each region is read, pattern caches fill (measured: 0.11 s for
the first one, the same as the next 400 together).  When the workers are forked from
the main process, doing that once in the main process before the fork gives every
worker a warm copy, instead of each worker paying it again on its first batch.

The sample is fictional (``example.com`` names) and only the core's parser and the
segmenter read it; extractors and scorers warm themselves through an optional
``warm_up()``.  A failure only means the workers warm up on their first batch, as they
would anyway.
"""

from __future__ import annotations

import logging
from typing import Any

log = logging.getLogger("webleads.executors")

#: A business email with a sign-off, a signature block (name, title, company, typed
#: phones of two regions, website) and a quoted reply with a header block: it goes
#: through every stage of the email pipeline.
SAMPLE = b"""From: Ann Example <ann.example@example.com>
To: Bob Sample <bob@example.org>
Subject: Re: our meeting
Date: Mon, 2 Nov 2026 10:00:00 +0000
Message-ID: <warm-up@example.com>
Content-Type: text/plain; charset=utf-8

Hi Bob,

Thursday works for me, see you then.

Best regards,
Ann Example
Head of Sales | Example GmbH
Tel. +49 30 1234567 | Mobile +49 151 23456789
Fax +1 212 555 0100
www.example.com

On Fri, 30 Oct 2026 at 09:12, Bob Sample <bob@example.org> wrote:
> Could we meet next week?
>
> --
> Bob Sample, CTO
> Sample Inc. | +1 (415) 555-0134
"""


def warm(pipeline: Any) -> None:
    """Parse :data:`SAMPLE`, segment it, and call ``warm_up()`` on each extractor and scorer
    that has one.

    Only the segmenter (a labelling step with no effect outside the process) runs on the
    sample; extractors and scorers opt in with a ``warm_up()`` method of their own (see
    :class:`webleads_core.components.Extractor`), so that no plugin is ever handed a message
    it could act on (an enrichment call, a write)."""
    from ..mail import parse_message
    from .executors import single_threaded_blas

    try:
        with single_threaded_blas():  # as on the workers (see single_threaded_blas)
            parsed = parse_message(SAMPLE)
            if pipeline.segmenter is not None:
                pipeline.segmenter.segment(parsed)
            for _, component in (*pipeline.extractors, *pipeline.scorers):
                hook = getattr(component, "warm_up", None)
                if callable(hook):
                    hook()
    except Exception:  # best effort: a worker then warms up on its first batch
        log.debug("pipeline warm-up failed", exc_info=True)
