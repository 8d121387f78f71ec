"""An opt-in plugin module with the web plugin's tightening privacy rule.

Register it to keep no value found only through de-obfuscation (Cloudflare-protected
addresses and ``[at]``/``[dot]`` spellings: their owners chose to hide them)::

    pm = webleads_core.create_plugin_manager(plugins=[webleads_web.strict])

Rules only tighten the policy; this one drops evidence whose method is ``cloudflare``
or ``bracket``.
"""

from __future__ import annotations

from webleads_core import hookimpl

from .extractors import drop_deobfuscated


@hookimpl
def register_privacy_rules(register):
    register("web-no-deobfuscated", drop_deobfuscated)
