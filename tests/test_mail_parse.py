"""parse_message, html_to_text and the date helpers on ordinary mail."""

from __future__ import annotations

import base64
import datetime as dt
import quopri
import time

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from webleads_core.errors import ItemRejected
from webleads_core.mail import MailLimits, html_to_text, parse_message
from webleads_core.mail.parse import parse_content_type, split_headers
from webleads_core.text.dates import parse_date_text, parse_header_date

FROM = "From: Jane Doe <jane.doe@Example.ORG>"
DATE = "Date: Tue, 06 Jan 2004 09:15:00 -0500"


def build(*header_lines: str, body: str | bytes = "Hello\n", crlf: bool = True) -> bytes:
    nl = "\r\n" if crlf else "\n"
    head = nl.join(header_lines).encode("utf-8") + (nl + nl).encode()
    if isinstance(body, str):
        body = body.replace("\n", nl).encode("utf-8")
    return head + body


def lines(text: str) -> list[str]:
    return [line for line in text.split("\n") if line.strip()]


# ---------------------------------------------------------------- headers and contacts


def test_contacts_roles_headers_and_kinds():
    raw = build(
        FROM,
        "Reply-To: Sales Team <sales@acme.example>",
        "Sender: list-bounces@lists.example",
        "To: Bob <bob@example.com>, info@acme.example",
        "Cc: \"Smith, Carol\" <carol@example.net>",
        "Bcc: secret@example.com",
        DATE,
        "Subject: hi",
    )
    pm = parse_message(raw)
    got = [(c.header, c.email, c.name, c.role, c.kind, c.message) for c in pm.contacts]
    assert got == [
        ("from", "jane.doe@example.org", "Jane Doe", "sender", "person", 0),
        ("reply-to", "sales@acme.example", "Sales Team", "sender", "role", 0),
        ("sender", "list-bounces@lists.example", None, "sender", "person", 0),
        ("to", "bob@example.com", "Bob", "recipient", "person", 0),
        ("to", "info@acme.example", None, "recipient", "role", 0),
        ("cc", "carol@example.net", "Carol Smith", "recipient", "person", 0),
    ]
    assert pm.sender is not None and pm.sender.email == "jane.doe@example.org"
    assert pm.defects == ()


def test_local_part_case_kept_domain_lowered_and_duplicates_dropped():
    pm = parse_message(build("From: a@b.example", "To: John.Smith@EXAMPLE.com, john.smith@example.COM", DATE))
    to = [c.email for c in pm.contacts if c.header == "to"]
    assert to == ["John.Smith@example.com"]


def test_rfc2047_display_names():
    name_b = base64.b64encode("Zoë Ørsted".encode("utf-8")).decode()
    # a multi-byte character split across two adjacent encoded words
    euro = "€".encode("utf-8")
    w1 = base64.b64encode(b"Price " + euro[:1]).decode()
    w2 = base64.b64encode(euro[1:] + b" Team").decode()
    raw = build(
        f"From: =?utf-8?b?{name_b}?= <zoe@example.dk>",
        "To: =?iso-8859-1?q?J=F6rg_M=FCller?= <joerg@example.de>, "
        f"=?utf-8?b?{w1}?= =?utf-8?b?{w2}?= <price@example.com>",
        DATE,
    )
    pm = parse_message(raw)
    names = {c.email: c.name for c in pm.contacts}
    assert names["zoe@example.dk"] == "Zoë Ørsted"
    assert names["joerg@example.de"] == "Jörg Müller"
    assert names["price@example.com"] == "Price € Team"
    assert pm.defects == ()


def test_subject_encoded_words_and_folding():
    raw = build(FROM, DATE, "Subject: =?utf-8?q?Caf=C3=A9?=\r\n =?utf-8?q?_au_lait?= and more\r\n\tfolded")
    pm = parse_message(raw)
    assert pm.subject == "Café au lait and more folded"


