"""``check``, ``recalc`` and ``report``: one workbook in, its findings, fresh values or retrospective out."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Annotated, Any

import typer

from xlpromo.cli.base import (
    Command,
    app,
    check_output,
    console,
    errors,
    fail,
    folded_table,
    guarded,
    safe,
    unusable,
    writable,
)

SHOWN = 200  # rows of each table `check` prints: a terminal is no place for 10,000 rows


@app.command(cls=Command)
def check(
    book: Annotated[Path, typer.Argument(metavar="BOOK.xlsx", help="要检查的工作簿 .xlsx")],
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON（与程序内的报告相同）")] = False,
    limit: Annotated[int, typer.Option("--limit", help=f"每张表最多显示多少条（默认 {SHOWN}，0 为全部；"
                                                       "--json 总是全部）")] = SHOWN,
) -> None:
    """检查工作簿：逐格校验并列出预警。退出码 0 无错误，1 有错误，2 文件无法使用。"""
    if limit < 0:
        raise fail(f"--limit {limit} 不能为负数：0 表示全部显示")
    from xlpromo.files.check import check as run_check

    try:
        with console.status("正在检查…", spinner="dots") if not as_json else contextlib.nullcontext():
            report = run_check(book)
    except Exception as exc:  # never a traceback: a clear message and exit code 2
        exc = unusable(book, exc, "检查")
        if as_json:
            typer.echo(json.dumps({"valid": False, "file": book.name, "error": {
                "code": exc.code, "message": str(exc), "sheet": exc.sheet, "header": exc.header}},
                ensure_ascii=False, indent=2))
            raise typer.Exit(2) from None
        raise fail(str(exc)) from None
    if as_json:
        typer.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        _print_report(report, limit)
    raise typer.Exit(0 if report.valid else 1)


def _print_report(report: Any, limit: int = 0) -> None:
    """The findings and alerts as two tables (texts folded, never cut; at most ``limit`` rows each unless 0),
    then a one-line verdict."""
    from xlpromo.engine.alerts import ALERT_HEADERS

    def cut(items: list[Any]) -> list[Any]:
        return items[:limit] if limit else items

    def rest(items: list[Any], title: str) -> None:
        if limit and len(items) > limit:
            console.print(f"……另有 {len(items) - limit} 条{title}未显示：--limit 0 显示全部，--json 输出全部，"
                          f"或用 xlpromo recalc 生成“{title}”工作表（每条链接到单元格）")

    if report.findings:
        t = folded_table(f"问题清单（{len(report.findings)}）", ("位置", "级别", "列", "问题", "代码"))
        for f in cut(report.findings):
            t.add_row(safe(f.ref), "错误" if f.severity == "error" else "提示", safe(f.header), safe(f.message),
                      safe(f.code), style="red" if f.severity == "error" else "yellow")
        console.print(t)
        rest(report.findings, "问题清单")
    if report.alerts:
        t = folded_table(f"预警（{len(report.alerts)}）", ALERT_HEADERS)
        for a in cut(report.alerts):
            style = {"严重": "red", "预警": "yellow"}.get(a.level.value, "")
            t.add_row(safe(f"{a.sheet}!{a.cell}"), safe(a.level.value), safe(a.state), safe(a.message), safe(a.dept),
                      safe(a.deadline), style=style)
        console.print(t)
        rest(report.alerts, "预警")
    verdict = "[green]通过[/]" if report.valid else "[red]有错误[/]"
    console.print(f"{safe(report.path.name)}：{verdict}；{report.tally()}", soft_wrap=False)


@app.command(cls=Command, short_help="重算：填入计算结果，生成问题清单与预警，标出问题单元格。")
def recalc(
    book: Annotated[Path, typer.Argument(metavar="BOOK.xlsx", help="要重算的工作簿 .xlsx")],
    out: Annotated[Path | None, typer.Option("-o", "--output", help="输出的新工作簿 .xlsx")] = None,
    in_place: Annotated[bool, typer.Option("--in-place", help="直接替换原文件（先在旁边保存备份）")] = False,
    force: Annotated[bool, typer.Option(help="覆盖已存在的输出文件")] = False,
) -> None:
    """重算：填入计算结果，生成“问题清单”和“预警”工作表，并标出有问题的单元格。"""
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from xlpromo.roundtrip.recalc import recalc as run_recalc

    if out is not None and in_place:
        raise fail("-o 与 --in-place 不能同时使用：要写出新文件只用 -o，要替换原文件只用 --in-place")
    if out is None and not in_place:
        raise fail("请给出 -o 输出文件，或使用 --in-place 替换原文件")
    if out is not None:
        kind = book.suffix.lower() if book.suffix.lower() in (".xlsx", ".xlsm", ".xlam") else ".xlsx"
        check_output(out, force, (kind,), inputs=[book],  # an .xlsm stays an .xlsm: its VBA project is kept
                     hint="要替换原文件请用 --in-place")
    elif book.exists() and not writable(book):
        raise fail(f"{book} 是只读文件：--in-place 不替换只读文件。请用 -o 写出新文件，或先取消它的只读属性")
    with guarded(book, out or book, doing="重算"), Progress(SpinnerColumn(), TextColumn("{task.description}"),
                                               TimeElapsedColumn(), console=errors, transient=True) as progress:
        task = progress.add_task("重算", total=None)
        result = run_recalc(book, out, in_place=in_place,
                            step=lambda name: progress.update(task, description=f"重算：{safe(name)}…"))
    r = result.report
    console.print(f"[green]已写入[/] {safe(result.output)}：更新 {result.cells_updated} 个计算格；{r.tally()}")
    if result.backup:
        here = Path.cwd().resolve()
        backup = result.backup.relative_to(here) if result.backup.is_relative_to(here) else result.backup
        console.print(f"原文件已备份为 {safe(backup)}")
    if result.not_formulas:
        shown = "、".join(result.not_formulas[:5]) + ("…" if len(result.not_formulas) > 5 else "")
        console.print(f"[yellow]注意[/]：{len(result.not_formulas)} 个计算列单元格没有公式（被手工覆盖？），"
                      f"未改动：{safe(shown)}")
    raise typer.Exit(0 if r.valid else 1)


@app.command(cls=Command)
def report(
    book: Annotated[Path, typer.Argument(metavar="BOOK.xlsx", help="已填写的工作簿 .xlsx")],
    out: Annotated[Path, typer.Option("-o", "--output", help="输出文件：.md、.html 或 .xlsx")],
    force: Annotated[bool, typer.Option(help="覆盖已存在的输出文件")] = False,
) -> None:
    """根据工作簿数据生成运营效果复盘报告。"""
    from xlpromo.files.charts import chart_files
    from xlpromo.files.check import check as run_check
    from xlpromo.files.retro import FORMATS, chart_folder, write_report

    if out.suffix.lower() not in FORMATS:
        raise fail(f"{out}：复盘报告只能输出为 {'、'.join(FORMATS)}")
    check_output(out, force, FORMATS, inputs=[book])
    if out.suffix.lower() == ".md" and not force and (taken := chart_files(chart_folder(out))):
        raise fail(f"{chart_folder(out)} 里已有图表（{'、'.join(p.name for p in taken)}），会被新报告的图表替换；"
                   "如需覆盖请加 --force")
    with guarded(book, out, doing="生成复盘报告"), console.status("正在生成复盘报告…", spinner="dots"):
        write_report(run_check(book), out)
    console.print(f"[green]已生成复盘报告[/] {safe(out)}")
