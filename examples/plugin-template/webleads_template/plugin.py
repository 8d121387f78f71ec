"""A minimal third-party webleads plugin: a Markdown sink, and a tightening privacy rule
that is defined here but left unregistered (an installed rule applies to every run; see
the comment at the bottom to switch it on in your own plugin).

Copy this folder, rename the package, and point the ``webleads`` entry point in
pyproject.toml at your module.  The engine finds it through the entry point.
"""

from __future__ import annotations

from typing import Sequence

from webleads_core import BaseSink, Contact, Evidence, hookimpl
from webleads_core.sinkbase import atomic_write


class MarkdownSink(BaseSink):
    """``type = "markdown"``, key ``path``: a Markdown table of the contacts.

    Extending BaseSink gives seal checks and dedup for free; ``write_contacts``
    rewrites the whole file, so writing twice leaves the same file (idempotent).
    """

    def write_contacts(self, contacts: Sequence[Contact]) -> int:
        rows = ["| Name | Title | Company | Email |", "|---|---|---|---|"]
        for c in contacts:
            cells = [c.name or "", c.title or "", c.company or "", c.emails[0] if c.emails else ""]
            rows.append("| " + " | ".join(x.replace("|", "\\|") for x in cells) + " |")
        atomic_write(self.config.path(), "\n".join(rows) + "\n")
        return len(contacts)


def no_titles_from_quoted_mail(evidence: Evidence) -> bool:
    """A tightening rule: keep no job titles read from other people's quoted signatures."""
    return not (evidence.field == "title" and evidence.role == "quoted")


@hookimpl
def register_sinks(register):
    register("markdown", MarkdownSink)


# A plugin that wants the rule registers it like this (it then applies to every pipeline):
#
# @hookimpl
# def register_privacy_rules(register):
#     register("template-no-quoted-titles", no_titles_from_quoted_mail)
