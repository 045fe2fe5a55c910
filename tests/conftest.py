"""Shared fixtures: the demo and blank workbooks, and LibreOffice's recalculation of them."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from python_calamine import CalamineWorkbook

from xlpromo.builder import build_workbook
from xlpromo.demo import demo_frames
from xlpromo.libreoffice import convert

Rows = list[list[Any]]


def read_values(path: Path) -> dict[str, Rows]:
    """Every sheet's values as calamine reads them (cached formula results included)."""
    wb = CalamineWorkbook.from_path(str(path))
    return {name: wb.get_sheet_by_name(name).to_python() for name in wb.sheet_names}


@pytest.fixture(scope="session")
def soffice() -> str:
    """LibreOffice is required: .ci/run installs it; a missing soffice fails, never skips."""
    exe = shutil.which("soffice")
    if exe is None:
        pytest.fail("LibreOffice (soffice) is not installed: run `bash .ci/run` or "
                    "`apt-get install libreoffice-calc`")
    return exe


@pytest.fixture(scope="session")
def demo_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_workbook(tmp_path_factory.mktemp("demo") / "demo.xlsx", demo_frames())


@pytest.fixture(scope="session")
def blank_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_workbook(tmp_path_factory.mktemp("blank") / "blank.xlsx")


@pytest.fixture(scope="session")
def recalc(soffice: str, tmp_path_factory: pytest.TempPathFactory) -> Callable[[Path], Path]:
    """Recalculate a workbook in LibreOffice and return the path of its saved copy."""
    out = tmp_path_factory.mktemp("lo")
    cache: dict[Path, Path] = {}

    def run(path: Path) -> Path:
        if path not in cache:
            target = out / str(len(cache))
            cache[path] = convert(path, "xlsx", target)
        return cache[path]

    return run
