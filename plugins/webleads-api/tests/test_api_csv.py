"""The ``csv`` source: CRM and address-book exports as they come (header sniffing,
delimiters, byte order marks, mixed encodings), the contract suite, and a round trip
through the core's CSV sink."""

from __future__ import annotations

from pathlib import Path

import pytest

from webleads_api.csv_sniff import sniff_delimiter, sniff_mapping
from webleads_api.csv_source import CsvSource
from webleads_core.components import SinkConfig, SourceConfig, SourceContext
from webleads_core.default_plugins.sinks import CsvSink
from webleads_core.errors import ConfigError
from webleads_core.records import Checkpoint, Contact, Document, Phone
from webleads_core.testing.contracts import SourceContract, seal_all

OUTLOOK = (
    "First Name,Middle Name,Last Name,Title,Suffix,Company,Department,Job Title,Business Street,"
    "Business City,Business State,Business Postal Code,Business Country/Region,Business Fax,"
    "Business Phone,Home Phone,Mobile Phone,E-mail Address,E-mail 2 Address,Web Page,Birthday,Notes\r\n"
    "Jane,,Doe,Ms.,,Northwind Logistics,Operations,Head of Operations,1 Dock Road,London,,E16 1AA,"
    "United Kingdom,+44 20 7946 0959,+44 20 7946 0958,+44 20 7946 0000,+44 7700 900123,"
    "jane.doe@northwind-logistics.example,,https://northwind-logistics.example,1/2/1980,"
    "\"Met in Leeds,\nlikes sailing\"\r\n"
)
GOOGLE_NEW = (
    "First Name,Middle Name,Last Name,Organization Name,Organization Title,E-mail 1 - Label,"
    "E-mail 1 - Value,E-mail 2 - Label,E-mail 2 - Value,Phone 1 - Label,Phone 1 - Value,"
    "Phone 2 - Label,Phone 2 - Value,Website 1 - Label,Website 1 - Value\n"
    "Marc,,Olivier,Atelier Moreau,Gérant,* Work,marc.olivier@atelier-moreau.fr,Home,marc@perso.example,"
    "Mobile,06 12 34 56 78 ::: 06 12 34 56 79,Work Fax,01 42 68 53 01,Profile,"
    "https://www.linkedin.com/in/marc-olivier\n"
)
SALESFORCE = (
    "\"First Name\",\"Last Name\",\"Title\",\"Account Name\",\"Mailing Street\",\"Mailing City\","
    "\"Mailing Zip/Postal Code\",\"Mailing Country\",\"Phone\",\"Mobile\",\"Fax\",\"Email\"\n"
    "\"Aiko\",\"Tanaka\",\"CTO\",\"Kitsune Robotics\",\"2-1-1 Nihonbashi\",\"Tokyo\",\"103-0027\",\"Japan\","
    "\"+81 3-1234-5678\",\"+81 90-1234-5678\",\"\",\"aiko.tanaka@kitsune-robotics.example\"\n"
)
HUBSPOT = (
    "Record ID,First Name,Last Name,Email,Phone Number,Mobile Phone Number,Company Name,Job Title,"
    "Website URL,Create Date,Lifecycle Stage\n"
    "5101,Priya,Raman,priya.raman@lamna-healthcare.example,+44 20 7946 0555,,Lamna Healthcare,"
    "Head of Partnerships,lamna-healthcare.example,2025-01-02 10:00,lead\n"
)
LINKEDIN = (
    "Notes:\n\"When exporting your connection data, you may notice that some of the email addresses are "
    "missing.\"\n\nFirst Name,Last Name,URL,Email Address,Company,Position,Connected On\n"
    "Lukas,Becker,https://www.linkedin.com/in/lukas-becker-fabrikam,,Fabrikam Tools,Sales Director,"
    "04 Mar 2025\n"
)


def write(tmp_path: Path, name: str, text: str | bytes, encoding: str = "utf-8") -> Path:
    p = tmp_path / name
    p.write_bytes(text if isinstance(text, bytes) else text.encode(encoding))
    return p


