"""Command line: ``xlpromo new`` (blank master workbook) and ``xlpromo demo`` (a filled 618).

Exit codes: 0 success, 2 unusable input (bad option, existing output without --force).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from xlpromo import __version__
from xlpromo.builder import Campaign, build_workbook
from xlpromo.sheets import SCHEMA

__all__ = ["app", "parse_date"]

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="xlpromo：电商促销活动主工作簿（618、双11）的生成与检查工具。")
console = Console(soft_wrap=True)
errors = Console(stderr=True, soft_wrap=True)

_DATE = re.compile(r"^\s*(\d{4})\s*[-./年]\s*(\d{1,2})\s*[-./月]\s*(\d{1,2})\s*日?\s*$")


def parse_date(text: str) -> dt.date:
    """``2024-06-01``, ``2024.06.01``, ``2024/6/1`` or ``2024年6月1日`` → date (ValueError if not)."""
    m = _DATE.match(text)
    try:
        if m:
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        pass
    raise ValueError(f"无法识别的日期：{text!r}（示例：2024-06-01）")


def _fail(message: str) -> typer.Exit:
    errors.print(f"[bold red]错误：[/]{message}")
    return typer.Exit(2)


def _check_output(out: Path, force: bool) -> None:
    if out.suffix.lower() != ".xlsx":
        raise _fail(f"{out}：输出文件须为 .xlsx")
    if out.exists() and not force:
        raise _fail(f"{out} 已存在；如需覆盖请加 --force")


def _done(out: Path) -> None:
    console.print(f"[green]已生成[/] {out}（{len(SCHEMA.sheets)} 个工作表："
                  f"{'、'.join(s.name for s in SCHEMA.sheets)}）")


@app.command()
def new(
    out: Annotated[Path, typer.Argument(help="输出的 .xlsx 文件")],
    campaign: Annotated[str, typer.Option(help="活动名称，如 2025年双11大促")] = "",
    start: Annotated[str | None, typer.Option(help="爆发期开始日期，如 2025-11-01")] = None,
    end: Annotated[str | None, typer.Option(help="爆发期结束日期，如 2025-11-11")] = None,
    warmup_days: Annotated[int, typer.Option(min=0, help="预热期天数（爆发开始前）")] = 7,
    return_days: Annotated[int, typer.Option(min=0, help="返场期天数（爆发结束后）")] = 3,
    force: Annotated[bool, typer.Option(help="覆盖已存在的输出文件")] = False,
) -> None:
    """生成空白主工作簿（可预填活动名称与时间节点）。"""
    _check_output(out, force)
    if (start is None) != (end is None):
        raise _fail("--start 和 --end 需同时给出")
    try:
        s = parse_date(start) if start else None
        e = parse_date(end) if end else None
    except ValueError as exc:
        raise _fail(str(exc)) from None
    if s and e and e < s:
        raise _fail(f"爆发期结束日期 {e} 早于开始日期 {s}")
    build_workbook(out, campaign=Campaign(name=campaign, start=s, end=e,
                                          warmup_days=warmup_days, return_days=return_days))
    _done(out)


@app.command()
def demo(
    out: Annotated[Path, typer.Argument(help="输出的 .xlsx 文件")] = Path("xlpromo-demo.xlsx"),
    force: Annotated[bool, typer.Option(help="覆盖已存在的输出文件")] = False,
) -> None:
    """生成填好数据的 618 示例工作簿（28 天日报、逾期任务、复盘）。"""
    from xlpromo.demo import demo_frames

    _check_output(out, force)
    build_workbook(out, demo_frames())
    _done(out)


@app.command()
def version() -> None:
    """显示版本号。"""
    typer.echo(__version__)


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":
    main()
