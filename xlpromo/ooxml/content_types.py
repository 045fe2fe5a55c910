"""``[Content_Types].xml``: the part names it lists, and the Override that registers a new part."""

from __future__ import annotations

import re

from xlpromo.ooxml.xmltext import ns_prefix, tag_attrs

__all__ = ["CT_STYLES", "CT_WORKSHEET", "add_override", "override_names"]

CT_WORKSHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
CT_STYLES = "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"


def override_names(ct: str) -> set[str]:
    """Part names with an Override (lower case, no leading ``/``): a new part must not take one of them."""
    return {a.get("PartName", "").lstrip("/").lower() for a in map(tag_attrs, re.findall(
        r"<(?:[\w.-]+:)?Override\b((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>", ct))}


def add_override(ct: str, part: str, content_type: str) -> str:
    """``[Content_Types].xml`` with the part ``part`` registered as ``content_type``."""
    p = ns_prefix(ct, "Types")
    close = ct.rfind(f"</{p}Types>")
    return ct[:close] + f'<{p}Override PartName="/{part}" ContentType="{content_type}"/>' + ct[close:]
