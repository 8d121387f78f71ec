"""The pipeline warm-up run before workers are forked: the sample is a real business email,
only the parser and the segmenter read it, extractors and scorers warm themselves only
through their own ``warm_up()``, and it never fails a run."""

from __future__ import annotations

import pytest

import webleads_core as wl
from webleads_core.engine.run import make_policy, process_document
from webleads_core.engine.warmup import SAMPLE, warm
from webleads_core.store import SQLiteStore


def test_the_sample_reaches_the_signature_tagger_and_phone_types():
    pipeline = wl.build_pipeline(wl.Config(), sources=())
    with SQLiteStore() as store:
        evidence = process_document(pipeline, wl.Document.from_email("w", "w", SAMPLE), make_policy(pipeline, store))
    fields = {(e.field, e.subtype) for e in evidence}
    assert ("phone", "mobile") in fields and ("phone", "fax") in fields
    assert any(e.field == "title" for e in evidence)
    assert any(e.subject == "email:ann.example@example.com" and e.field == "company" for e in evidence)


def test_warm_loads_the_segmenter_model_when_the_ml_pair_is_installed():
    pipeline = wl.build_pipeline(wl.Config(), sources=())
    seg = pipeline.segmenter
    warm(pipeline)
    if hasattr(seg, "_model"):  # the ML segmenter loads its model on the first message
        assert seg._model is not None or seg._fallback is not None


def test_plugins_never_see_the_sample_only_their_warm_up_is_called():
    calls: list[str] = []

    class Spy:
        name, version, kinds = "spy", "1", ("email",)

        def extract(self, capture):  # an enrichment extractor would call out here
            calls.append("extract")
            return []

        def warm_up(self):
            calls.append("warm_up")

    class Quiet(Spy):
        warm_up = None  # no hook: left alone

    class Scorer:
        def score(self, evidence):
            calls.append("score")
            return 0.5

    pipeline = wl.build_pipeline(wl.Config(), sources=())
    object.__setattr__(pipeline, "extractors", (("spy", Spy()), ("quiet", Quiet())))
    object.__setattr__(pipeline, "scorers", (("s", Scorer()),))
    warm(pipeline)
    assert calls == ["warm_up"]


def test_the_signature_extractor_warms_its_tagger():
    pytest.importorskip("webleads_signature")
    from webleads_signature.extractor import SignatureMLExtractor

    ex = SignatureMLExtractor()
    assert not ex.tagger.loaded
    ex.warm_up()
    assert ex.tagger.loaded


def test_warm_never_raises():
    class Broken:
        privacy_rules = ()
        extra_redact = ()
        segmenter = None
        extractors = property(lambda self: 1 / 0)
        scorers = ()

    warm(Broken())  # logged at debug level; the workers then warm up on their first batch
