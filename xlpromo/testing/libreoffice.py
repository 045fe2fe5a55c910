"""LibreOffice headless as an independent spreadsheet engine: recalculate and print.

Each call runs ``soffice`` with a private profile that forces recalculation of OOXML
formulas on load, so the values read back are LibreOffice's, not our cached ones.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from xlpromo.errors import LibreOfficeError

__all__ = ["LibreOfficeError", "convert", "soffice"]

_XCU = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
 xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">
<prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">
<prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""





def soffice() -> str:
    """Path of the soffice executable (LibreOfficeError if it is not installed)."""
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if not exe:
        raise LibreOfficeError("找不到 LibreOffice（soffice）：请安装 libreoffice-calc")
    return exe


def convert(src: str | os.PathLike[str], fmt: str, out_dir: str | os.PathLike[str],
            timeout: float = 180) -> Path:
    """Open ``src`` in LibreOffice, recalculate every formula, save as ``fmt`` in ``out_dir``."""
    src, out = Path(src), Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="xlpromo-lo-") as profile:
        user = Path(profile, "user")
        user.mkdir()
        (user / "registrymodifications.xcu").write_text(_XCU, encoding="utf-8")
        cmd = [soffice(), f"-env:UserInstallation={Path(profile).as_uri()}", "--headless",
               "--norestore", "--convert-to", fmt, "--outdir", str(out), str(src)]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
    result = out / (src.stem + "." + fmt.split(":")[0])
    if proc.returncode != 0 or not result.exists():
        raise LibreOfficeError(f"LibreOffice 转换 {src.name} 失败：{proc.stderr.strip()}")
    return result
