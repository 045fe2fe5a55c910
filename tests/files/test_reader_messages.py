"""Files that are not an .xlsx: the advice names every program a department may have, not Excel alone."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from xlpromo.cli import app

OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the compound-file header of .xls and of encrypted OOXML


@pytest.mark.parametrize("body, message", [
    (OLE + b"\0" * 504, "这是旧版 .xls 文件：请在 Excel、WPS 或 LibreOffice 中另存为 .xlsx"),
    (OLE + b"\0" * 200 + "EncryptionInfo".encode("utf-16-le") + b"\0" * 200,
     "文件设置了打开密码：请在 Excel、WPS 或 LibreOffice 中取消密码后另存为 .xlsx"),
])
@pytest.mark.parametrize("command", [["check"], ["recalc", "-o", "out.xlsx"]])
def test_an_xls_or_a_locked_file_is_sent_to_any_spreadsheet_program(tmp_path: Path, body: bytes, message: str,
                                                                     command: list[str]) -> None:
    book = tmp_path / "活动.xls"
    book.write_bytes(body)
    args = [command[0], str(book), *[str(tmp_path / a) if a.endswith(".xlsx") else a for a in command[1:]]]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2
    assert result.output.replace("\n", "") == f"错误：活动.xls: {message}"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["活动.xls"]
