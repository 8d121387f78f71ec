"""The wire reader and token parser: caps checked before allocation, deadlines, parsing."""

from __future__ import annotations

import socket
import threading
import time

import pytest

from webleads_core.testing.bounded import run_bounded
from webleads_imap import utf7
from webleads_imap.client import ImapClient, is_loopback, uid_set
from webleads_imap.errors import ImapError, ImapTimeout, LiteralTooLarge, ProtocolViolation
from webleads_imap.wire import MAX_DEPTH, TOO_DEEP, Wire, WireLimits, parse_tokens


def _wire(data: bytes, **limits) -> Wire:
    a, b = socket.socketpair()
    b.sendall(data)
    b.shutdown(socket.SHUT_WR)
    wire = Wire(a, WireLimits(**limits))
    wire._peer = b  # keep it open
    return wire


def test_fetch_response_with_sections_literals_and_nil():
    w = _wire(b'* 3 FETCH (UID 42 RFC822.SIZE 99 BODY[HEADER.FIELDS (MESSAGE-ID DATE)] {5}\r\n'
              b'ab)cd BODY[1]<0> "q\\"x" X NIL)\r\n')
    pieces = w.read_response()
    assert pieces[1] == b"ab)cd"
    tokens = parse_tokens(pieces, 2)
    assert tokens[:2] == [b"3", b"FETCH"]
    items = tokens[2]
    assert items[:4] == [b"UID", b"42", b"RFC822.SIZE", b"99"]
    assert items[4] == b"BODY[HEADER.FIELDS (MESSAGE-ID DATE)]" and items[5] == b"ab)cd"
    assert items[6:] == [b"BODY[1]<0>", b'q"x', b"X", None]


def test_literal_over_the_cap_is_refused_before_reading():
    w = _wire(b"* 1 FETCH (BODY[] {999999999}\r\nabc", max_literal=1024)
    with pytest.raises(LiteralTooLarge) as info:
        w.read_response()
    assert info.value.reason == "imap.literal_too_large"


def _huge_literal_in_child() -> str:
    a, b = socket.socketpair()
    b.sendall(b"* 1 FETCH (BODY[] {999999999}\r\n" + b"x" * 65536)
    try:
        Wire(a, WireLimits()).read_response()
    except LiteralTooLarge as exc:
        return exc.reason
    return "not refused"


def test_huge_literal_stays_within_cpu_and_memory_bounds():
    # BAD_INPUTS case 41 at the wire level: a 1 GB declaration costs nothing
    assert run_bounded(_huge_literal_in_child, cpu_seconds=2.0, memory_mb=256) == "imap.literal_too_large"


def test_line_over_the_cap_is_refused():
    w = _wire(b"* " + b"x" * 5000 + b"\r\n", max_line=1000)
    with pytest.raises(ProtocolViolation) as info:
        w.read_response()
    assert info.value.reason == "imap.line_too_long"


def test_response_byte_cap_counts_lines_and_literals():
    w = _wire(b"* 1 FETCH (BODY[] {600}\r\n" + b"y" * 600 + b")\r\n", max_response=500)
    with pytest.raises(ProtocolViolation) as info:
        w.read_response()
    assert info.value.reason == "imap.response_too_large"


def test_total_deadline_stops_a_trickling_server():
    a, b = socket.socketpair()
    stop = threading.Event()

    def trickle():
        while not stop.is_set():
            try:
                b.sendall(b"x")
            except OSError:
                return
            time.sleep(0.05)

    t = threading.Thread(target=trickle, daemon=True)
    t.start()
    w = Wire(a, WireLimits(read_timeout=5.0, command_timeout=0.6))
    w.start_command()
    started = time.monotonic()
    try:
        with pytest.raises(ImapTimeout):
            w.readline()
    finally:
        stop.set()
        a.close()
        b.close()
    assert time.monotonic() - started < 2.0  # the per-read timeout (5 s) never fired


def test_closed_connection_is_connection_lost():
    from webleads_imap.errors import ConnectionLost

    w = _wire(b"* OK partial")
    with pytest.raises(ConnectionLost) as info:
        w.readline()
    assert info.value.reason == "imap.connection_closed"


def test_deep_nesting_is_skipped_in_linear_time():
    depth = 200_000
    pieces = [b"* 1 FETCH (UID 5 BODYSTRUCTURE " + b"(" * depth + b")" * depth + b")"]
    started = time.perf_counter()
    tokens = parse_tokens(pieces, 2)
    assert time.perf_counter() - started < 1.0
    assert tokens[2][:3] == [b"UID", b"5", b"BODYSTRUCTURE"]
    node, levels = tokens[2][3], 0
    while isinstance(node, list):
        node, levels = node[0], levels + 1
    assert node is TOO_DEEP and levels <= MAX_DEPTH + 1


@pytest.mark.parametrize("bad", [b"* 1 FETCH (UID 1", b"* 1 FETCH UID 1)", b'* 1 FETCH ("open)'])
def test_unbalanced_input_is_a_parse_error(bad):
    with pytest.raises(ProtocolViolation) as info:
        parse_tokens([bad], 2)
    assert info.value.reason == "imap.parse"


@pytest.mark.parametrize("name", ["INBOX", "Sent Items", "Éléments envoyés", "Отправленные", "A&B", "送信済み"])
def test_modified_utf7_round_trip(name):
    encoded = utf7.encode(name)
    assert encoded.isascii() and b" " not in encoded.strip(b" ") or " " in name
    assert utf7.decode(encoded) == name


def test_modified_utf7_known_value():
    assert utf7.encode("Éléments envoyés") == b"&AMk-l&AOk-ments envoy&AOk-s"
    assert utf7.encode("A&B") == b"A&-B"


def test_uid_sets_are_compact():
    assert uid_set([1, 2, 3, 7, 9, 10]) == b"1:3,7,9:10"
    assert uid_set([5]) == b"5"


@pytest.mark.parametrize("command", [
    b"STORE 1 +FLAGS (\\Seen)", b"UID STORE 1 +FLAGS (\\Seen)", b"EXPUNGE", b"UID EXPUNGE 1",
    b"SELECT INBOX", b"COPY 1 Trash", b"UID MOVE 1 Trash", b"APPEND INBOX {3}", b"DELETE INBOX",
    b"UID FETCH 1 (BODY[])", b"UID FETCH 1 (BODY[TEXT])", b"UID FETCH 1 (RFC822)",
    b"UID FETCH 1 (RFC822.TEXT)", b"FETCH 1 (BODY.PEEK[])",
])
def test_client_refuses_anything_that_writes_or_marks_read(command):
    with pytest.raises(ImapError) as info:
        ImapClient.check_read_only(command)
    assert info.value.reason == "imap.not_read_only"


@pytest.mark.parametrize("command", [
    b"EXAMINE INBOX", b"UID FETCH 1:5 (UID RFC822.SIZE BODYSTRUCTURE BODY.PEEK[HEADER]<0.100>)",
    b"UID FETCH 1 (BODY.PEEK[1.2]<0.4096> RFC822.HEADER)", b"UID SEARCH UID 1:9 SINCE 01-Jan-2024",
])
def test_client_allows_peeking_commands(command):
    ImapClient.check_read_only(command)


@pytest.mark.parametrize("address,expected", [
    ("127.0.0.1", True), ("127.9.8.7", True), ("::1", True), ("::ffff:127.0.0.1", True),
    ("10.0.0.1", False), ("::ffff:10.0.0.1", False), ("192.0.2.1", False), ("localhost", False),
])
def test_loopback_check_includes_ipv4_mapped(address, expected):
    assert is_loopback(address) is expected
