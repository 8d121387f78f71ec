"""The ``vcard`` source: files written the way real address books write them, the
contract suite, and a round trip through the core's vCard sink."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest

from webleads_api.vcard import logical_lines, read_cards
from webleads_api.vcard_source import VcardSource, card_fields
from webleads_core.components import SinkConfig, SourceConfig, SourceContext
from webleads_core.default_plugins.sinks import VcardSink
from webleads_core.errors import ConfigError
from webleads_core.records import Checkpoint, Contact, Document, Phone
from webleads_core.testing.contracts import SourceContract, seal_all

DATA = Path(__file__).parent / "data"


def fields_of(name: str, **kw) -> list[tuple]:
    with (DATA / name).open("rb") as fh:
        return [card_fields(c, **kw) for c in read_cards(fh)]


def source(path: Path, **opts) -> VcardSource:
    return VcardSource(SourceConfig(name="book", type="vcard", options={"path": str(path), **opts}))


def docs_of(src, cursor=None) -> list[Document]:
    return [o for o in src.read(cursor, SourceContext()) if isinstance(o, Document)]


class TestVcardContract(SourceContract):
    @pytest.fixture
    def make_source(self, tmp_path):
        for f in DATA.glob("*.vcf"):
            shutil.copy(f, tmp_path / f.name)
        return lambda: source(tmp_path)


def test_apple_contacts_groups_labels_and_types():
    (card,) = fields_of("apple.vcf")
    assert ("name", "Johnny Appleseed", None) in card
    assert ("company", "Kitsune Robotics", None) in card  # not the unit "Engineering"
    assert ("title", "Lead Engineer", None) in card
    assert ("email", "johnny.appleseed@kitsune-robotics.example", None) in card
    phones = {(v, s) for f, v, s in card if f == "phone"}
    assert phones == {("+12125550147", "mobile"), ("+442079460321", "fax"), ("+442079460322", "work")}  # "Direct"
    assert ("address", "1 Dock Road, London, E16 1AA, United Kingdom", None) in card
    assert ("website", "https://kitsune-robotics.example", None) in card
    assert ("social", "https://www.linkedin.com/in/jappleseed", "linkedin") in card
    values = " ".join(v for _, v, _ in card)
    # home values, notes and birthdays are not business data
    assert "home-mail" not in values and "Private Lane" not in values and "+442079460999" not in values
    assert "trade fair" not in values and "1984" not in values


def test_home_values_kept_only_when_asked():
    (card,) = fields_of("apple.vcf", include_home=True)
    assert ("email", "johnny@home-mail.example", None) in card
    assert ("phone", "+442079460999", "other") in card


def test_google_export_with_lf_endings_and_escaped_url():
    priya, kwame = fields_of("google.vcf")
    assert ("phone", "+919876543210", "mobile") in priya
    assert ("phone", "+442079460555", "work") in priya
    assert ("website", "https://lamna-healthcare.example", None) in priya
    assert ("phone", "+12125550160", "work") in kwame  # no +: read in the fallback region


def test_vcard_21_quoted_printable_soft_breaks_and_charset():
    (card,) = fields_of("outlook21.vcf")
    assert ("name", "René Dupré", None) in card
    assert ("company", "Société Générale des Transports", None) in card
    assert ("address", "12 rue de la Paix, Bâtiment C, Paris, 75002, France", None) in card
    phones = {(v, s) for f, v, s in card if f == "phone"}
    # 06 ... is read as French: the email's ccTLD tells the region
    assert phones == {("+33142685300", "work"), ("+33612345678", "mobile"), ("+33142685301", "fax")}
    assert ("website", "http://www.sgt-transports.fr", None) in card


def test_rfc_6350_example_and_a_fold_inside_a_utf8_sequence():
    simon, zoe = fields_of("rfc6350.vcf")
    assert ("name", "Simon Perreault", None) in simon
    assert ("company", "Viagenie", None) in simon
    phones = {(v, s) for f, v, s in simon if f == "phone"}
    assert phones == {("+14186569254", "work"), ("+14182626501", "mobile")}  # extension dropped
    assert ("address", "Suite D2-630, 2875 Laurier, Quebec, QC, G1V 2M2, Canada", None) in simon
    assert not any(f == "website" for f, _, _ in simon)  # TYPE=home
    assert ("name", "Zoë Ångström-Øster", None) in zoe
    assert ("company", "Tailspin Travel; Tours", None) in zoe
    assert ("phone", "+46701234567", "mobile") in zoe


def test_item_ids_use_uid_else_a_digest_of_the_email(tmp_path):
    shutil.copy(DATA / "rfc6350.vcf", tmp_path / "a.vcf")
    ids = [d.item_id for d in docs_of(source(tmp_path))]
    assert ids[1] == "uid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6"
    assert ids[0].startswith("a.vcf#e:") and "@" not in ids[0]


def test_utf16_file_with_bom(tmp_path):
    text = (DATA / "google.vcf").read_text("utf-8").replace("\n", "\r\n")
    (tmp_path / "outlook-utf16.vcf").write_bytes(text.encode("utf-16"))
    docs = docs_of(source(tmp_path / "outlook-utf16.vcf"))
    assert [("email", "priya.raman@lamna-healthcare.example", None) in d.fields for d in docs] == [True, False]


def test_nested_agent_card_is_skipped_and_unterminated_card_kept():
    data = (b"BEGIN:VCARD\r\nVERSION:2.1\r\nFN:Boss Person\r\nEMAIL:boss@northwind.example\r\n"
            b"AGENT:\r\nBEGIN:VCARD\r\nVERSION:2.1\r\nFN:Agent Smith\r\nEMAIL:agent@northwind.example\r\n"
            b"END:VCARD\r\nTITLE:CEO\r\nEND:VCARD\r\n"
            b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Cut Off\r\nEMAIL:cut.off@northwind.example\r\n")
    cards = list(read_cards(io.BytesIO(data)))
    assert len(cards) == 2
    first = card_fields(cards[0])
    assert ("title", "CEO", None) in first and not any("agent" in v for _, v, _ in first)
    assert "vcard.unterminated" in cards[1].defects
    assert ("email", "cut.off@northwind.example", None) in card_fields(cards[1])


def test_rerun_reads_only_changed_files(tmp_path):
    for name in ("google.vcf", "rfc6350.vcf"):
        shutil.copy(DATA / name, tmp_path / name)
    src = source(tmp_path)
    objs = list(src.read(None, SourceContext()))
    cursor = [o for o in objs if isinstance(o, Checkpoint)][-1].cursor
    assert "google" not in str(cursor) and "@" not in str(cursor)  # digests only
    assert docs_of(src, cursor) == []
    with (tmp_path / "google.vcf").open("ab") as fh:
        fh.write(b"BEGIN:VCARD\nVERSION:3.0\nFN:New Person\nEMAIL:new.person@contoso-foods.example\nEND:VCARD\n")
    again = docs_of(src, cursor)
    assert {d.item_id.split("#")[0] for d in again} == {"google.vcf"} and len(again) == 3


def test_config_errors():
    with pytest.raises(ConfigError):
        source(DATA / "missing.vcf")
    with pytest.raises(ConfigError):
        source(DATA, region="France")
    with pytest.raises(ConfigError):
        source(DATA, colour="blue")


def test_logical_lines_unfold_space_and_tab():
    out = list(logical_lines(io.BytesIO(b"NOTE:a\r\n b\r\n\tc\r\nFN:x\r\n"), []))
    assert out == [b"NOTE:abc", b"FN:x"]


def _rich_contacts() -> list[Contact]:
    return [
        Contact(id=1, name="Jane Doe", title="Head of Operations, EMEA", company="Northwind; Logistics",
                emails=("jane.doe@northwind-logistics.example", "j.doe@northwind-logistics.example"),
                phones=(Phone("+442079460958", "work"), Phone("+447700900123", "mobile"),
                        Phone("+442079460959", "fax"), Phone("+12125550199", "other")),
                address="1 Dock Road, London E16 1AA, United Kingdom",
                websites=("https://northwind-logistics.example",),
                social=(("linkedin", "https://www.linkedin.com/in/janedoe"),)),
        Contact(id=2, name="Zoë Ångström-Øster with a name long enough to be folded by the sink",
                company="Tailspin Travel", emails=("zoe.angstrom@tailspin-travel.example",)),
    ]


@pytest.mark.parametrize("folder", [False, True])
def test_round_trip_with_the_core_vcard_sink(tmp_path, webleads_register, webleads_run, folder):
    from webleads_api import plugin

    contacts = _rich_contacts()
    opts = {"folder": "cards"} if folder else {"path": "book.vcf"}
    VcardSink(SinkConfig(type="vcard", options=opts, base_dir=tmp_path)).write(seal_all(contacts))
    webleads_register(plugin)
    outcome = webleads_run({"sources": [{"type": "vcard", "name": "book",
                                         "path": str(tmp_path / ("cards" if folder else "book.vcf"))}]})
    assert outcome.result.processed == 2 and outcome.result.skipped == 0
    got = sorted(outcome.contacts, key=lambda c: c.name or "")
    for want, have in zip(contacts, got):
        assert have.name == want.name
        assert have.title == want.title and have.company == want.company
        assert set(have.emails) == set(want.emails)
        assert {(p.number, p.type) for p in have.phones} == {(p.number, p.type) for p in want.phones}
        assert have.address == want.address
        assert set(have.websites) == set(want.websites) and set(have.social) == set(want.social)