def test_message_id_forms():
    assert parse_message(build(FROM, DATE, "Message-ID: <abc.123@mx.example.org>")).message_id == "abc.123@mx.example.org"
    assert parse_message(build(FROM, DATE, "Message-Id:   bare-id@host  ")).message_id == "bare-id@host"
    pm = parse_message(build(FROM, DATE, "Message-ID: <>"))
    assert pm.message_id is None and "header.message_id_invalid" in pm.defects
    assert parse_message(build(FROM, DATE)).message_id is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Tue, 06 Jan 2004 09:15:00 -0500", dt.datetime(2004, 1, 6, 14, 15, tzinfo=dt.timezone.utc)),
        ("6 Jan 2004 09:15 +0000", dt.datetime(2004, 1, 6, 9, 15, tzinfo=dt.timezone.utc)),
        ("Tue, 06 Jan 04 09:15:00 -0000", dt.datetime(2004, 1, 6, 9, 15, tzinfo=dt.timezone.utc)),
        ("Tue, 06 Jan 2004 09:15:00 GMT", dt.datetime(2004, 1, 6, 9, 15, tzinfo=dt.timezone.utc)),
        ("Tue, 06 Jan 2004 09:15:00 +1400", dt.datetime(2004, 1, 5, 19, 15, tzinfo=dt.timezone.utc)),
    ],
)
def test_date_header_parsed_aware(value, expected):
    pm = parse_message(build(FROM, f"Date: {value}"))
    assert pm.sent_at == expected
    assert pm.sent_at.tzinfo is not None
    assert "header.date_invalid" not in pm.defects


def test_date_missing_and_invalid_are_defects():
    assert "header.date_missing" in parse_message(build(FROM)).defects
    pm = parse_message(build(FROM, "Date: next tuesday-ish"))
    assert pm.sent_at is None and "header.date_invalid" in pm.defects


def test_from_missing_is_a_defect_not_a_rejection():
    pm = parse_message(build("To: bob@example.com", DATE, "Subject: x"))
    assert pm.sender is None
    assert "header.from_missing" in pm.defects
    assert [c.email for c in pm.contacts] == ["bob@example.com"]


@pytest.mark.parametrize(
    "headers",
    [
        ("List-Id: <dev.lists.example>",),
        ("List-Unsubscribe: <mailto:u@lists.example>",),
        ("Precedence: bulk",),
        ("Auto-Submitted: auto-replied",),
        ("X-Autoreply: yes",),
        ("Return-Path: <>",),
    ],
)
def test_automated_headers(headers):
    assert parse_message(build(FROM, DATE, *headers)).automated is True


def test_automated_sender_local_parts_and_normal_mail():
    assert parse_message(build("From: Shop <no-reply@shop.example>", DATE)).automated is True
    assert parse_message(build("From: MAILER-DAEMON@mx.example", DATE)).automated is True
    assert parse_message(build(FROM, DATE, "Auto-Submitted: no", "Return-Path: <jane@example.org>")).automated is False


def test_mbox_from_line_and_lf_line_endings():
    raw = b"From jane@example.org Tue Jan  6 09:15:00 2004\n" + build(FROM, DATE, body="Hi there\n", crlf=False)
    pm = parse_message(raw)
    assert pm.sender.email == "jane.doe@example.org"
    assert pm.text.strip() == "Hi there"


def test_missing_separator_line_is_survivable():
    raw = b"From: a@b.example\r\nSubject: x\r\nthis line is the body\r\nmore body\r\n"
    pm = parse_message(raw)
    assert "header.malformed" in pm.defects
    assert lines(pm.text) == ["this line is the body", "more body"]


