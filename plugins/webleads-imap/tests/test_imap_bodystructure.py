"""Choosing the parts to fetch from BODYSTRUCTURE, and rebuilding a message from them."""

from __future__ import annotations

from webleads_core.mail import parse_message
from webleads_imap.assemble import build_message, join_head_tail, strip_content_fields
from webleads_imap.bodystructure import Part, plan
from webleads_imap.wire import parse_tokens


def bs(text: bytes):
    return parse_tokens([text])[0]


PLAIN = b'("TEXT" "PLAIN" ("CHARSET" "utf-8") NIL NIL "7BIT" 120 4 NIL NIL NIL NIL)'
HTML = b'("TEXT" "HTML" ("CHARSET" "utf-8") NIL NIL "QUOTED-PRINTABLE" 900 20 NIL NIL NIL NIL)'
PDF = b'("APPLICATION" "PDF" ("NAME" "r.pdf") NIL NIL "BASE64" 4000000 NIL ("ATTACHMENT" ("FILENAME" "r.pdf")) NIL NIL)'
TXT_ATTACHMENT = (b'("TEXT" "PLAIN" ("CHARSET" "utf-8" "NAME" "notes.txt") NIL NIL "BASE64" 5000 60 NIL '
                  b'("ATTACHMENT" ("FILENAME" "notes.txt")) NIL NIL)')


def test_single_part_message_reads_its_body_section():
    p = plan(bs(PLAIN))
    assert [(x.section, x.ctype, x.charset, x.size) for x in p.parts] == [("TEXT", "text/plain", "utf-8", 120)]


def test_alternative_prefers_plain_and_never_the_attachment():
    p = plan(bs(b"((" + PLAIN + HTML + b' "ALTERNATIVE" ("BOUNDARY" "b") NIL NIL) ' + PDF
                + b' "MIXED" ("BOUNDARY" "a") NIL NIL)'))
    assert [(x.section, x.ctype) for x in p.parts] == [("1.1", "text/plain")]


def test_text_attachment_is_not_the_body():
    p = plan(bs(b"(" + TXT_ATTACHMENT + HTML + b' "MIXED" ("BOUNDARY" "a") NIL NIL)'))
    assert [(x.section, x.ctype) for x in p.parts] == [("2", "text/html")]


def test_tiny_plain_part_brings_its_html_fallback():
    tiny = PLAIN.replace(b" 120 4 ", b" 2 1 ")
    p = plan(bs(b"(" + tiny + HTML + b' "ALTERNATIVE" ("BOUNDARY" "a") NIL NIL)'))
    assert [x.ctype for x in p.parts] == ["text/plain", "text/html"]


def test_attachment_only_message_fetches_no_part():
    assert plan(bs(b"(" + PDF + b' "MIXED" ("BOUNDARY" "a") NIL NIL)')).parts == ()


def test_nesting_beyond_the_parsers_depth_cap_yields_no_part_like_the_parser():
    deep = parse_tokens([b"(" * 100 + PLAIN + b' "MIXED")' * 100])[0]
    assert plan(deep).parts == () and plan(deep).structured


def test_unreadable_structure_falls_back_to_raw_head_and_tail():
    from webleads_imap.wire import TOO_DEEP

    p = plan(TOO_DEEP, total_size=5_000_000)
    assert not p.structured and p.parts[0].ctype == "raw" and p.parts[0].section == "TEXT"
    head, tail = p.parts[0].ranges()
    assert head == (0, 256 * 1024) and tail[0] + tail[1] == 5_000_000
    assert not plan(None, 10).structured and not plan([b"junk"], 10).structured


def test_long_parts_are_fetched_as_head_and_tail():
    small = Part("1", "text/plain", None, "7bit", 10_000)
    assert small.ranges() is None
    big = Part("1", "text/plain", None, "base64", 30_000_000)
    (h0, hn), (t0, tn) = big.ranges()
    assert h0 == 0 and t0 + tn == 30_000_000 and hn + tn < 400_000


def test_strip_content_fields_handles_folded_lines():
    header = (b"From: a@b.example\r\nContent-Type: multipart/mixed;\r\n\tboundary=\"x\"\r\n"
              b"Subject: folded\r\n subject\r\nContent-Transfer-Encoding: 7bit\r\n\r\n")
    assert strip_content_fields(header) == b"From: a@b.example\r\nSubject: folded\r\n subject\r\n"


def test_head_and_tail_are_cut_at_line_boundaries():
    assert join_head_tail(b"line1\r\nline2 cut", b"t of line\r\nlast\r\n") == b"line1\r\nlast\r\n"


def test_rebuilt_multipart_message_parses_like_the_original():
    original = (b"From: Jane Doe <jane@northwind.example>\r\nTo: me@x.example\r\nSubject: hi\r\n"
                b"Date: Tue, 04 Mar 2025 10:12:00 +0000\r\nMessage-ID: <a@b>\r\nMIME-Version: 1.0\r\n"
                b'Content-Type: multipart/mixed; boundary="zz"\r\n\r\n--zz\r\n'
                b"Content-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n"
                b"\r\nBonjour,\r\n\r\nMarc Olivier\r\nDirecteur g=E9n=E9ral\r\n--zz--\r\n")
    part = Part("1", "text/plain", "iso-8859-1", "quoted-printable", 60)
    header = original[: original.index(b"\r\n\r\n") + 4]
    body = b"Bonjour,\r\n\r\nMarc Olivier\r\nDirecteur g=E9n=E9ral"
    rebuilt = build_message(header, [(part, body)])
    a, b = parse_message(original), parse_message(rebuilt)
    assert b.text == a.text and "Directeur général" in b.text
    assert [(c.email, c.name) for c in b.contacts] == [(c.email, c.name) for c in a.contacts]
    assert b.message_id == a.message_id and b.sent_at == a.sent_at


def test_cut_header_goes_on_alone_and_is_rejected_by_the_parser():
    import pytest
    from webleads_core.errors import ItemRejected

    header = b"From: a@b.example\r\n" + b"X-Junk: " + b"y" * 70_000 + b"\r\n"
    raw = build_message(header[:69_632], [(Part("TEXT", "text/plain", None, "7bit", 5), b"hello")],
                        header_cap=69_632)
    assert raw == header[:69_632]
    with pytest.raises(ItemRejected) as info:
        parse_message(raw)
    assert info.value.reason == "mail.header_too_large"
