"""Pure-Python writer of source-only VBA projects (``vbaProject.bin``) for .xlsm/.xlam files.

``build_vba_project`` assembles the MS-OVBA streams (``project``), compressed with MS-OVBA 2.4.1
(``compression``) inside a Compound File Binary container (``cfb``).
"""

from __future__ import annotations

from .cfb import write_cfb
from .compression import DecompressionError, compress, decompress
from .project import OFFICE16, STDOLE, Module, ModuleKind, Reference, build_vba_project, module_code

__all__ = [
    "OFFICE16",
    "STDOLE",
    "DecompressionError",
    "Module",
    "ModuleKind",
    "Reference",
    "build_vba_project",
    "compress",
    "decompress",
    "module_code",
    "write_cfb",
]
