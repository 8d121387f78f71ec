"""Ready-made settings for two widely used API shapes, and examples of the mapping.

A ``rest`` source with ``preset = "..."`` starts from these tables; any key the
config gives replaces the preset's key of the same name (whole tables, so a config
``mapping`` replaces the preset's mapping entirely).  ``url`` and ``auth`` always
come from the config.

``hubspot``
    The CRM v3 objects API, ``GET /crm/v3/objects/contacts`` (HubSpot's public
    developer documentation): ``{"results": [{"id", "properties": {...}, "updatedAt"}],
    "paging": {"next": {"after": "..."}}}``, cursor paging with ``after`` and
    ``limit`` (at most 100), the contact properties asked for with ``properties``.
    The list endpoint has no modified-since filter, so incremental sync pages
    through the list and skips records whose ``updatedAt`` is older than the mark.

``scim``
    A SCIM 2.0 ``/Users`` directory (RFC 7643 and RFC 7644): a ``ListResponse`` with
    ``Resources``, ``totalResults``, 1-based ``startIndex`` and ``count``; the
    ``filter`` parameter with ``meta.lastModified ge "..."`` asks only for users
    changed since the last run (RFC 7644 3.4.2.2); ``emails``, ``phoneNumbers``,
    ``addresses`` are multi-valued with a ``type`` (home values are dropped); the
    organisation is in the enterprise extension.
"""

from __future__ import annotations

from typing import Any

SCIM_ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"

HUBSPOT_PROPERTIES = ("email", "firstname", "lastname", "jobtitle", "company", "phone", "mobilephone",
                      "fax", "website", "address", "city", "zip", "country", "lastmodifieddate")

PRESETS: dict[str, dict[str, Any]] = {
    "hubspot": {
        "records": "results",
        "id": "id",
        "params": {"properties": ",".join(HUBSPOT_PROPERTIES), "archived": "false"},
        "pagination": {"type": "cursor", "cursor_path": "paging.next.after", "param": "after",
                       "size_param": "limit", "size": 100},
        "incremental": {"field": "updatedAt"},
        "mapping": {
            "email": "properties.email",
            "name": {"join": ["properties.firstname", "properties.lastname"]},
            "title": "properties.jobtitle",
            "company": "properties.company",
            "phone": [{"path": "properties.phone", "type": "work"},
                      {"path": "properties.mobilephone", "type": "mobile"},
                      {"path": "properties.fax", "type": "fax"}],
            "website": "properties.website",
            "address": {"join": ["properties.address", "properties.city", "properties.zip",
                                 "properties.country"], "sep": ", "},
        },
    },
    "scim": {
        "records": "Resources",
        "id": "id",
        "headers": {"Accept": "application/scim+json"},
        "pagination": {"type": "offset", "offset_param": "startIndex", "start": 1,
                       "size_param": "count", "size": 100, "total_path": "totalResults"},
        "incremental": {"field": "meta.lastModified", "param": "filter",
                        "template": 'meta.lastModified ge "{since}"', "format": "iso"},
        "mapping": {
            "name": [{"join": ["name.givenName", "name.middleName", "name.familyName"]}],
            "email": {"path": "emails[*].value", "type_from": "type"},
            "phone": {"path": "phoneNumbers[*].value", "type_from": "type"},
            "title": "title",
            "company": f'["{SCIM_ENTERPRISE}"].organization',
            "address": {"path": "addresses[*].formatted", "type_from": "type"},
            "website": "profileUrl",
        },
    },
}


def apply_preset(options: dict[str, Any]) -> dict[str, Any]:
    """The options with the preset's keys filled in under the config's own."""
    name = options.get("preset")
    if name is None:
        return options
    if name not in PRESETS:
        from webleads_core.errors import ConfigError

        raise ConfigError(f"preset must be one of {', '.join(PRESETS)}")
    merged = dict(PRESETS[name])
    merged.update({k: v for k, v in options.items() if k != "preset"})
    return merged
