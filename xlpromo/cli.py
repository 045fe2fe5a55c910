"""Command line: ``new`` (blank master workbook), ``demo`` (a filled 618), ``check`` (findings and alerts).

Exit codes: 0 success (``check``: no error finding), 1 ``check`` found errors, 2 unusable input
(bad option, a file that is not a usable workbook, existing output without --force).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from xlpromo import __version__, parse
from xlpromo.builder import Campaign, build_workbook
from xlpromo.errors import WorkbookError
from xlpromo.sheets import SCHEMA

__all__ = ["app", "parse_date"]

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="xlpromo：电商促销活动主工作簿（618、双11）的生成与检查工具。")
console = Console(soft_wrap=True)
errors = Console(stderr=True, soft_wrap=True)

FIRST_YEAR, LAST_YEAR = 2000, 2099  # the range the workbook's date validation accepts
MAX_PHASE_DAYS = 60


def parse_date(text: str) -> dt.date:
    """A campaign date as staff write it (``2024-06-01``, ``2024.6.1``, ``2024年6月1日``…), within 2000–2099."""
    try:
        day = parse.parse_date(text)
    except parse.ParseError as exc:
        raise ValueError(f"无法识别的日期：“{text}”（示例：2024-06-01）") from exc
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise ValueError(f"日期 {day} 超出范围：请填写 {FIRST_YEAR}—{LAST_YEAR} 年之间的日期")
    return day


def _fail(message: str) -> typer.Exit:
    errors.print(f"[bold red]错误：[/]{message}")
    return typer.Exit(2)


def _unusable(book: Path, exc: Exception) -> WorkbookError:
    """Any failure as a WorkbookError naming the file: an unexpected one says it is internal."""
    if isinstance(exc, WorkbookError):
        return exc
    return WorkbookError(book, f"无法处理此文件（内部错误 {type(exc).__name__}: {exc}），请把文件发给维护者")


@contextlib.contextmanager
def _guarded(book: Path, out: Path | None, tail: str = "") -> Iterator[None]:
    """Never a traceback: a file that cannot be written or used is a Chinese message and exit code 2."""
    try:
        yield
    except typer.Exit:
        raise
    except OSError as exc:
        if out is None:
            raise _fail(f"{_unusable(book, exc)}{tail}") from None
        raise _fail(f"无法写入 {out}：{exc.strerror or exc}{tail}") from None
    except Exception as exc:
        raise _fail(f"{_unusable(book, exc)}{tail}") from None


def _check_output(out: Path, force: bool, suffixes: tuple[str, ...] = (".xlsx",)) -> None:
    if out.suffix.lower() not in suffixes:
        raise _fail(f"{out}：输出文件须为 {' 或 '.join(suffixes)}")
    if out.exists() and not force:
        raise _fail(f"{out} 已存在；如需覆盖请加 --force")


def _write(out: Path, action: Callable[[], object]) -> None:
    """Run a writing action; a folder that cannot be written is a message and exit code 2."""
    try:
        action()
    except OSError as exc:
        raise _fail(f"无法写入 {out}：{exc.strerror or exc}") from None


def _done(out: Path) -> None:
    console.print(f"[green]已生成[/] {out}（{len(SCHEMA.sheets)} 个工作表："
                  f"{'、'.join(s.name for s in SCHEMA.sheets)}）")


@app.command()
def new(
    out: Annotated[Path, typer.Argument(help="输出的 .xlsx 文件")],
    campaign: Annotated[str, typer.Option(help="活动名称，如 2025年双11大促")] = "",
    start: Annotated[str | None, typer.Option(help="爆发期开始日期，如 2025-11-01")] = None,
    end: Annotated[str | None, typer.Option(help="爆发期结束日期，如 2025-11-11")] = None,
    warmup_days: Annotated[int, typer.Option(min=0, max=MAX_PHASE_DAYS, help="预热期天数（爆发开始前）")] = 7,
    return_days: Annotated[int, typer.Option(min=0, max=MAX_PHASE_DAYS, help="返场期天数（爆发结束后）")] = 3,
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
    _write(out, lambda: build_workbook(out, campaign=Campaign(
        name=campaign, start=s, end=e, warmup_days=warmup_days, return_days=return_days)))
    _done(out)


@app.command()
def demo(
    out: Annotated[Path, typer.Argument(help="输出的 .xlsx 文件")] = Path("xlpromo-demo.xlsx"),
    force: Annotated[bool, typer.Option(help="覆盖已存在的输出文件")] = False,
) -> None:
    """生成填好数据的 618 示例工作簿（28 天日报、逾期任务、复盘）。"""
    from xlpromo.demo import demo_frames
    from xlpromo.state import DEMO_CAMPAIGN_ID

    _check_output(out, force)
    _write(out, lambda: build_workbook(out, demo_frames(), campaign_id=DEMO_CAMPAIGN_ID))
    _done(out)


@app.command()
def check(
    book: Annotated[Path, typer.Argument(help="要检查的工作簿 .xlsx")],
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON（与程序内的报告相同）")] = False,
) -> None:
    """检查工作簿：逐格校验并列出预警。退出码 0 无错误，1 有错误，2 文件无法使用。"""
    from xlpromo.engine import check as run_check

    try:
        with console.status("正在检查…", spinner="dots") if not as_json else contextlib.nullcontext():
            report = run_check(book)
    except Exception as exc:  # never a traceback: a clear message and exit code 2
        exc = _unusable(book, exc)
        if as_json:
            typer.echo(json.dumps({"valid": False, "file": book.name, "error": {
                "code": exc.code, "message": str(exc), "sheet": exc.sheet, "header": exc.header}},
                ensure_ascii=False, indent=2))
            raise typer.Exit(2) from None
        raise _fail(str(exc)) from None
    if as_json:
        typer.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        _print_report(report)
    raise typer.Exit(0 if report.valid else 1)


def _print_report(report: Any) -> None:
    if report.findings:
        t = Table(title=f"问题清单（{len(report.findings)}）", show_lines=False)
        for h in ("位置", "级别", "列", "问题", "代码"):
            t.add_column(h)
        for f in report.findings:
            t.add_row(f.ref, "错误" if f.severity == "error" else "提示", f.header, f.message, f.code,
                      style="red" if f.severity == "error" else "yellow")
        console.print(t)
    if report.alerts:
        t = Table(title=f"预警（{len(report.alerts)}）")
        for h in ("位置", "级别", "预警", "责任部门", "时限"):
            t.add_column(h)
        for a in report.alerts:
            style = {"严重": "red", "预警": "yellow"}.get(a.level.value, "")
            t.add_row(f"{a.sheet}!{a.cell}", a.level.value, a.message, a.dept, a.deadline, style=style)
        console.print(t)
    s = report.stats
    verdict = "[green]通过[/]" if report.valid else "[red]有错误[/]"
    console.print(f"{report.path.name}：{verdict}，错误 {s['errors']} 条，"
                  f"提示 {s['warnings']} 条，预警 {s['alerts']} 条")


@app.command()
def recalc(
    book: Annotated[Path, typer.Argument(help="要重算的工作簿 .xlsx")],
    out: Annotated[Path | None, typer.Option("-o", "--output", help="输出的新工作簿 .xlsx")] = None,
    in_place: Annotated[bool, typer.Option("--in-place", help="直接替换原文件（先在旁边保存备份）")] = False,
    force: Annotated[bool, typer.Option(help="覆盖已存在的输出文件")] = False,
) -> None:
    """重算：填入计算结果，生成“问题清单”和“预警”工作表，并标出有问题的单元格。"""
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from xlpromo.recalc import recalc as run_recalc

    if (out is None) == (not in_place):
        raise _fail("请给出 -o 输出文件，或使用 --in-place 替换原文件")
    if out is not None:
        kind = book.suffix.lower() if book.suffix.lower() in (".xlsx", ".xlsm", ".xlam") else ".xlsx"
        _check_output(out, force, (kind,))  # an .xlsm stays an .xlsm: its VBA project is kept
        if out.resolve() == book.resolve():
            raise _fail("输出文件不能与输入相同；要替换原文件请用 --in-place")
    with _guarded(book, out or book), Progress(SpinnerColumn(), TextColumn("{task.description}"),
                                               TimeElapsedColumn(), console=errors, transient=True) as progress:
        task = progress.add_task("重算", total=None)
        result = run_recalc(book, out, in_place=in_place,
                            step=lambda name: progress.update(task, description=f"重算：{name}…"))
    r = result.report
    console.print(f"[green]已写入[/] {result.output}：更新 {result.cells_updated} 个计算格，"
                  f"问题 {len(r.findings)} 条（错误 {r.stats['errors']}），预警 {len(r.alerts)} 条")
    if result.backup:
        console.print(f"原文件已备份为 {result.backup}")
    if result.not_formulas:
        shown = "、".join(result.not_formulas[:5]) + ("…" if len(result.not_formulas) > 5 else "")
        console.print(f"[yellow]注意[/]：{len(result.not_formulas)} 个计算列单元格没有公式（被手工覆盖？），"
                      f"未改动：{shown}")
    raise typer.Exit(0 if r.valid else 1)


@app.command()
def report(
    book: Annotated[Path, typer.Argument(help="已填写的工作簿 .xlsx")],
    out: Annotated[Path, typer.Option("-o", "--output", help="输出文件：.md、.html 或 .xlsx")],
    force: Annotated[bool, typer.Option(help="覆盖已存在的输出文件")] = False,
) -> None:
    """根据工作簿数据生成运营效果复盘报告。"""
    from xlpromo.engine import check as run_check
    from xlpromo.retro import FORMATS, write_report

    if out.suffix.lower() not in FORMATS:
        raise _fail(f"{out}：复盘报告只能输出为 {'、'.join(FORMATS)}")
    if out.resolve() == book.resolve():
        raise _fail("输出文件不能与输入工作簿相同")
    if out.exists() and not force:
        raise _fail(f"{out} 已存在；如需覆盖请加 --force")
    with _guarded(book, out), console.status("正在生成复盘报告…", spinner="dots"):
        write_report(run_check(book), out)
    console.print(f"[green]已生成复盘报告[/] {out}")


@app.command("build-addin")
def build_addin(
    out: Annotated[Path, typer.Option("-o", "--output", help="输出的加载项 .xlam")] = Path("workbook/xlpromo.xlam"),
    force: Annotated[bool, typer.Option(help="覆盖已存在的输出文件")] = False,
) -> None:
    """生成 Excel 加载项 xlpromo.xlam（功能区按钮与自定义函数，需要已安装的 xlwings）。"""
    from xlpromo import addin

    _check_output(out, force, (".xlam",))
    try:
        data = addin.build_addin()
    except addin.AddinError as exc:
        raise _fail(str(exc)) from None
    _write(out, lambda: addin.write_addin(out, data))
    console.print(f"[green]已生成加载项[/] {out}（xlwings {addin.xlwings_sources().version}）")


@app.command("install-addin")
def install_addin(
    uninstall: Annotated[bool, typer.Option("--uninstall", help="卸载加载项")] = False,
) -> None:
    """把加载项安装到 Excel 的启动文件夹（Windows、macOS），并把本 Python 写入 xlwings 的解释器设置。"""
    from xlpromo import addin

    try:
        place = addin.installation()
        if uninstall:
            removed = addin.uninstall_addin(place)
        else:
            addin.install_addin(addin.build_addin(), place=place)
    except addin.AddinError as exc:
        raise _fail(str(exc)) from None
    except OSError as exc:
        raise _fail(f"无法写入 {exc.filename or '加载项'}：{exc.strerror or exc}。"
                    "如果 Excel 正在运行，请先退出 Excel 再试") from None
    if uninstall:
        console.print(f"[green]已卸载[/] {place.addin}；请重启 Excel。xlwings 的解释器设置（{place.config}）保留未动。"
                      if removed else f"加载项未安装（{place.addin} 不存在）。")
        return
    console.print(f"[green]已安装加载项[/] {place.addin}")
    console.print(f"xlwings 解释器设置 {place.config_key} = {sys.executable}（写入 {place.config}）")
    if place.applescript_dir is not None:
        console.print(f"RunPython 所需的 AppleScript 已复制到 {place.applescript_dir}")
    console.print("请重启 Excel（macOS 上用 Cmd-Q 退出后再打开），功能区会出现“促销活动”选项卡。")


@app.command()
def split(
    book: Annotated[Path, typer.Argument(help="主工作簿 .xlsx（只读，不会被修改）")],
    out: Annotated[Path, typer.Option("-o", "--output", help="输出的副本文件；用 --all-depts 时为文件夹")],
    dept: Annotated[str | None, typer.Option("--dept", help="部门，如 仓储部（须在“数据字典”的部门列表中）")] = None,
    all_depts: Annotated[bool, typer.Option("--all-depts", help="为每个有内容要填的部门各生成一份")] = False,
    due: Annotated[str | None, typer.Option("--due", help="回传截止日期，写进每张表顶部的说明，如 2024-06-20")] = None,
    force: Annotated[bool, typer.Option(help="覆盖已存在的输出文件")] = False,
) -> None:
    """生成部门副本：只开放该部门要填的单元格，其余锁定；填好后用 merge 合并回主表。"""
    from xlpromo.reader import read_workbook
    from xlpromo.split import copy_name, departments, split_all, split_book

    if (dept is None) == (not all_depts):
        raise _fail("请用 --dept 指定一个部门，或用 --all-depts 为所有部门生成副本")
    try:
        deadline = parse_date(due) if due else None
    except ValueError as exc:
        raise _fail(str(exc)) from None
    kind = book.suffix.lower() if book.suffix.lower() in (".xlsx", ".xlsm") else ".xlsx"
    with _guarded(book, out):
        if dept is not None:
            _check_output(out, force, (kind,))
            if out.resolve() == book.resolve():
                raise _fail("输出文件不能与主工作簿相同")
            with console.status(f"正在生成{dept}的副本…", spinner="dots"):
                done = [split_book(book, dept, out, due=deadline)]
        else:
            if out.exists() and not out.is_dir():
                raise _fail(f"{out} 不是文件夹：--all-depts 的 -o 应为文件夹")
            taken = [out / copy_name(book, d) for d in departments(read_workbook(book))]
            if not force and any(p.exists() for p in taken):
                raise _fail(f"{next(p for p in taken if p.exists())} 已存在；如需覆盖请加 --force")
            with console.status("正在生成各部门副本…", spinner="dots"):
                done = split_all(book, out, due=deadline)
    for d in done:
        console.print(f"[green]已生成[/] {d.output}：{d.dept}可填写 {d.cells} 个单元格"
                      f"（{'、'.join(d.tables) or '无'}），其余已锁定")
    console.print("主工作簿未改动。把副本发给各部门，收回后运行：xlpromo merge 主表.xlsx 副本… -o 合并后.xlsx")


@app.command()
def merge(
    book: Annotated[Path, typer.Argument(help="主工作簿 .xlsx（只读，不会被修改）")],
    copies: Annotated[list[Path] | None, typer.Argument(help="收回的部门副本，可多个")] = None,
    out: Annotated[Path | None, typer.Option("-o", "--output", help="合并结果（新文件）")] = None,
    force: Annotated[bool, typer.Option(help="覆盖已存在的输出文件")] = False,
) -> None:
    """把部门副本三方合并回主表：冲突保留主表值并列入“合并冲突”，覆盖的原值记入“变更记录”。

    退出码 0 合并完成且无冲突、无错误；1 已写出但有冲突、待确认的行或校验错误；2 拒绝合并，未写任何文件。"""
    from xlpromo.merge import CONFLICTS_SHEET, merge_books

    if out is None:
        raise _fail("请用 -o 给出合并结果文件（主工作簿本身不会被修改）")
    kind = book.suffix.lower() if book.suffix.lower() in (".xlsx", ".xlsm") else ".xlsx"
    _check_output(out, force, (kind,))
    if any(out.resolve() == p.resolve() for p in [book, *(copies or [])]):
        raise _fail("输出文件不能与输入文件相同")
    with _guarded(book, out, "。未写出任何文件。"), console.status("正在合并…", spinner="dots"):
        result = merge_books(book, copies or [], out)
    if result.conflicts:
        t = Table(title=f"{CONFLICTS_SHEET}（{len(result.conflicts)}）")
        for h in ("类型", "位置", "行ID", "列", "主表值", "副本的值"):
            t.add_column(h)
        for c in result.conflicts[:30]:
            sides = "；".join(f"{v}（{src}）" for v, src in c.sides)
            t.add_row(c.kind, f"{c.sheet}!{c.cell}" if c.cell else c.sheet, c.row_id, c.header, str(c.master), sides,
                      style="yellow")
        console.print(t)
    console.print(result.summary())
    n = result.counts
    raise typer.Exit(1 if n["conflicts"] or n["flagged"] or n["errors"] else 0)


@app.command()
def version() -> None:
    """显示版本号。"""
    typer.echo(__version__)


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":
    main()
