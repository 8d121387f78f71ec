"""A stateful Hypothesis test: ingest, opt-out, erase, re-ingest, export, restrict and
rectify in random orders, on a plain or an encrypted store, checking after every step
that what was opted out or erased never comes back, that restricted people are never
published, that everyone else is, and that the audit log stays intact."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from webleads_core import Config, Document, build_pipeline, create_plugin_manager
from webleads_core.engine.run import make_policy, process_document, sealed_contacts
from webleads_core.privacy.access import access_report
from webleads_core.privacy.crypto import generate_keyring
from webleads_core.privacy.operations import optout
from webleads_core.privacy.requests import erase, rectify, restrict
from webleads_core.privacy.suppress import identifier_forms
from webleads_core.store import SQLiteStore
from webleads_core.testing.helpers import eml

OWNER = "me@webleads-demo.example"
PEOPLE = {
    "jane": ("Jane Doe", "jane.doe@northwind-logistics.example", "Head of Operations", "+44 7911 123456"),
    "marc": ("Marc Olivier", "marc.olivier@atelier-moreau.example", "Directeur commercial", "+33 6 12 34 56 78"),
    "priya": ("Priya Raman", "priya@heliocloud.example", "Director of Partnerships", "+1 917 604 3387"),
}
PIPELINE = build_pipeline(Config(), pm=create_plugin_manager(autoload=False))


def canon(email: str) -> str:
    """The mailbox an address designates (case and plus tag folded)."""
    return identifier_forms(email)[0][len("email:"):]


def variant(email: str, how: int) -> str:
    local, _, domain = email.partition("@")
    return [email, email.upper(), f"{local}+promo@{domain}", f"{local.title()}+X@{domain.upper()}"][how]


class PrivacyMachine(RuleBasedStateMachine):
    @initialize(encrypted=st.booleans())
    def open(self, encrypted):
        self.tmp = Path(tempfile.mkdtemp(prefix="wl-stateful-"))
        self.store = SQLiteStore(f"sqlite:///{self.tmp / 's.db'}", keyring=generate_keyring() if encrypted else None)
        self.blocked: set[str] = set()
        self.ingested: set[str] = set()
        self.restricted: set[str] = set()
        self.pinned: dict[str, str] = {}
        self.n = 0

    def teardown(self):
        if hasattr(self, "store"):
            self.store.close()
            shutil.rmtree(self.tmp, ignore_errors=True)

    @rule(who=st.sampled_from(sorted(PEOPLE)), how=st.integers(0, 3))
    def ingest(self, who, how):
        name, email, title, phone = PEOPLE[who]
        self.n += 1
        raw = eml(f"{name} <{variant(email, how)}>", OWNER,
                  f"Hello\n\nThanks.\n\nBest regards,\n{name}\n{title}\nMobile: {phone}\n", msgid=f"<m{self.n}@t.example>")
        doc = Document.from_email("mail", f"m{self.n}", raw, owner=OWNER)
        self.store.commit_batch(process_document(PIPELINE, doc, make_policy(PIPELINE, self.store)),
                                seen=[("mail", doc.item_id)])
        if who not in self.blocked:
            self.ingested.add(who)

    @rule(who=st.sampled_from(sorted(PEOPLE)), how=st.integers(0, 3))
    def opt_out(self, who, how):
        optout(self.store, variant(PEOPLE[who][1], how))
        self.blocked.add(who)
        self.ingested.discard(who)
        self.restricted.discard(who)

    @rule(who=st.sampled_from(sorted(PEOPLE)), how=st.integers(0, 3))
    def erase_person(self, who, how):
        erase(self.store, variant(PEOPLE[who][1], how))
        self.blocked.add(who)
        self.ingested.discard(who)
        self.restricted.discard(who)

    @rule(who=st.sampled_from(sorted(PEOPLE)))
    def restrict_person(self, who):
        out = restrict(self.store, PEOPLE[who][1])
        if who in self.ingested:
            assert out.held == 1
            self.restricted.add(who)

    @precondition(lambda self: self.restricted)
    @rule(data=st.data())
    def lift(self, data):
        who = data.draw(st.sampled_from(sorted(self.restricted)))
        restrict(self.store, PEOPLE[who][1], lift=True)
        self.restricted.discard(who)

    @precondition(lambda self: self.ingested)
    @rule(data=st.data())
    def correct_title(self, data):
        who = data.draw(st.sampled_from(sorted(self.ingested)))
        rectify(self.store, PEOPLE[who][1], "title", "Managing Director")
        self.pinned[who] = "Managing Director"

    @rule(who=st.sampled_from(sorted(PEOPLE)), how=st.integers(0, 3))
    def export(self, who, how):
        report = access_report(self.store, variant(PEOPLE[who][1], how))
        assert report["held"] is (who in self.ingested)
        if who in self.blocked:
            assert report["opted_out"] and report["contacts"] == []

    @invariant()
    def blocked_people_never_come_back(self):
        if not hasattr(self, "store"):
            return
        held = {canon(e) for c in self.store.contacts(include_hidden=True) for e in c.emails}
        published = {canon(e): c for c in (r.contact for r in sealed_contacts(self.store, make_policy(PIPELINE,
                                                                                                    self.store)))
                     for e in c.emails}
        for who, (_, email, _, _) in PEOPLE.items():
            if who in self.blocked:
                assert email not in held and not self.store.match(email)
            if who in self.ingested and who not in self.restricted:
                assert email in published
                if who in self.pinned:
                    assert published[email].title == self.pinned[who]
            if who in self.restricted:
                assert email not in published and email in held
        assert self.store.verify_audit()


PrivacyMachine.TestCase.settings = settings(max_examples=40, stateful_step_count=10, deadline=None,
                                            suppress_health_check=[HealthCheck.too_slow])
test_privacy_state_machine = PrivacyMachine.TestCase
