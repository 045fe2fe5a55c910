"""Build a source-only VBA project (``vbaProject.bin``) that the host compiles on load (MS-OVBA).

Streams written: ``PROJECT`` (text properties), ``PROJECTwm`` (module names in MBCS and UTF-16),
``VBA/_VBA_PROJECT`` (7 bytes, version 0xFFFF: no compiled code, the host recompiles),
``VBA/dir`` (compressed project information, references and module records) and one stream per
module holding its compressed source at offset 0 (no performance cache). Module source, names
and the PROJECT text are encoded in ``codepage`` (936, GBK, by default for Chinese source), which
PROJECTCODEPAGE declares. The output is deterministic: same input, same bytes.
"""

from __future__ import annotations

import codecs
import hashlib
import re
import struct
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from .cfb import write_cfb
from .compression import compress

__all__ = ["OFFICE16", "STDOLE", "Module", "ModuleKind", "Reference", "build_vba_project", "module_code"]

_IDENTIFIER = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,30}\Z")
_ATTRIBUTE = re.compile(r"VB_[A-Za-z]+\Z")
_GUID = re.compile(r"\{[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}\}\Z")
_VBA_PROJECT = b"\xcc\x61\xff\xff\x00\x00\x00"  # Reserved1 0x61CC, Version 0xFFFF, Reserved2/3
_HOST_EXTENDER = "&H00000001={3832D640-CF90-11CF-8E43-00A0C911005A};VBE;&H00000000"
_CLASS_BASE = "0{FCFB3D2A-A0FA-1068-A738-08002B3371B5}"
_WORKBOOK_BASE = "0{00020819-0000-0000-C000-000000000046}"
_WORKSHEET_BASE = "0{00020820-0000-0000-C000-000000000046}"
_SYSKIND_WIN32 = 1
_LCID = 0x0409  # PROJECTLCID and PROJECTLCIDINVOKE MUST be 0x409


class ModuleKind(StrEnum):
    """Module types: WORKBOOK and WORKSHEET are document modules (ThisWorkbook, Sheet1, ...)."""

    STANDARD = "standard"
    CLASS = "class"
    WORKBOOK = "workbook"
    WORKSHEET = "worksheet"

    @property
    def is_document(self) -> bool:
        """True for a document module (bound to the workbook or a sheet by its code name)."""
        return self in (ModuleKind.WORKBOOK, ModuleKind.WORKSHEET)


@dataclass(frozen=True)
class Module:
    """One VBA module: ``source`` is its code without the ``Attribute VB_*`` header (generated).

    ``attributes`` are module-level ``Attribute VB_*`` lines as ``(name, value text)``, e.g.
    ``("VB_Exposed", "True")``: one named in the generated header replaces its value there, any
    other follows the header in the given order (as the VBA editor stores an imported module).
    """

    name: str
    source: str
    kind: ModuleKind = ModuleKind.STANDARD
    attributes: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Reference:
    """A registered type library reference (REFERENCEREGISTERED): its name and LibId."""

    name: str
    libid: str


STDOLE = Reference("stdole", r"*\G{00020430-0000-0000-C000-000000000046}#2.0#0#"
                             r"C:\Windows\System32\stdole2.tlb#OLE Automation")
OFFICE16 = Reference("Office", r"*\G{2DF8D04C-5BFA-101B-BDE5-00AA0044DE52}#2.0#0#"
                               r"C:\Program Files\Common Files\Microsoft Shared\OFFICE16\MSO.DLL#"
                               r"Microsoft Office 16.0 Object Library")


def _header(module: Module) -> list[str]:
    values = {"VB_Name": f'"{module.name}"'}
    if module.kind is not ModuleKind.STANDARD:
        document = str(module.kind.is_document)
        base = {ModuleKind.CLASS: _CLASS_BASE, ModuleKind.WORKBOOK: _WORKBOOK_BASE}.get(module.kind, _WORKSHEET_BASE)
        values |= {"VB_Base": f'"{base}"', "VB_GlobalNameSpace": "False", "VB_Creatable": "False",
                   "VB_PredeclaredId": document, "VB_Exposed": document, "VB_TemplateDerived": "False",
                   "VB_Customizable": document}
    known = {name.lower(): name for name in values}
    for name, value in module.attributes:
        if not _ATTRIBUTE.match(name) or name.lower() == "vb_name":
            raise ValueError(f"module {module.name}: attribute {name!r} must be a module-level VB_* name "
                             "other than VB_Name")
        values[known.get(name.lower(), name)] = value
    return [f"Attribute {name} = {value}" for name, value in values.items()]