# --------------------------------------------------------------------------- rejections


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"", "mail.empty"),
        (b"\r\n\r\n  \r\n", "mail.empty"),
        (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "mail.not_email"),
        (b'{"id": 1, "payload": "x"}', "mail.not_email"),
        (b"X-Custom: 1\r\nX-Other: 2\r\n\r\nbody", "mail.not_email"),
    ],
)
def test_unrecoverable_items_are_rejected_with_reason(raw, reason):
    with pytest.raises(ItemRejected) as exc:
        parse_message(raw)
    assert exc.value.reason == reason
    assert exc.value.stage == "parse"
    assert raw[:8].decode("latin-1") not in str(exc.value) or not raw.strip()


def test_non_bytes_input_is_a_type_error():
    with pytest.raises(TypeError):
        parse_message("From: a@b.example\r\n\r\nhi")  # type: ignore[arg-type]


# ----------------------------------------------------------------------- body and MIME


def test_multipart_alternative_prefers_plain():
    body = (
        "--alt\n"
        "Content-Type: text/html; charset=utf-8\n\n"
        "<p>HTML-VERSION</p>\n"
        "--alt\n"
        "Content-Type: text/plain; charset=utf-8\n\n"
        "PLAIN-VERSION\n"
        "--alt--\n"
    )
    pm = parse_message(build(FROM, DATE, "MIME-Version: 1.0", 'Content-Type: multipart/alternative; boundary="alt"', body=body))
    assert "PLAIN-VERSION" in pm.text
    assert "HTML-VERSION" not in pm.text


def test_empty_plain_alternative_falls_back_to_html():
    body = (
        "--alt\nContent-Type: text/plain\n\n\n"
        "--alt\nContent-Type: text/html\n\n<div>Only in HTML</div>\n"
        "--alt--\n"
    )
    pm = parse_message(build(FROM, DATE, 'Content-Type: multipart/alternative; boundary="alt"', body=body))
    assert pm.text == "Only in HTML"


def test_html_only_keeps_line_breaks():
    html = (
        "<html><head><title>TITLE</title><style>p{color:red}</style></head><body>"
        "<p>Thanks,</p><p>Jane Doe<br>Head of Sales<br/>Acme&nbsp;Corp</p>"
        "<table><tr><td>Tel:</td><td>+1 212 555 0199</td></tr></table>"
        "<script>alert('x')</script></body></html>"
    )
    pm = parse_message(build(FROM, DATE, "Content-Type: text/html; charset=utf-8", body=html))
    assert lines(pm.text) == ["Thanks,", "Jane Doe", "Head of Sales", "Acme Corp", "Tel: +1 212 555 0199"]
    assert "TITLE" not in pm.text and "alert" not in pm.text and "color" not in pm.text


def test_quoted_printable_body_utf8():
    payload = quopri.encodestring("Grüße aus Köln\n-- \nJörg Müller, Geschäftsführer\n".encode("utf-8"))
    pm = parse_message(
        build(FROM, DATE, "Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: quoted-printable", body=payload)
    )
    # the signature delimiter keeps its trailing space
    assert lines(pm.text) == ["Grüße aus Köln", "-- ", "Jörg Müller, Geschäftsführer"]


def test_quoted_printable_soft_breaks_joined():
    payload = b"A very long line that was wra=\r\npped by the mailer\r\n"
    pm = parse_message(build(FROM, DATE, "Content-Transfer-Encoding: quoted-printable", body=payload))
    assert pm.text.strip() == "A very long line that was wrapped by the mailer"


def test_base64_body():
    payload = base64.encodebytes("Best regards,\nAnna Kowalska\nŁódź\n".encode("utf-8"))
    pm = parse_message(
        build(FROM, DATE, 'Content-Type: text/plain; charset="UTF-8"', "Content-Transfer-Encoding: BASE64", body=payload)
    )
    assert lines(pm.text) == ["Best regards,", "Anna Kowalska", "Łódź"]


def test_invalid_base64_body_degrades_with_defect():
    pm = parse_message(build(FROM, DATE, "Content-Transfer-Encoding: base64", body=b"SGVsbG8gV29ybGQ*\r\nx"))
    assert "mime.base64_invalid" in pm.defects
    assert pm.text.startswith("Hello World")


