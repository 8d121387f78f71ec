"""webleads: mailboxes, web pages and APIs into a clean, scored database of business contacts.

This module is the public API and nothing else.  Embedding applications::

    import webleads_core as wl

    contacts, result = wl.extract(["mail/archive.mbox"])
    wl.run("webleads.toml")
    for c in wl.contacts("sqlite:///webleads.db"):
        print(c.name, c.emails)

Plugin authors use :data:`hookimpl`, :func:`lazy_factory` and the records and protocols below.
"""

from __future__ import annotations

from .api import contacts, extract, extract_bytes, load_config, run, segment_bytes
from .components import (
    Extractor,
    Scorer,
    Segmenter,
    Sink,
    SinkConfig,
    Source,
    SourceConfig,
    SourceContext,
)
from .config import Config
from .engine import Pipeline, build_pipeline, create_plugin_manager, lazy_factory, run_pipeline
from .errors import ConfigError, ItemRejected, PluginError, PrivacyViolation, StoreError, WebleadsError
from .hookspecs import hookimpl
from .records import (
    Block,
    Capture,
    Checkpoint,
    Contact,
    Document,
    Evidence,
    HeaderContact,
    ParsedMessage,
    Phone,
    Rejected,
    Resync,
    RunResult,
    SealedContact,
    Zone,
)
from .serialize import contact_to_dict
from .sinkbase import BaseSink
from .store import SQLiteStore, open_store

__version__ = "0.1.0"

__all__ = [
    "BaseSink", "Block", "Capture", "Checkpoint", "Config", "ConfigError", "Contact", "Document",
    "Evidence", "Extractor", "HeaderContact", "ItemRejected", "ParsedMessage", "Phone", "Pipeline",
    "PluginError", "PrivacyViolation", "Rejected", "Resync", "RunResult", "SQLiteStore", "Scorer",
    "SealedContact", "Segmenter", "Sink", "SinkConfig", "Source", "SourceConfig", "SourceContext",
    "StoreError", "WebleadsError", "Zone", "__version__", "build_pipeline", "contact_to_dict",
    "contacts", "create_plugin_manager", "extract", "extract_bytes", "hookimpl", "lazy_factory", "load_config",
    "open_store", "run", "run_pipeline", "segment_bytes",
]
