"""webleads serve: the scheduler, the HTTP API and the public privacy portal.

The web framework (FastAPI, uvicorn, Jinja2) lives here, not in the core: the core
stays a library, and an operator who never serves anything installs none of it.
"""

from __future__ import annotations

__all__ = ["__version__"]
__version__ = "0.1.0"