def source(path: Path, **opts) -> CsvSource:
    return CsvSource(SourceConfig(name="crm", type="csv", options={"path": str(path), **opts}))


def docs_of(src, cursor=None) -> list[Document]:
    return [o for o in src.read(cursor, SourceContext()) if isinstance(o, Document)]


def fields(path: Path, **opts) -> list[set]:
    return [set(d.fields) for d in docs_of(source(path, **opts))]


class TestCsvContract(SourceContract):
    @pytest.fixture
    def make_source(self, tmp_path):
        write(tmp_path, "outlook.csv", OUTLOOK)
        write(tmp_path, "google.csv", GOOGLE_NEW)
        write(tmp_path, "salesforce.csv", SALESFORCE)
        return lambda: source(tmp_path)


def test_outlook_export(tmp_path):
    (jane,) = fields(write(tmp_path, "contacts.csv", "\ufeff" + OUTLOOK))
    assert jane == {
        ("name", "Jane Doe", None), ("title", "Head of Operations", None),  # not the honorific "Ms."
        ("company", "Northwind Logistics", None), ("email", "jane.doe@northwind-logistics.example", None),
        ("phone", "+442079460958", "work"), ("phone", "+447700900123", "mobile"),
        ("phone", "+442079460959", "fax"), ("website", "https://northwind-logistics.example", None),
        ("address", "1 Dock Road, London, E16 1AA, United Kingdom", None),
    }  # no home phone, birthday or notes


def test_google_export_typed_pairs_and_multi_values(tmp_path):
    (marc,) = fields(write(tmp_path, "google.csv", GOOGLE_NEW))
    assert ("email", "marc.olivier@atelier-moreau.fr", None) in marc
    assert not any("perso.example" in v for _, v, _ in marc)  # labelled Home
    assert {("phone", "+33612345678", "mobile"), ("phone", "+33612345679", "mobile"),
            ("phone", "+33142685301", "fax")} <= marc
    assert ("social", "https://www.linkedin.com/in/marc-olivier", "linkedin") in marc
    assert ("title", "Gérant", None) in marc and ("company", "Atelier Moreau", None) in marc


def test_salesforce_export(tmp_path):
    (aiko,) = fields(write(tmp_path, "sf.csv", SALESFORCE))
    assert ("company", "Kitsune Robotics", None) in aiko and ("title", "CTO", None) in aiko
    assert ("phone", "+81312345678", "work") in aiko and ("phone", "+819012345678", "mobile") in aiko
    assert ("address", "2-1-1 Nihonbashi, Tokyo, 103-0027, Japan", None) in aiko


def test_hubspot_export_and_id_column(tmp_path):
    path = write(tmp_path, "hs.csv", HUBSPOT)
    (doc,) = docs_of(source(path, id="Record ID"))
    assert doc.item_id == "hs.csv#id:5101"
    assert ("website", "https://lamna-healthcare.example", None) in doc.fields


def test_linkedin_export_with_notes_before_the_header(tmp_path):
    (lukas,) = fields(write(tmp_path, "Connections.csv", LINKEDIN))
    assert lukas == {("name", "Lukas Becker", None), ("company", "Fabrikam Tools", None),
                     ("title", "Sales Director", None),
                     ("social", "https://www.linkedin.com/in/lukas-becker-fabrikam", "linkedin")}


def test_semicolon_cp1252_european_excel(tmp_path):
    text = ("Vorname;Nachname;Firma;Position;E-Mail;Telefon\r\n".replace("Vorname", "First Name")
            .replace("Nachname", "Last Name").replace("Firma", "Company").replace("Telefon", "Phone")
            .replace("E-Mail", "Email")
            + "Jürgen;Müller;Müller & Söhne GmbH;Geschäftsführer;j.mueller@mueller-soehne.de;030 901820\r\n")
    (row,) = fields(write(tmp_path, "export.csv", text, "cp1252"))
    assert ("name", "Jürgen Müller", None) in row and ("title", "Geschäftsführer", None) in row
    assert ("phone", "+4930901820", "work") in row  # region from the .de address


