"""webleads-gmail: the ``gmail`` source (Gmail API, read-only).

Full sync lists the mailbox and fetches messages as raw RFC 822 in batches; later runs
read only what the mailbox's history says was added.  See docs/gmail.md.

The heavy Google libraries are imported only when a ``gmail`` source is built or the
``webleads gmail`` command runs, so installing the plugin does not slow the CLI down.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
