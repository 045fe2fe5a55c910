"""Native figure, run by hand: ``python bench/run.py --native 1000,4000,16000 [--repeat 3]``.

What a person feels in LibreOffice: the bench workbook of N daily rows opened headless with every formula
recalculated, then saved (``xlpromo.testing.libreoffice.convert``), against the floor — the same file with
每日监控's 环比 formulas (环比变化 and its hidden 环比键, 前一日实际值) left as cached values. Printed per size:
both times (median of --repeat), their ratio (target at 8,000 rows: ≤ 1.3) and the 环比 part (full − floor)
relative to the smallest size's (target from 4,000 to 16,000 rows: ≤ 5, i.e. linear, where N² would be 16).
"""

from __future__ import annotations

import re
import statistics
import tempfile
import time
import zipfile
from pathlib import Path

from xlpromo.model.a1 import col_name
from xlpromo.model.master import DAILY

#: The formula columns the floor leaves without formula.
DOD_COLUMNS = ("dod", "dod_key", "dod_prev")


def _daily_part(z: zipfile.ZipFile) -> str:
    """The worksheet part of 每日监控 (the sheet whose table part is named Daily)."""
    for name in z.namelist():
        if re.fullmatch(r"xl/tables/table\d+\.xml", name) and f'name="{DAILY.name}"' in z.read(name).decode():
            table = name.rsplit("/", 1)[1]
            for rels in z.namelist():
                if rels.startswith("xl/worksheets/_rels/") and table in z.read(rels).decode():
                    return "xl/worksheets/" + rels.rsplit("/", 1)[1].removesuffix(".rels")
    raise LookupError("no Daily table")


def floor_copy(src: Path, dst: Path) -> Path:
    """``src`` with the formulas of :data:`DOD_COLUMNS` on the data rows removed (their cached values kept)."""
    letters = "|".join(col_name(DAILY.first_col + DAILY.index(k)) for k in DOD_COLUMNS)
    first = DAILY.header_row + 2  # the first data row, 1-based
    cell = re.compile(rf'(<c r="(?:{letters})(\d+)"[^>]*>)<f>[^<]*</f>')
    with zipfile.ZipFile(src) as zi, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zo:
        part = _daily_part(zi)
        for item in zi.infolist():
            data = zi.read(item.filename)
            if item.filename == part:
                data = cell.sub(lambda m: m.group(1) if int(m.group(2)) >= first else m.group(0),
                                data.decode()).encode()
            zo.writestr(item, data)
    return dst


def _convert_seconds(path: Path, out: Path) -> float:
    from xlpromo.testing.libreoffice import convert

    t0 = time.perf_counter()
    convert(path, "xlsx", out, timeout=1800)
    return time.perf_counter() - t0


def run(sizes: list[int], repeat: int) -> None:
    """Print the native table for ``sizes`` (daily rows)."""
    from run import make_book

    print(f"{'rows':>8} {'full s':>7} {'floor s':>7} {'full/floor':>10} {'环比 s':>7} {'环比 ×':>7}")
    base: float | None = None
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            full = make_book(Path(tmp) / f"native-{n}.xlsx", n)
            floor = floor_copy(full, Path(tmp) / f"native-{n}-floor.xlsx")
            times: dict[Path, list[float]] = {full: [], floor: []}
            for _ in range(repeat):  # alternated, so a slow moment of the machine hits both
                for p in times:
                    times[p].append(_convert_seconds(p, Path(tmp) / "out"))
            f, fl = statistics.median(times[full]), statistics.median(times[floor])
            part = f - fl
            base = base if base is not None else part
            print(f"{n:>8} {f:>7.2f} {fl:>7.2f} {f / fl:>10.2f} {part:>7.2f} {part / base:>7.1f}", flush=True)
