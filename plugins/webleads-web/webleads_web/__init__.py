"""webleads-web: the ``web`` (crawler) and ``html`` (local pages) sources and the page
extractors.  The page purge itself is in the core (:mod:`webleads_core.pages`)."""

__version__ = "0.1.0"