def module_code(module: Module) -> str:
    """The module's full text as stored: the ``Attribute VB_*`` header, then its source, CRLF lines."""
    body = module.source.replace("\r\n", "\n").replace("\r", "\n")
    if body.lstrip().lower().startswith("attribute vb_name"):
        raise ValueError(f"module {module.name}: drop the 'Attribute VB_Name' header, it is generated")
    lines = _header(module) + (body.removesuffix("\n").split("\n") if body else [])
    return "".join(line + "\r\n" for line in lines)


def _encode(text: str, codec: str, what: str) -> bytes:
    try:
        return text.encode(codec)
    except UnicodeEncodeError as exc:
        raise ValueError(f"{what}: {text[exc.start:exc.end]!r} is not in code page {codec}") from exc


def _rec(record_id: int, payload: bytes = b"") -> bytes:
    return struct.pack("<HI", record_id, len(payload)) + payload


def _u16(text: str) -> bytes:
    return text.encode("utf-16-le")


def _dir_stream(modules: Sequence[Module], project_name: str, codepage: int, codec: str,
                references: Sequence[Reference]) -> bytes:
    """The decompressed ``dir`` stream (MS-OVBA 2.3.4.2)."""
    name = _encode(project_name, codec, "project name")
    out = [
        _rec(0x0001, struct.pack("<I", _SYSKIND_WIN32)),  # PROJECTSYSKIND
        _rec(0x0002, struct.pack("<I", _LCID)),  # PROJECTLCID
        _rec(0x0014, struct.pack("<I", _LCID)),  # PROJECTLCIDINVOKE
        _rec(0x0003, struct.pack("<H", codepage)),  # PROJECTCODEPAGE
        _rec(0x0004, name),  # PROJECTNAME
        _rec(0x0005) + _rec(0x0040),  # PROJECTDOCSTRING (MBCS, Unicode): empty
        _rec(0x0006) + _rec(0x003D),  # PROJECTHELPFILEPATH: empty
        _rec(0x0007, struct.pack("<I", 0)),  # PROJECTHELPCONTEXT
        _rec(0x0008, struct.pack("<I", 0)),  # PROJECTLIBFLAGS
        struct.pack("<HIIH", 0x0009, 4, 1, 0),  # PROJECTVERSION: Reserved 4, major 1, minor 0
        _rec(0x000C) + _rec(0x003C),  # PROJECTCONSTANTS: empty
    ]
    for ref in references:
        libid = _encode(ref.libid, "ascii", f"reference {ref.name}")
        out += [_rec(0x0016, _encode(ref.name, codec, "reference name")), _rec(0x003E, _u16(ref.name)),
                _rec(0x000D, struct.pack("<I", len(libid)) + libid + struct.pack("<IH", 0, 0))]
    out += [_rec(0x000F, struct.pack("<H", len(modules))), _rec(0x0013, struct.pack("<H", 0xFFFF))]
    for module in modules:
        mbcs = _encode(module.name, codec, "module name")
        out += [
            _rec(0x0019, mbcs), _rec(0x0047, _u16(module.name)),  # MODULENAME, MODULENAMEUNICODE
            _rec(0x001A, mbcs), _rec(0x0032, _u16(module.name)),  # MODULESTREAMNAME
            _rec(0x001C) + _rec(0x0048),  # MODULEDOCSTRING: empty
            _rec(0x0031, struct.pack("<I", 0)),  # MODULEOFFSET: source at 0, no performance cache
            _rec(0x001E, struct.pack("<I", 0)),  # MODULEHELPCONTEXT
            _rec(0x002C, struct.pack("<H", 0xFFFF)),  # MODULECOOKIE
            _rec(0x0021 if module.kind is ModuleKind.STANDARD else 0x0022),  # MODULETYPE
            _rec(0x002B),  # module Terminator
        ]
    out.append(_rec(0x0010))  # dir Terminator
    return b"".join(out)


