"""A sheet of the user's own named like a sheet xlpromo writes: refused with a Chinese message, never overwritten.

recalc writes 问题清单 and 预警, merge writes 合并冲突 and 变更记录. When the workbook already has
a sheet of that name that xlpromo did not make, the command stops with exit code 2, names the
sheet, says nothing of an internal error, and leaves every input file as it was.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from xlpromo.cli import app
from xlpromo.ooxml import BookPatch

pytestmark = pytest.mark.filterwarnings("ignore:.*extension is not supported:UserWarning")  # openpyxl, x14

runner = CliRunner()
TASKS = "任务分工"


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _with_user_sheet(src: Path, dst: Path, name: str, cells: dict[str, str] | None = None) -> Path:
    """``src`` saved by openpyxl (as a user's Excel would) with a sheet of the user's called ``name``."""
    wb = openpyxl.load_workbook(src)
    wb.create_sheet(name)["A1"] = "我自己的记录，不要覆盖"
    for ref, v in (cells or {}).items():
        wb[TASKS][ref] = v
    wb.save(dst)
    return dst


def _refused(args: list[str], sheet: str, inputs: list[Path], out: Path) -> None:
    before = {p: _sha(p) for p in inputs}
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    text = "".join(result.output.split())  # rich wraps long messages
    assert f"“{sheet}”" in text and "改名" in text, result.output
    assert "内部错误" not in text, result.output
    assert {p: _sha(p) for p in inputs} == before
    assert not out.exists()


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("collision") / "demo.xlsx"
    result = runner.invoke(app, ["demo", str(path)])
    assert result.exit_code == 0, result.output
    return path


@pytest.mark.parametrize("sheet", ["问题清单", "预警"])
def test_recalc_refuses_to_overwrite_a_users_sheet(sheet: str, demo: Path, tmp_path: Path) -> None:
    book = _with_user_sheet(demo, tmp_path / "mine.xlsx", sheet)
    out = tmp_path / "out.xlsx"
    _refused(["recalc", str(book), "-o", str(out)], sheet, [book], out)


def test_recalc_in_place_refuses_too(demo: Path, tmp_path: Path) -> None:
    book = _with_user_sheet(demo, tmp_path / "mine.xlsx", "预警")
    before = set(tmp_path.iterdir())
    result = runner.invoke(app, ["recalc", str(book), "--in-place"])
    assert result.exit_code == 2, result.output
    assert "预警" in result.output and "内部错误" not in result.output
    assert set(tmp_path.iterdir()) == before  # no backup, no half-written file


@pytest.mark.parametrize("sheet", ["合并冲突", "变更记录"])
def test_merge_refuses_to_overwrite_a_users_sheet(sheet: str, demo: Path, tmp_path: Path) -> None:
    copy = tmp_path / "仓储部.xlsx"
    result = runner.invoke(app, ["split", str(demo), "--dept", "仓储部", "-o", str(copy)])
    assert result.exit_code == 0, result.output
    typed = BookPatch.open(copy)
    typed.set_cells(TASKS, {(17, 12): "仓库已发货98%"})  # L17, the 备注 of a 仓储部 task
    typed.save(copy)
    # the master's own L17 changed too: a conflict, so 合并冲突 has a row to write
    master = _with_user_sheet(demo, tmp_path / "master.xlsx", sheet, {"L17": "运营催促中"})
    out = tmp_path / "merged.xlsx"
    _refused(["merge", str(master), str(copy), "-o", str(out)], sheet, [master, copy], out)
