"""Emails, URLs and social profiles, person names."""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from webleads_core.text.emails import (
    email_domain,
    find_emails,
    fold_plus_tag,
    is_free_mail,
    normalise_email,
)
from webleads_core.text.names import clean_person_name, looks_like_name, name_key
from webleads_core.text.urls import find_urls, is_social_host, normalise_url, social_profile

# --------------------------------------------------------------------------- emails


@pytest.mark.parametrize(
    "raw, norm",
    [
        (" <Jane.Doe@Example.COM> ", "jane.doe@example.com"),
        ("mailto:Jane@Example.com?subject=hi", "jane@example.com"),
        ("jürgen@müller.de", "jürgen@xn--mller-kva.de"),
        ("o'brien@acme.co.uk", "o'brien@acme.co.uk"),
        ("a+tag@x.org", "a+tag@x.org"),
        ("a@b.com.", "a@b.com"),
    ],
)
def test_normalise_email_accepts(raw, norm):
    assert normalise_email(raw) == norm
    assert normalise_email(norm) == norm  # idempotent


@pytest.mark.parametrize(
    "raw",
    [
        "a@b.com\r\nBcc: victim@x.org", "a@b.com\n", "a\x00@b.com", '"a@b"@c.com', "a@b@c.com",
        "alice@example.org@<bob@example.org>", "<>", "undisclosed-recipients:;", "a..b@c.com",
        ".a@c.com", "a.@c.com", "a@-c.com", "a@c-.com", "a@c", "a@1.2.3.4", "a@[127.0.0.1]",
        "a b@c.com", "a@c..com", "x" * 65 + "@c.com", "a@" + "b" * 64 + ".com", "", "@c.com",
        "a@", "a@c.c0m",
    ],
)
def test_normalise_email_rejects(raw):
    assert normalise_email(raw) is None


def test_find_emails_spans_and_boundaries():
    text = "Write to <Jane.Doe@Example.COM>, or ops@acme.io. Not: x@localhost, a..b@c.com"
    found = find_emails(text)
    assert [e for e, _ in found] == ["jane.doe@example.com", "ops@acme.io"]
    for email, (s, e) in found:
        assert text[s:e].lower() == email
    # a separator before the address is not part of it
    assert find_emails("E-mail/jane@x.com | Tel") == [("jane@x.com", (7, 17))]
    # a fediverse handle is not an email
    assert find_emails("@jane@mastodon.social") == []


def test_email_helpers():
    assert email_domain("Jane@Acme.CO.UK") == "acme.co.uk"
    assert email_domain("nope") is None
    assert fold_plus_tag("Jane+News@X.org") == "jane@x.org"
    assert fold_plus_tag("jane@x.org") == "jane@x.org"
    for d in ("gmail.com", "yahoo.com", "outlook.com", "hotmail.fr", "gmx.de", "web.de",
              "orange.fr", "jane@yahoo.co.in", "hotmail.com.ar"):
        assert is_free_mail(d), d
    for d in ("acme.com", "northwind-logistics.example", "mail.yahoo.com.evil.example",
              "gmail.acme.com", ""):
        assert not is_free_mail(d), d


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_found_emails_are_normal_and_clean(text):
    for email, (s, e) in find_emails(text):
        assert normalise_email(email) == email
        assert not any(ch in email for ch in "\r\n\x00<> ")
        assert 0 <= s < e <= len(text)


def test_email_finder_is_fast_on_hostile_input():
    for hostile in ("a" * 10_000 + "!", "a." * 5000, "@" * 10_000, "a@" * 5000,
                    ("a" * 64 + "@" + "a" * 250) * 20):
        start = time.perf_counter()
        find_emails(hostile)
        assert time.perf_counter() - start < 0.05


# --------------------------------------------------------------------------- URLs


def test_find_urls():
    text = ("Visit www.Acme.com, or (https://acme.com/about). Profile: "
            "https://www.linkedin.com/in/Jane-Doe-42/?trk=x. Mail jane@www.acme.com; acme.co.uk")
    raws = [u for u, _ in find_urls(text)]
    assert raws == ["www.Acme.com", "https://acme.com/about",
                    "https://www.linkedin.com/in/Jane-Doe-42/?trk=x"]
    bare = [u for u, _ in find_urls(text, bare_domains=True)]
    assert "acme.co.uk" in bare
    assert not any("www.acme.com" == u.lower() and "@" in u for u in bare)
    for raw, (s, e) in find_urls(text, bare_domains=True):
        assert text[s:e] == raw
    assert find_urls("report.pdf and v1.2", bare_domains=True) == []


@pytest.mark.parametrize(
    "raw, norm",
    [
        ("WWW.Example.COM/?utm_source=x#top", "https://www.example.com"),
        ("http://Example.com:80/", "http://example.com"),
        ("https://example.com/path/?a=1&utm_medium=2&fbclid=z", "https://example.com/path/?a=1"),
        ("http://user:pw@example.com:8080/x", "http://example.com:8080/x"),
        ("https://müller.de/", "https://xn--mller-kva.de"),
    ],
)
def test_normalise_url(raw, norm):
    assert normalise_url(raw) == norm
    assert normalise_url(norm) == norm


@pytest.mark.parametrize("raw", ["ftp://x.com", "javascript:alert(1)", "https://127.0.0.1/",
                                 "file:///etc/passwd", "https://exa mple.com", "https://x\r\n.com", ""])
def test_normalise_url_rejects(raw):
    assert normalise_url(raw) is None