def test_tab_separated_utf16_with_bom(tmp_path):
    text = "Name\tEmail\tMobile\r\nChen Wei\tchen.wei@woodgrove.example\t+1 212 555 0133\r\n"
    (row,) = fields(write(tmp_path, "export.tsv", text, "utf-16"))
    assert row == {("name", "Chen Wei", None), ("email", "chen.wei@woodgrove.example", None),
                   ("phone", "+12125550133", "mobile")}


def test_explicit_mapping_with_column_names(tmp_path):
    text = "Contact,Mail.Work,Tel. Direct,Employer\nOlga Petrova,olga@contoso-foods.example,+44 20 7946 0777,Contoso\n"
    path = write(tmp_path, "custom.csv", text)
    (row,) = fields(path, mapping={"name": "Contact", "email": "Mail.Work",
                                   "phone": {"path": "Tel. Direct", "type": "work"},
                                   "company": {"const": "Contoso Foods"}})
    assert row == {("name", "Olga Petrova", None), ("email", "olga@contoso-foods.example", None),
                   ("phone", "+442079460777", "work"), ("company", "Contoso Foods", None)}


def test_delimiter_sniffing():
    assert sniff_delimiter("a;b;c") == ";"
    assert sniff_delimiter('"x,y";b;c') == ";"
    assert sniff_delimiter("a\tb\tc") == "\t"
    assert sniff_delimiter("a|b") == "|"
    assert sniff_delimiter("single") == ","


def test_sniffed_mapping_ignores_personal_columns():
    rules = sniff_mapping(["Name", "Home Phone", "Birthday", "Notes", "Personal Email", "Email"])
    assert {r.label for r in rules} == {"name = Name", "email = Email"}


def test_round_trip_with_the_core_csv_sink(tmp_path):
    contacts = [Contact(id=1, name="Jane Doe", title="Head of Operations", company="Northwind Logistics",
                        emails=("jane.doe@northwind-logistics.example", "j.doe@northwind-logistics.example"),
                        phones=(Phone("+442079460958", "work"), Phone("+447700900123", "mobile"),
                                Phone("+442079460959", "fax")),
                        address="1 Dock Road, London E16 1AA", websites=("https://northwind-logistics.example",),
                        social=(("linkedin", "https://www.linkedin.com/in/janedoe"),))]
    CsvSink(SinkConfig(type="csv", options={"path": "out.csv"}, base_dir=tmp_path)).write(seal_all(contacts))
    (row,) = fields(tmp_path / "out.csv")
    c = contacts[0]
    assert row == {("name", c.name, None), ("title", c.title, None), ("company", c.company, None),
                   ("email", c.emails[0], None), ("email", c.emails[1], None),
                   ("phone", "+442079460958", "work"), ("phone", "+447700900123", "mobile"),
                   ("phone", "+442079460959", "fax"), ("address", c.address, None),
                   ("website", c.websites[0], None), ("social", c.social[0][1], "linkedin")}


def test_rerun_skips_an_unchanged_file(tmp_path):
    write(tmp_path, "a.csv", OUTLOOK)
    src = source(tmp_path)
    objs = list(src.read(None, SourceContext()))
    cursor = [o for o in objs if isinstance(o, Checkpoint)][-1].cursor
    assert docs_of(src, cursor) == []
    write(tmp_path, "a.csv", OUTLOOK + "Kwame,,Mensah,,,Contoso Foods,,Buyer,,,,,,,,,,kwame@contoso-foods.example,,,,\r\n")
    again = docs_of(src, cursor)
    assert len(again) == 2 and again[0].item_id == [d for d in objs if isinstance(d, Document)][0].item_id


def test_config_errors(tmp_path):
    p = write(tmp_path, "a.csv", OUTLOOK)
    for bad in ({"delimiter": "::"}, {"encoding": "klingon"}, {"mapping": {"colour": "x"}},
                {"mapping": {"email": ""}}, {"region": 44}, {"sheet": 1}):
        with pytest.raises(ConfigError):
            source(p, **bad)
