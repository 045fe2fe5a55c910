"""Relationships parts (``_rels/*.rels``): which part a relationship points to, and a new one added.

One implementation for the package editor and for :mod:`xlpromo.files.reader`, so both find the
same workbook, sheets, styles and tables in a package.
"""

from __future__ import annotations

import posixpath
import re
from urllib.parse import unquote

from xlpromo.ooxml.xmltext import REL_NS, ns_prefix, tag_attrs

__all__ = ["RT_STYLES", "RT_WORKSHEET", "add_relationship", "next_id", "relationships", "rels_part", "resolve"]

RT_WORKSHEET = REL_NS + "/worksheet"
RT_STYLES = REL_NS + "/styles"
_RELATIONSHIP = re.compile(r"<(?:[\w.-]+:)?Relationship\b((?:[^>\"']|\"[^\"]*\"|'[^']*')*?)/?>")


def rels_part(part: str) -> str:
    """The relationships part of ``part`` (``xl/workbook.xml`` → ``xl/_rels/workbook.xml.rels``; the package
    itself, ``""``, → ``_rels/.rels``)."""
    return posixpath.join(posixpath.dirname(part), "_rels", posixpath.basename(part) + ".rels")


def relationships(xml: str) -> list[dict[str, str]]:
    """The attributes (Id, Type, Target, TargetMode) of each relationship of a .rels part, in order."""
    return [tag_attrs(m.group(1)) for m in _RELATIONSHIP.finditer(xml)]


def resolve(source_part: str, target: str) -> str:
    """The part a relationship target names, resolved against the folder of the part that names it."""
    target = unquote(target)
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(source_part), target))


def next_id(rels: list[dict[str, str]]) -> str:
    """A relationship Id not taken yet: ``rId`` and one more than the highest number."""
    ids = {r.get("Id", "") for r in rels}
    return f"rId{1 + max((int(i[3:]) for i in ids if re.fullmatch(r'rId[0-9]+', i)), default=0)}"


def add_relationship(xml: str, rid: str, rel_type: str, target: str) -> str:
    """A .rels part with one relationship appended."""
    p = ns_prefix(xml, "Relationships")
    close = xml.rfind(f"</{p}Relationships>")
    return xml[:close] + f'<{p}Relationship Id="{rid}" Type="{rel_type}" Target="{target}"/>' + xml[close:]