def test_iso_8859_1_body():
    pm = parse_message(build(FROM, DATE, "Content-Type: text/plain; charset=iso-8859-1", body=b"Gr\xfc\xdfe, J\xf6rg\r\n"))
    assert pm.text.strip() == "Grüße, Jörg"
    assert not [d for d in pm.defects if d.startswith("charset.")]


def test_undeclared_8bit_body_falls_back_to_windows_1252():
    pm = parse_message(build(FROM, DATE, body=b"Caf\xe9 \x93quoted\x94\r\n"))
    assert pm.text.strip() == "Café \u201cquoted\u201d"
    assert "charset.undeclared_8bit" in pm.defects


def test_attachment_text_part_is_not_the_body():
    body = (
        "--m\nContent-Type: text/plain; name=notes.txt\nContent-Disposition: attachment; filename=notes.txt\n\n"
        "ATTACHED-NOTES\n"
        "--m\nContent-Type: text/plain\n\nREAL-BODY\n"
        "--m\nContent-Type: image/png\nContent-Transfer-Encoding: base64\n\niVBORw0KGgo=\n"
        "--m--\n"
    )
    pm = parse_message(build(FROM, DATE, 'Content-Type: multipart/mixed; boundary="m"', body=body))
    assert "REAL-BODY" in pm.text and "ATTACHED-NOTES" not in pm.text


def test_nested_multipart_with_prefix_sharing_boundaries():
    body = (
        "--outer\nContent-Type: multipart/alternative; boundary=\"outer-inner\"\n\n"
        "--outer-inner\nContent-Type: text/plain\n\nINNER-PLAIN\n"
        "--outer-inner\nContent-Type: text/html\n\n<p>INNER-HTML</p>\n"
        "--outer-inner--\n"
        "--outer\nContent-Type: application/pdf\n\n%PDF\n"
        "--outer--\n"
    )
    pm = parse_message(build(FROM, DATE, 'Content-Type: multipart/mixed; boundary="outer"', body=body))
    assert pm.text.strip() == "INNER-PLAIN"
    assert pm.defects == ()


def test_long_text_keeps_head_and_tail_and_says_so():
    limits = MailLimits(max_text_bytes=2000, text_head_bytes=500)
    own = "Thanks, see below.\n-- \nJane Doe | Acme\n"
    middle = "".join(f"> quoted line {i}\n" for i in range(2000))
    tail = "-- \nBob Original | Initech | +1 212 555 0100\n"
    pm = parse_message(build(FROM, DATE, body=own + middle + tail), limits)
    assert pm.text.startswith("Thanks, see below.")
    assert "Jane Doe | Acme" in pm.text
    assert pm.text.rstrip().endswith("Bob Original | Initech | +1 212 555 0100")
    assert "quoted line 1000\n" not in pm.text
    assert len(pm.text) <= 2000 + 500 + 2
    assert "text.truncated" in pm.defects


def test_text_has_no_nul_or_cr():
    pm = parse_message(build(FROM, DATE, body=b"a\x00b\r\nc\rd\r\n"))
    assert "\x00" not in pm.text and "\r" not in pm.text
    assert lines(pm.text) == ["ab", "c", "d"]


def test_parsed_message_is_frozen_and_keeps_text_out_of_repr():
    pm = parse_message(build(FROM, DATE, "Subject: secret subject", body="private body text\n"))
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        pm.text = "x"  # type: ignore[misc]
    assert "private body text" not in repr(pm)
    assert "jane.doe" not in repr(pm)


# ------------------------------------------------------------------------ helpers


def test_split_headers_unfolds_and_stops_at_non_header():
    fields, offset, stopped = split_headers(b"Subject: a\r\n b\r\n\tc\r\nX-Y : z\r\nnot a header\r\nTo: q")
    assert fields == [("subject", b"a b\tc"), ("x-y", b"z")]
    assert stopped is True
    assert offset == len(b"Subject: a\r\n b\r\n\tc\r\nX-Y : z\r\n")