def _encrypt(project_id: str, data: bytes, seed: int) -> str:
    """MS-OVBA 2.4.3.2 data encryption (obfuscation) of ``data``, as upper-case hex."""
    version = 2
    key = sum(project_id.encode("ascii")) & 0xFF
    out = [seed, seed ^ version, seed ^ key]
    unencrypted, encrypted1, encrypted2 = key, out[2], out[1]
    ignored = bytes((seed & 6) // 2)  # IgnoredLength arbitrary bytes: zeros
    for byte in ignored + struct.pack("<I", len(data)) + data:
        enc = byte ^ ((encrypted2 + unencrypted) & 0xFF)
        out.append(enc)
        encrypted2, encrypted1, unencrypted = encrypted1, enc, byte
    return bytes(out).hex().upper()


def _project_stream(modules: Sequence[Module], project_name: str, project_id: str, codec: str) -> bytes:
    """The ``PROJECT`` stream (MS-OVBA 2.3.1): unprotected, visible, no password."""
    seeds = hashlib.sha256(project_id.encode("ascii")).digest()
    protection = _encrypt(project_id, bytes(4), seeds[0])  # CMG: not protected
    password = _encrypt(project_id, bytes(1), seeds[1])  # DPB: no password
    visibility = _encrypt(project_id, b"\xff", seeds[2])  # GC: visible
    lines = [f'ID="{project_id}"']
    for module in modules:
        lines.append(f"Document={module.name}/&H00000000" if module.kind.is_document
                     else f"Class={module.name}" if module.kind is ModuleKind.CLASS else f"Module={module.name}")
    lines += [
        f'Name="{project_name}"', 'HelpContextID="0"', 'VersionCompatible32="393222000"',
        f'CMG="{protection}"', f'DPB="{password}"', f'GC="{visibility}"',
        "", "[Host Extender Info]", _HOST_EXTENDER, "", "[Workspace]",
        *(f"{module.name}=0, 0, 0, 0, C" for module in modules), "",
    ]
    return _encode("".join(line + "\r\n" for line in lines), codec, "PROJECT stream")


def _check(modules: Sequence[Module], project_name: str, references: Sequence[Reference]) -> None:
    if not _IDENTIFIER.match(project_name):
        raise ValueError(f"project name {project_name!r} must be an ASCII VBA identifier of 1-31 characters")
    taken = {project_name.lower(), "vba", "excel", "dir", *(ref.name.lower() for ref in references)}
    for module in modules:
        if not _IDENTIFIER.match(module.name):
            raise ValueError(f"module name {module.name!r} must be an ASCII VBA identifier of 1-31 characters")
        if module.name.lower() in taken:
            raise ValueError(f"module name {module.name!r} is taken (project, library or another module)")
        taken.add(module.name.lower())


def build_vba_project(modules: Sequence[Module], *, project_name: str = "VBAProject", codepage: int = 936,
                      references: Sequence[Reference] = (STDOLE,), project_id: str | None = None) -> bytes:
    """The bytes of a source-only ``vbaProject.bin`` holding ``modules`` (Excel compiles on load).

    ``project_id`` is the PROJECT stream's ``ID`` GUID ("{...}"); by default derived from the names.
    """
    _check(modules, project_name, references)
    try:
        codec = codecs.lookup(f"cp{codepage}").name
    except LookupError:
        raise ValueError(f"unknown code page {codepage}") from None
    if project_id is None:
        seed = "\0".join([project_name, *(m.name for m in modules)])
        project_id = "{" + str(uuid.uuid5(uuid.NAMESPACE_URL, "xlpromo-vba:" + seed)).upper() + "}"
    elif not _GUID.match(project_id):
        raise ValueError(f"project_id {project_id!r} must be an upper-case GUID in braces")
    streams = {
        "PROJECT": _project_stream(modules, project_name, project_id, codec),
        "PROJECTwm": b"".join(_encode(m.name, codec, "module name") + b"\0" + _u16(m.name) + b"\0\0"
                              for m in modules) + b"\0\0",
        "VBA/_VBA_PROJECT": _VBA_PROJECT,
        "VBA/dir": compress(_dir_stream(modules, project_name, codepage, codec, references)),
    }
    for module in modules:
        streams["VBA/" + module.name] = compress(_encode(module_code(module), codec, f"module {module.name}"))
    return write_cfb(streams)
