"""The store's schema as numbered migrations (``PRAGMA user_version`` holds the number).

Never edit a migration that has shipped: append a new one.
"""

from __future__ import annotations

import sqlite3

MIGRATIONS: tuple[str, ...] = (
    # 1: contacts, identifiers, evidence with provenance, sync state, runs, audit
    """
    CREATE TABLE contacts (
        id INTEGER PRIMARY KEY,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE TABLE identifiers (
        kind TEXT NOT NULL,              -- email | phone | namekey
        value TEXT NOT NULL,
        contact_id INTEGER NOT NULL REFERENCES contacts(id),
        PRIMARY KEY (kind, value)
    ) WITHOUT ROWID;
    CREATE INDEX identifiers_contact ON identifiers(contact_id);
    CREATE TABLE evidence (
        id TEXT PRIMARY KEY,             -- digest of (source, item, subject, field, value, extractor)
        contact_id INTEGER NOT NULL REFERENCES contacts(id),
        field TEXT NOT NULL,
        value TEXT NOT NULL,
        subtype TEXT,
        kind TEXT NOT NULL,
        role TEXT NOT NULL,
        source TEXT NOT NULL,
        item_id TEXT NOT NULL,
        owner TEXT NOT NULL,
        extractor TEXT NOT NULL,
        extractor_version TEXT NOT NULL,
        method TEXT NOT NULL,
        span_start INTEGER,
        span_end INTEGER,
        observed_at TEXT NOT NULL,
        confidence REAL NOT NULL
    );
    CREATE INDEX evidence_contact ON evidence(contact_id);
    CREATE TABLE items (                 -- processed items, by digest: no personal data
        source TEXT NOT NULL,
        digest TEXT NOT NULL,
        seen_at TEXT NOT NULL,
        PRIMARY KEY (source, digest)
    ) WITHOUT ROWID;
    CREATE TABLE quarantine (            -- rejected items: ids and reasons, never content
        source TEXT NOT NULL,
        digest TEXT NOT NULL,
        stage TEXT NOT NULL,
        reason TEXT NOT NULL,
        at TEXT NOT NULL,
        PRIMARY KEY (source, digest)
    ) WITHOUT ROWID;
    CREATE TABLE sync_state (
        source TEXT PRIMARY KEY,
        cursor TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE TABLE runs (
        id INTEGER PRIMARY KEY,
        started_at TEXT NOT NULL,
        finished_at TEXT,
        status TEXT NOT NULL,
        counts TEXT NOT NULL DEFAULT '{}'
    );
    CREATE TABLE suppressions (          -- HMAC digests of opted-out identifiers
        digest TEXT PRIMARY KEY,
        key_version TEXT NOT NULL,
        created_at TEXT NOT NULL
    );
    CREATE TABLE audit (                 -- append-only, hash-chained; pseudonymous details only
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        action TEXT NOT NULL,
        detail TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL
    );
    """,
    # 2: privacy operations (issue 9): lookup columns (blind indexes when the store is
    # encrypted), store metadata, subject requests, rectifications, restrictions, and an
    # audit log that refuses deletes
    """
    ALTER TABLE evidence ADD COLUMN lookup TEXT;         -- exact email / phone
    ALTER TABLE evidence ADD COLUMN lookup_form TEXT;    -- canonical form (plus-tag folded, IDNA)
    ALTER TABLE evidence ADD COLUMN lookup_domain TEXT;  -- the email's domain
    CREATE INDEX evidence_lookup ON evidence(lookup);
    CREATE INDEX evidence_lookup_form ON evidence(lookup_form);
    CREATE INDEX evidence_lookup_domain ON evidence(lookup_domain);
    CREATE TABLE meta (                  -- store settings: encryption checks, retention, audit anchor
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    CREATE TABLE requests (              -- subject requests; the subject only as a keyed pseudonym
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL,              -- access | erasure | rectification | restriction | objection
        subject TEXT NOT NULL,
        received_at TEXT NOT NULL,
        due_at TEXT NOT NULL,
        status TEXT NOT NULL,            -- open | completed | in effect | lifted
        completed_at TEXT,
        outcome TEXT NOT NULL DEFAULT '{}'
    );
    CREATE TABLE pins (                  -- a subject's own corrections, stronger than any evidence
        contact_id INTEGER NOT NULL REFERENCES contacts(id),
        field TEXT NOT NULL,
        value TEXT,                      -- NULL: the field is cleared
        request_id INTEGER,
        created_at TEXT NOT NULL,
        PRIMARY KEY (contact_id, field)
    ) WITHOUT ROWID;
    CREATE TABLE restrictions (          -- frozen contacts: kept, never published or exported
        contact_id INTEGER PRIMARY KEY REFERENCES contacts(id),
        request_id INTEGER,
        since TEXT NOT NULL
    );
    CREATE TRIGGER audit_append_only BEFORE DELETE ON audit
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
    """,
    # 3: scoring and change events (issue 8): contacts whose judgement must be replayed,
    # change events (values encrypted like evidence), and the webhook sink's durable outbox
    """
    CREATE TABLE dirty (                 -- contacts with new evidence since their events were computed
        contact_id INTEGER PRIMARY KEY
    );
    INSERT INTO dirty SELECT id FROM contacts;
    CREATE TABLE events (
        id TEXT PRIMARY KEY,             -- stable digest: the same change replayed is the same row
        contact_id INTEGER NOT NULL,
        kind TEXT NOT NULL,              -- job | phone | address
        at TEXT NOT NULL,                -- when the change became established
        payload BLOB NOT NULL,           -- JSON before/after/evidence (ciphertext when encrypted)
        created_at TEXT NOT NULL
    );
    CREATE INDEX events_at ON events(at);
    CREATE INDEX events_contact ON events(contact_id);
    CREATE TABLE outbox (                -- what a webhook sink still has to deliver
        id INTEGER PRIMARY KEY,
        target TEXT NOT NULL,            -- digest of the receiver URL
        key TEXT NOT NULL,               -- idempotency key sent with the request
        kind TEXT NOT NULL,              -- contact | change
        contact_id INTEGER NOT NULL,
        payload BLOB NOT NULL,           -- JSON body (ciphertext when encrypted)
        status TEXT NOT NULL DEFAULT 'pending',   -- pending | delivered | rejected
        attempts INTEGER NOT NULL DEFAULT 0,
        next_at TEXT NOT NULL,
        created_at TEXT NOT NULL,
        delivered_at TEXT,
        last_error TEXT,                 -- a reason code, never a response body
        UNIQUE (target, key)
    );
    CREATE INDEX outbox_due ON outbox(target, status, next_at);
    CREATE INDEX outbox_contact ON outbox(contact_id);
    CREATE TABLE webhook_state (         -- the last contact version queued per receiver
        target TEXT NOT NULL,
        contact_id INTEGER NOT NULL,
        digest TEXT NOT NULL,
        PRIMARY KEY (target, contact_id)
    ) WITHOUT ROWID;
    """,
)


def migrate(conn: sqlite3.Connection) -> int:
    """Bring a database to the newest schema; returns the version it ended at."""
    (version,) = conn.execute("PRAGMA user_version").fetchone()
    if version > len(MIGRATIONS):
        from ..errors import StoreError

        raise StoreError(
            f"store schema version {version} is newer than this webleads ({len(MIGRATIONS)}); upgrade"
        )
    for number in range(version + 1, len(MIGRATIONS) + 1):
        conn.executescript("BEGIN;" + MIGRATIONS[number - 1] + f";PRAGMA user_version = {number};COMMIT;")
    return len(MIGRATIONS)