def test_parse_content_type():
    assert parse_content_type('Text/HTML; Charset="iso-8859-1"; boundary="a;b"; x=1') == (
        "text/html",
        {"charset": "iso-8859-1", "boundary": "a;b", "x": "1"},
    )
    assert parse_content_type("garbage") == ("garbage", {})


# ------------------------------------------------------------------------ html_to_text


def test_html_blocks_lists_and_blank_lines():
    html = "<div>a<div>b</div>c</div><ul><li>one</li><li>two</li></ul><p>x</p><p>&nbsp;</p><p>y</p>"
    assert html_to_text(html) == "a\nb\nc\none\ntwo\nx\n\ny"


def test_html_whitespace_collapsed_inside_lines_and_pre_kept():
    assert html_to_text("<p>  many \n\t spaces   here </p>") == "many spaces here"
    assert html_to_text("<pre>line 1\nline 2</pre>") == "line 1\nline 2"


def test_html_bytes_with_meta_charset_and_bom():
    assert html_to_text(b'<meta charset="iso-8859-1"><p>J\xf6rg</p>') == "Jörg"
    assert html_to_text(b"\xef\xbb\xbf<p>Zo\xc3\xab</p>") == "Zoë"
    assert html_to_text("<p>Zoë</p>".encode("utf-16")) == "Zoë"


def test_html_external_entities_are_not_resolved():
    html = '<!DOCTYPE html [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><p>A&xxe;B</p>'
    text = html_to_text(html)
    assert "root:" not in text
    assert "A" in text and "B" in text


def test_html_cap_keeps_head_and_tail():
    html = "<p>HEAD-MARK</p>" + "<p>filler</p>" * 20000 + "<p>TAIL-MARK</p>"
    text = html_to_text(html, max_bytes=10_000)
    assert text.startswith("HEAD-MARK") and text.endswith("TAIL-MARK")
    assert text.count("filler") < 1000


def test_html_empty_and_garbage():
    assert html_to_text("") == ""
    assert html_to_text(b"   ") == ""
    assert html_to_text("<<<>>>") in ("", "<<<>>>", "<<>>>")


# -------------------------------------------------------------------------------- dates


def test_parse_header_date_bounds():
    assert parse_header_date("Thu, 01 Jan 1970 00:00:00 +0000") == dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
    defects: list[str] = []
    assert parse_header_date("Fri, 01 Jan 2101 00:00:00 +0000", defects) is None
    assert defects == ["header.date_invalid"]
    assert parse_header_date("Mon, 5 Jan 2004 10:00:00 +1401") is None
    assert parse_header_date("Mon, 5 Jan 2004 10:00:00 -1400") is not None
    assert parse_header_date(None) is None


def test_parse_date_text():
    assert parse_date_text("12 March 2004") == dt.datetime(2004, 3, 12, tzinfo=dt.timezone.utc)
    assert parse_date_text("5. März 2004").date() == dt.date(2004, 3, 5)
    assert parse_date_text("not a date at all") is None
    assert parse_date_text("12 March 2004 " + "x" * 60) is None  # over 64 characters
    assert parse_date_text("") is None
    assert parse_date_text("1 January 1900") is None  # outside 1970..2100
    assert parse_date_text("5 May 2003").tzinfo is not None


# ------------------------------------------------------------------- limits and fuzzing


def test_limits_validate_and_part_header_cap():
    with pytest.raises(ValueError):
        MailLimits(max_parts=0)
    with pytest.raises(ValueError):
        MailLimits(max_header_bytes=-1)
    big = "X-Pad: " + "p" * 200
    body = (
        "--m\nContent-Type: text/plain\n" + "\n".join([big] * 100) + "\n\nHIDDEN-PART\n"
        "--m\nContent-Type: text/plain\n\nVISIBLE-PART\n--m--\n"
    )
    pm = parse_message(build(FROM, DATE, 'Content-Type: multipart/mixed; boundary="m"', body=body),
                       MailLimits(max_part_header_bytes=4096))
    assert "mime.part_header_too_large" in pm.defects
    assert "VISIBLE-PART" in pm.text and "HIDDEN-PART" not in pm.text


