"""``daily``: the day's report (日报) of a workbook, to the terminal, a file, or the team's group robot."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from xlpromo.cli.base import Command, app, check_output, console, fail, guarded, safe
from xlpromo.cli.make import parse_date

_SUFFIXES = {"text": (".txt", ".md"), "markdown": (".md", ".txt"), "json": (".json",)}


@app.command(cls=Command, short_help="数据日报：进度、未达标、各部门待办、做得好的。")
def daily(
    book: Annotated[Path, typer.Argument(metavar="BOOK.xlsx", help="已填写的工作簿 .xlsx")],
    date: Annotated[str | None, typer.Option(
        "--date", help="统计日期，如 2024-06-21；默认为阈值配置的统计日期")] = None,
    fmt: Annotated[str, typer.Option("--format", help="text（默认）、markdown 或 json")] = "text",
    out: Annotated[Path | None, typer.Option("-o", "--output", help="写入文件（.txt/.md/.json），不打印")] = None,
    limit: Annotated[int, typer.Option("--limit", help="每个部门、每类最多列出几条（默认 5，0 为全部；"
                                                       "json 总是全部）")] = 5,
    force: Annotated[bool, typer.Option(help="覆盖已存在的输出文件")] = False,
) -> None:
    """生成当天的数据日报：进度、未达标指标、各部门待处理事项、做得好的地方。统计日期之后的行不计入。"""
    from xlpromo.engine.daily import daily_report
    from xlpromo.files.check import check as run_check
    from xlpromo.files.daily import DAILY_FORMATS, render_daily, write_daily

    if fmt not in DAILY_FORMATS:
        raise fail(f"--format {fmt}：只能是 {'、'.join(DAILY_FORMATS)}")
    if limit < 0:
        raise fail(f"--limit {limit} 不能为负数：0 表示全部列出")
    try:
        as_of = parse_date(date) if date else None
    except ValueError as exc:
        raise fail(f"--date：{exc}") from None
    if out is not None:
        check_output(out, force, _SUFFIXES[fmt], inputs=[book])
    with guarded(book, out, doing="生成日报"):
        text = render_daily(daily_report(run_check(book, as_of=as_of)), fmt, limit)
        if out is not None:
            write_daily(text, out)
    if out is None:
        typer.echo(text, nl=False)
    else:
        console.print(f"[green]已生成日报[/] {safe(out)}")
