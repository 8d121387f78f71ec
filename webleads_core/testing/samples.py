"""A few small, realistic messages for plugin tests (fictional people, .example domains)."""

from __future__ import annotations

from pathlib import Path

SAMPLES: tuple[tuple[str, str], ...] = (
    ("01-intro.eml", """From: Jane Doe <jane.doe@northwind-logistics.example>
To: Dana Whitfield <me@webleads-demo.example>
Subject: Shipping schedule
Date: Tue, 04 Mar 2025 10:12:00 +0000
Message-ID: <sample-01@northwind-logistics.example>
Content-Type: text/plain; charset=utf-8

Hi Dana,

The new schedule is attached. Let me know what you think.

Best regards,
Jane Doe
Head of Operations
Northwind Logistics Ltd
Tel: +44 20 7946 0958
Mobile: +44 7911 123456
www.northwind-logistics.example
"""),
    ("02-reply.eml", """From: Dana Whitfield <me@webleads-demo.example>
To: Jane Doe <jane.doe@northwind-logistics.example>
Cc: Marc Olivier <marc.olivier@atelier-moreau.example>
Subject: Re: Shipping schedule
Date: Wed, 05 Mar 2025 09:00:00 +0100
Message-ID: <sample-02@webleads-demo.example>
Content-Type: text/plain; charset=utf-8

Thanks Jane, looks good.

Dana

On Tue, 4 Mar 2025 at 10:12, Jane Doe <jane.doe@northwind-logistics.example> wrote:
> Hi Dana,
>
> The new schedule is attached.
>
> Best regards,
> Jane Doe
> Head of Operations
> Northwind Logistics Ltd
> Tel: +44 20 7946 0958
"""),
    ("03-french.eml", """From: Marc Olivier <marc.olivier@atelier-moreau.example>
To: Dana Whitfield <me@webleads-demo.example>
Subject: Devis
Date: Thu, 06 Mar 2025 14:30:00 +0100
Message-ID: <sample-03@atelier-moreau.example>
Content-Type: text/plain; charset=utf-8

Bonjour Dana,

Voici notre devis pour le mois prochain.

Cordialement,

Marc Olivier
Directeur commercial
Atelier Moreau SAS
Tél : +33 1 44 55 66 77
Port. : +33 6 12 34 56 78
"""),
)


def write_sample_mail(folder: Path) -> Path:
    """Write the samples as .eml files into ``folder`` and return it."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in SAMPLES:
        (folder / name).write_bytes(text.replace("\n", "\r\n").encode("utf-8"))
    return folder
