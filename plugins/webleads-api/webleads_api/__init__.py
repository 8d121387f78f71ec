"""webleads-api: sources that read contact data other systems already hold.

Source types (registered by :mod:`webleads_api.plugin`):

- ``rest``: a JSON API, with auth, pagination, a field mapping and incremental sync;
- ``vcard``: ``.vcf`` address books (vCard 2.1, 3.0 and 4.0);
- ``csv``: CSV exports of CRMs and address books, with header sniffing.

Every record becomes ``Document.from_record(...)`` with ``(field, value, subtype)``
triples of business fields, so it is purged, scored, merged and suppressed like any
other evidence.  See docs/sources.md.
"""

from __future__ import annotations

__version__ = "0.1.0"
