"""Contract test suites that source, extractor and sink plugins inherit.

Subclass one in your plugin's tests and provide its fixtures; pytest collects the
inherited tests (Airbyte's standard tests and pytester are the model)::

    from webleads_core.testing.contracts import SourceContract

    class TestMySource(SourceContract):
        @pytest.fixture
        def make_source(self, tmp_path):
            return lambda: MySource(SourceConfig(name="s", type="mine", options={...}))
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any, Callable, Iterable

import pytest

from ..components import SourceContext
from ..errors import PrivacyViolation
from ..privacy.stage import publish_contact
from ..privacy.suppress import Suppressor
from ..records import BUSINESS_FIELDS, Capture, Checkpoint, Contact, Document, Evidence, Phone, SealedContact

_EMAIL = re.compile(r"[\w.+-]{1,64}@[\w-]{1,63}\.[\w.-]{1,63}")


def _drain(source: Any, cursor: Any, seen: set[str]) -> tuple[list[Document], list[Checkpoint]]:
    docs: list[Document] = []
    cps: list[Checkpoint] = []
    for obj in source.read(cursor, SourceContext(is_seen=lambda i: i in seen)):
        if isinstance(obj, Document):
            docs.append(obj)
        elif isinstance(obj, Checkpoint):
            cps.append(obj)
    return docs, cps


class SourceContract:
    """Fixture to provide: ``make_source`` -> a zero-argument callable returning a fresh
    source over a non-empty test dataset (the same data each call)."""

    @pytest.fixture
    def make_source(self) -> Callable[[], Any]:  # pragma: no cover - provided by subclasses
        raise NotImplementedError("provide a make_source fixture")

    def test_yields_documents_with_aware_times(self, make_source):
        docs, _ = _drain(make_source(), None, set())
        assert docs, "the test dataset must produce at least one document"
        for d in docs:
            assert d.observed_at.tzinfo is not None and d.observed_at.utcoffset() is not None
            assert d.item_id and d.source

    def test_item_ids_are_unique_and_stable(self, make_source):
        a, _ = _drain(make_source(), None, set())
        b, _ = _drain(make_source(), None, set())
        ids = [d.item_id for d in a]
        assert len(ids) == len(set(ids))
        assert ids == [d.item_id for d in b]

    def test_ends_with_a_checkpoint_and_checkpoints_are_monotonic(self, make_source):
        src = make_source()
        objs = list(src.read(None, SourceContext()))
        cps = [o for o in objs if isinstance(o, Checkpoint)]
        assert cps and isinstance(objs[-1], Checkpoint), "a source must end with a checkpoint"
        for prev, cur in zip(cps, cps[1:]):
            for key, value in prev.cursor.items():
                if isinstance(value, (int, float)) and isinstance(cur.cursor.get(key), (int, float)):
                    assert cur.cursor[key] >= value, f"cursor {key} went backwards"

    def test_state_holds_no_personal_data(self, make_source):
        docs, cps = _drain(make_source(), None, set())
        for cp in cps:
            text = json.dumps(cp.cursor)  # must be JSON-able
            assert not _EMAIL.search(text), "a cursor must not contain an email address"
        for d in docs:  # nor any document's id used as state
            for cp in cps:
                assert d.item_id not in json.dumps(cp.cursor) or "@" not in d.item_id

    def test_resume_from_final_checkpoint_yields_nothing_new(self, make_source):
        docs, cps = _drain(make_source(), None, set())
        seen = {d.item_id for d in docs}
        again, _ = _drain(make_source(), cps[-1].cursor, seen)
        assert [d.item_id for d in again if d.item_id not in seen] == []


class ExtractorContract:
    """Fixtures to provide: ``extractor`` (the instance) and ``captures`` (a list of
    :class:`Capture` it should find something in)."""

    @pytest.fixture
    def extractor(self) -> Any:  # pragma: no cover
        raise NotImplementedError("provide an extractor fixture")

    @pytest.fixture
    def captures(self) -> list[Capture]:  # pragma: no cover
        raise NotImplementedError("provide a captures fixture")

    def test_declares_name_version_kinds(self, extractor):
        assert isinstance(extractor.name, str) and extractor.name
        assert isinstance(extractor.version, str) and extractor.version
        assert extractor.kinds and all(k in ("email", "page", "record") for k in extractor.kinds)

    def test_evidence_is_well_formed(self, extractor, captures):
        found = [e for c in captures for e in extractor.extract(c)]
        assert found, "the extractor found nothing in the sample captures"
        for e in found:
            assert isinstance(e, Evidence)
            assert e.field in BUSINESS_FIELDS
            assert 0.0 <= e.confidence <= 1.0
            assert e.observed_at.tzinfo is not None
            assert e.extractor == extractor.name and e.extractor_version == extractor.version
            assert e.subject

    def test_is_deterministic(self, extractor, captures):
        a = [list(extractor.extract(c)) for c in captures]
        b = [list(extractor.extract(c)) for c in captures]
        assert a == b


def sample_contacts() -> list[Contact]:
    return [
        Contact(id=1, name="Jane Doe", title="Head of Operations", company="Northwind Logistics",
                emails=("jane.doe@northwind-logistics.example",),
                phones=(Phone("+442079460958", "work"),), kind="person", role="sender"),
        Contact(id=2, name="Marc Olivier", emails=("marc.olivier@atelier-moreau.example",),
                websites=("https://atelier-moreau.example",), kind="person", role="recipient"),
    ]


def seal_all(contacts: Iterable[Contact]) -> list[SealedContact]:
    """Seal contacts the way the engine does (for sink tests)."""
    sup = Suppressor(b"\0" * 32)
    return [r for r in (publish_contact(c, sup) for c in contacts) if r is not None]


class SinkContract:
    """Fixtures to provide: ``make_sink`` -> a zero-argument callable returning a fresh
    sink, and ``read_output`` -> a zero-argument callable returning what the sink wrote
    (bytes or text, anything comparable)."""

    @pytest.fixture
    def make_sink(self) -> Callable[[], Any]:  # pragma: no cover
        raise NotImplementedError("provide a make_sink fixture")

    @pytest.fixture
    def read_output(self) -> Callable[[], Any]:  # pragma: no cover
        raise NotImplementedError("provide a read_output fixture")

    def test_rejects_unsealed_records(self, make_sink):
        forged = SealedContact(contact=sample_contacts()[0], seal=b"\0" * 32)
        with pytest.raises(PrivacyViolation):
            make_sink().write([forged])
        with pytest.raises(PrivacyViolation):
            make_sink().write([sample_contacts()[0]])  # a bare contact

    def test_rejects_a_tampered_sealed_record(self, make_sink):
        import attrs

        good = seal_all(sample_contacts())[0]
        tampered = SealedContact(contact=attrs.evolve(good.contact, title="Injected"), seal=good.seal)
        with pytest.raises(PrivacyViolation):
            make_sink().write([tampered])

    def test_is_idempotent(self, make_sink, read_output):
        records = seal_all(sample_contacts())
        make_sink().write(records)
        first = read_output()
        make_sink().write(records)
        make_sink().write(records + records)
        assert read_output() == first

    def test_writes_what_it_is_given(self, make_sink, read_output):
        make_sink().write(seal_all(sample_contacts()))
        out = read_output()
        text = out.decode("utf-8", "replace") if isinstance(out, bytes) else str(out)
        assert "jane.doe@northwind-logistics.example" in text