def test_depth_and_part_caps_are_configurable():
    body = (
        "--a\nContent-Type: multipart/mixed; boundary=\"b\"\n\n"
        "--b\nContent-Type: text/plain\n\nNESTED\n--b--\n"
        "--a\nContent-Type: text/html\n\n<p>SHALLOW</p>\n--a--\n"
    )
    raw = build(FROM, DATE, 'Content-Type: multipart/mixed; boundary="a"', body=body)
    assert parse_message(raw).text.strip() == "NESTED"
    pm = parse_message(raw, MailLimits(max_mime_depth=1))
    assert pm.text == "SHALLOW" and "mime.depth_cap" in pm.defects
    pm = parse_message(raw, MailLimits(max_parts=2))
    assert "mime.part_cap" in pm.defects


SEED = build(
    FROM,
    "To: Bob <bob@example.com>, =?utf-8?q?Zo=C3=AB?= <zoe@example.com>",
    DATE,
    "Subject: =?utf-8?b?SGVsbG8=?=",
    'Content-Type: multipart/alternative; boundary="b1"',
    body=(
        "--b1\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n"
        "Hi =C3=A9\n-- \nJane\n"
        "--b1\nContent-Type: text/html; charset=iso-8859-1\nContent-Transfer-Encoding: base64\n\n"
        + base64.encodebytes(b"<p>Hi \xe9</p>").decode()
        + "--b1--\n"
    ),
)
TOKENS = [b"\r\n", b"\n", b"--", b"--b1", b"=?utf-8?b?", b"?=", b"<", b">", b"(", b")", b'"', b"\x00", b"\xff",
          b"; boundary=", b"charset=utf-7", b"base64", b"=\n", b":", b"@", b"\t", b"multipart/mixed"]


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.lists(st.tuples(st.integers(0, len(SEED)), st.sampled_from(TOKENS + [b""]), st.integers(0, 40)), max_size=12))
def test_mutated_messages_only_ever_raise_item_rejected(edits):
    raw = bytearray(SEED)
    for pos, token, cut in edits:
        pos = min(pos, len(raw))
        raw[pos : pos + cut] = token
    try:
        pm = parse_message(bytes(raw))
    except ItemRejected as exc:
        assert exc.reason.startswith("mail.")
        return
    for c in pm.contacts:
        for s in (c.email, c.name or ""):
            assert not any(ch in s for ch in "\r\n\x00")
    assert not any(ch in pm.subject for ch in "\r\n\x00")
    assert "\x00" not in pm.text and "\r" not in pm.text


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2000))
def test_random_bytes_only_ever_raise_item_rejected(raw):
    try:
        parse_message(raw)
    except ItemRejected as exc:
        assert exc.reason in {"mail.empty", "mail.not_email", "mail.header_too_large", "mail.from_too_large"}


@pytest.mark.parametrize(
    ("html", "bound"),
    [
        ("<div>" * 20000 + "x" + "</div>" * 20000, 0.1),
        ("<b i>" * 2000 + "<i i>" * 2000 + "x</b>" * 2000, 0.05),
    ],
    ids=["nested-divs", "misnested-b-i"],
)
def test_html_to_text_bounded_on_pathological_nesting(html, bound):
    html_to_text("<p>warm</p>")
    t0 = time.process_time()
    text = html_to_text(html)
    assert time.process_time() - t0 < bound
    assert isinstance(text, str)


def test_html_control_characters_do_not_lose_the_document():
    # libxml2 gives up on the whole document at one C0 control character
    assert html_to_text("<p>Jane\x11 Doe</p><p>Acme\x00 Corp\x0c</p>") == "Jane Doe\nAcme Corp"