@pytest.mark.parametrize(
    "url, expected",
    [
        ("linkedin.com/in/Jane-Doe-42/?trk=x", ("linkedin", "https://www.linkedin.com/in/jane-doe-42")),
        ("https://de.linkedin.com/in/janedoe", ("linkedin", "https://www.linkedin.com/in/janedoe")),
        ("https://www.linkedin.com/company/acme-inc/", ("linkedin", "https://www.linkedin.com/company/acme-inc")),
        ("https://twitter.com/JaneDoe", ("twitter", "https://twitter.com/janedoe")),
        ("https://x.com/janedoe", ("twitter", "https://x.com/janedoe")),
        ("https://github.com/octocat", ("github", "https://github.com/octocat")),
        ("https://www.xing.com/profile/Jane_Doe", ("xing", "https://www.xing.com/profile/Jane_Doe")),
        ("https://www.facebook.com/jane.doe.5", ("facebook", "https://www.facebook.com/jane.doe.5")),
        ("https://instagram.com/jane_doe", ("instagram", "https://www.instagram.com/jane_doe")),
        ("@jane@mastodon.social", ("mastodon", "https://mastodon.social/@jane")),
        ("https://fosstodon.org/@jane", ("mastodon", "https://fosstodon.org/@jane")),
    ],
)
def test_social_profile(url, expected):
    assert social_profile(url) == expected


@pytest.mark.parametrize(
    "url",
    [
        "https://www.linkedin.com/shareArticle?mini=true&url=x",
        "https://www.linkedin.com/sharing/share-offsite/?url=x",
        "https://www.linkedin.com/feed/",
        "https://twitter.com/intent/tweet?text=x",
        "https://twitter.com/share?url=x",
        "https://www.facebook.com/sharer/sharer.php?u=x",
        "https://www.facebook.com/sharer.php?u=x",
        "https://github.com/octocat/hello-world",
        "https://github.com/settings",
        "https://www.instagram.com/p/abc123/",
        "https://acme.com/in/jane",
    ],
)
def test_social_profile_rejects_share_and_content_links(url):
    assert social_profile(url) is None


def test_is_social_host():
    assert is_social_host("https://www.facebook.com/sharer.php?u=x")
    assert is_social_host("https://de.linkedin.com/x")
    assert not is_social_host("https://acme.com")
    assert not is_social_host("https://notlinkedin.com/in/x")


# --------------------------------------------------------------------------- names


@pytest.mark.parametrize(
    "raw, clean",
    [
        ("Dr. Jane Doe, PhD (she/her)", "Jane Doe"),
        ("Prof. Dr. Hans-Peter Müller", "Hans-Peter Müller"),
        ("Jane Doe, MBA, CPA", "Jane Doe"),
        ("Jean-Luc Picard Esq.", "Jean-Luc Picard"),
        ("Mark D. Guinney, CFA", "Mark D. Guinney"),
        ("Jane Doe (he/him/his)", "Jane Doe"),
        ("Jane Doe  she/her", "Jane Doe"),
        ("Jane Doe | Pronouns: they/them", "Jane Doe"),
        ("Jane Doe Pronouns: she/her", "Jane Doe"),
        ("Jane Doe 🚀✨", "Jane Doe"),
        ("-- Jane Doe --", "Jane Doe"),
        ('"Jane Doe"', "Jane Doe"),
        ("DOE, JANE", "Jane Doe"),
        ("O'NEIL, SEAN", "Sean O'Neil"),
        ("Doe, Jane", "Jane Doe"),
        ("Martin Luther King, Jr.", "Martin Luther King Jr."),
        ("John Smith III", "John Smith III"),
        ("Sr. Juan Pérez", "Juan Pérez"),
        ("Don Fuller", "Don Fuller"),  # an honorific that is also a given name
        ("Ludwig van Beethoven", "Ludwig van Beethoven"),
    ],
)
def test_clean_person_name(raw, clean):
    assert clean_person_name(raw) == clean
    if clean:
        assert clean_person_name(clean) == clean  # idempotent


@pytest.mark.parametrize(
    "raw",
    ["jane@x.com", "Jane Doe jane@x.com", "Call 555 0100", "Room 101", "www.acme.com",
     "https://acme.com", "Jane <jane@x.com>", "one two three four five six seven", "",
     "Dr.", "PhD", "Jane\r\nBcc: x", "=?utf-8?q?ceo@bank.com?="],
)
def test_clean_person_name_rejects(raw):
    assert clean_person_name(raw) is None


def test_name_key():
    assert name_key("Jane Doe") == "jane doe"
    assert name_key("Doe, Jane") == "jane doe"
    assert name_key("Dr. Jane M. Doe, PhD") == "jane doe"
    assert name_key("José Álvarez") == name_key("Jose Alvarez") == "jose alvarez"
    assert name_key("Martin Luther King Jr.") == "martin king"
    assert name_key("Cher") == "cher"
    assert name_key("jane@x.com") == ""
    assert name_key("Jane Doe") != name_key("John Doe")


def test_looks_like_name_uses_sender():
    plain = looks_like_name("Jane Doe")
    assert 0.4 <= plain <= 0.6
    assert looks_like_name("Jane Doe", "Jane Doe") > plain + 0.3
    for email in ("jane.doe@x.com", "j.doe@x.com", "jdoe@x.com", "janedoe@x.com", "jane_doe@x.com"):
        assert looks_like_name("Jane Doe", None, email) > plain + 0.3, email
    assert looks_like_name("Jane Doe", None, "sales@x.com") == plain
    assert looks_like_name("J. Doe", "Jane Doe") > looks_like_name("J. Doe")


@pytest.mark.parametrize(
    "line",
    ["Head of Sales", "Acme Inc", "Best regards,", "Thank you", "Enron Broadband Services",
     "jane@x.com", "California ISO", "Houston Texas", "Managing Director"],
)
def test_looks_like_name_rejects_non_names(line):
    assert looks_like_name(line) < 0.3
    assert looks_like_name(line) < looks_like_name("Jane Doe")
