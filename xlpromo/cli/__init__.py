"""Command line, one function per command: parse the arguments, call one function of a lower layer, print.

Commands: ``new`` (a blank master workbook), ``demo`` (a filled 618), ``check`` (findings and
alerts, nothing written), ``recalc`` (fresh values, 问题清单, 预警, highlights), ``report`` (the
retrospective as .md/.html/.xlsx), ``split`` (department copies), ``merge`` (copies back into the
master), ``build-addin`` and ``install-addin`` (the Excel add-in), ``version``.

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
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from typer.core import TyperCommand, TyperGroup

from xlpromo._version import __version__
from xlpromo.errors import WorkbookError
from xlpromo.files.builder import Campaign, build_workbook
from xlpromo.model import parse
from xlpromo.model.master import SCHEMA

if TYPE_CHECKING:
    from xlpromo.roundtrip.split import Split

__all__ = ["app", "parse_date"]

HELP_OPTION_TEXT = "显示帮助并退出"


class _ChineseHelp:
    """Mixin for Typer's command classes: the ``--help`` option's own text in Chinese."""

    def get_help_option(self, ctx: Any) -> Any:
        """Typer's help option, with its help text replaced."""
        option = super().get_help_option(ctx)  # type: ignore[misc]
        if option is not None:
            option.help = HELP_OPTION_TEXT
        return option


class _Group(_ChineseHelp, TyperGroup):
    """The ``xlpromo`` group, with a Chinese ``--help`` text."""


class _Command(_ChineseHelp, TyperCommand):
    """An ``xlpromo`` command, with a Chinese ``--help`` text."""


app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False, cls=_Group,
                  help="xlpromo：电商促销活动主工作簿（618、双11）的生成与检查工具。")
console = Console(soft_wrap=True)
errors = Console(stderr=True, soft_wrap=True)

FIRST_YEAR, LAST_YEAR = parse.FIRST_YEAR, parse.LAST_YEAR  # the range the workbook's date validation accepts
MAX_PHASE_DAYS = 60
SHOWN = 200  # rows of each table `check` prints: a terminal is no place for 10,000 rows


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
    """Print ``错误：message`` (taken literally, never as markup) and return the exit to raise (code 2)."""
    errors.print(f"[bold red]错误：[/]{escape(message)}")
    return typer.Exit(2)


def _text(value: object) -> str:
    """A value from data, an exception or a file name, safe to print with rich markup."""
    return "" if value is None else escape(str(value))


def _table(title: str, headers: tuple[str, ...]) -> Table:
    """A rich table whose cells wrap (fold) instead of being cut with “…”."""
    t = Table(title=_text(title))
    for h in headers:
        t.add_column(h, overflow="fold")
    return t


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
    """Refuse (exit code 2) an output of the wrong kind, or an existing one without --force."""
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
    """Say which workbook was written and its sheets."""
    console.print(f"[green]已生成[/] {_text(out)}（{len(SCHEMA.sheets)} 个工作表："
                  f"{'、'.join(s.name for s in SCHEMA.sheets)}）")


def _check_phases(start: dt.date, end: dt.date, warmup_days: int, return_days: int) -> None:
    """Refuse (exit code 2) a 爆发期 reversed or longer than MAX_PHASE_DAYS days (both ends counted), or a
    预热开始 / 返场结束 outside FIRST_YEAR–LAST_YEAR."""
    if end < start:
        raise _fail(f"爆发期结束日期 {end} 早于开始日期 {start}")
    days = (end - start).days + 1
    if days > MAX_PHASE_DAYS:
        raise _fail(f"爆发期 {start} 至 {end} 共 {days} 天，超过上限 {MAX_PHASE_DAYS} 天")
    span = f"请填写 {FIRST_YEAR}—{LAST_YEAR} 年之间的日期（工作簿的日期校验范围）"
    warmup_start = start - dt.timedelta(days=warmup_days)
    if warmup_start.year < FIRST_YEAR:
        raise _fail(f"预热开始日期 {warmup_start}（爆发开始前 {warmup_days} 天）超出范围：{span}")
    return_end = end + dt.timedelta(days=return_days)
    if return_end.year > LAST_YEAR:
        raise _fail(f"返场结束日期 {return_end}（爆发结束后 {return_days} 天）超出范围：{span}")


@app.command(cls=_Command)
def new(
    out: Annotated[Path, typer.Argument(help="输出的 .xlsx 文件")],
    campaign: Annotated[str, typer.Option(help="活动名称，如 2025年双11大促")] = "",
    start: Annotated[str | None, typer.Option(help="爆发期开始日期，如 2025-11-01")] = None,
    end: Annotated[str | None, typer.Option(help="爆发期结束日期，如 2025-11-11")] = None,
    warmup_days: Annotated[int | None, typer.Option(
        help=f"预热期天数（爆发开始前，0–{MAX_PHASE_DAYS}，默认 7；需与 --start/--end 一起用）")] = None,
    return_days: Annotated[int | None, typer.Option(
        help=f"返场期天数（爆发结束后，0–{MAX_PHASE_DAYS}，默认 3；需与 --start/--end 一起用）")] = None,
    force: Annotated[bool, typer.Option(help="覆盖已存在的输出文件")] = False,
) -> None:
    """生成空白主工作簿（可预填活动名称与时间节点）。"""
    _check_output(out, force)
    if (start is None) != (end is None):
        raise _fail("--start 和 --end 需同时给出")
    if start is None and (warmup_days is not None or return_days is not None):
        raise _fail("--warmup-days / --return-days 需与 --start、--end 一起使用（按爆发期推算预热开始和返场结束）")
    warmup_days = 7 if warmup_days is None else warmup_days
    return_days = 3 if return_days is None else return_days
    for option, name, days in (("--warmup-days", "预热期", warmup_days), ("--return-days", "返场期", return_days)):
        if not 0 <= days <= MAX_PHASE_DAYS:
            raise _fail(f"{option} {days} 超出范围：{name}天数须在 0—{MAX_PHASE_DAYS} 之间")
    try:
        s = parse_date(start) if start else None
        e = parse_date(end) if end else None
    except ValueError as exc:
        raise _fail(str(exc)) from None
    if s and e:
        _check_phases(s, e, warmup_days, return_days)
    _write(out, lambda: build_workbook(out, campaign=Campaign(
        name=campaign, start=s, end=e, warmup_days=warmup_days, return_days=return_days)))
    _done(out)


@app.command(cls=_Command)
def demo(
    out: Annotated[Path, typer.Argument(help="输出的 .xlsx 文件")] = Path("xlpromo-demo.xlsx"),
    force: Annotated[bool, typer.Option(help="覆盖已存在的输出文件")] = False,
) -> None:
    """生成填好数据的 618 示例工作簿（28 天日报、逾期任务、复盘）。"""
    from xlpromo.files.demo import demo_frames
    from xlpromo.model.state import DEMO_CAMPAIGN_ID

    _check_output(out, force)
    _write(out, lambda: build_workbook(out, demo_frames(), campaign_id=DEMO_CAMPAIGN_ID))
    _done(out)


@app.command(cls=_Command)
def check(
    book: Annotated[Path, typer.Argument(help="要检查的工作簿 .xlsx")],
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON（与程序内的报告相同）")] = False,
    limit: Annotated[int, typer.Option("--limit", help=f"每张表最多显示多少条（默认 {SHOWN}，0 为全部；"
                                                       "--json 总是全部）")] = SHOWN,
) -> None:
    """检查工作簿：逐格校验并列出预警。退出码 0 无错误，1 有错误，2 文件无法使用。"""
    if limit < 0:
        raise _fail(f"--limit {limit} 不能为负数：0 表示全部显示")
    from xlpromo.files.check import check as run_check

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
        _print_report(report, limit)
    raise typer.Exit(0 if report.valid else 1)


def _print_report(report: Any, limit: int = 0) -> None:
    """The findings and alerts as two tables (texts folded, never cut; at most ``limit`` rows each unless 0),
    then a one-line verdict."""
    def cut(items: list[Any]) -> list[Any]:
        return items[:limit] if limit else items

    def rest(items: list[Any], title: str) -> None:
        if limit and len(items) > limit:
            console.print(f"……另有 {len(items) - limit} 条{title}未显示：--limit 0 显示全部，--json 输出全部，"
                          f"或用 xlpromo recalc 生成“{title}”工作表（每条链接到单元格）")

    if report.findings:
        t = _table(f"问题清单（{len(report.findings)}）", ("位置", "级别", "列", "问题", "代码"))
        for f in cut(report.findings):
            t.add_row(_text(f.ref), "错误" if f.severity == "error" else "提示", _text(f.header), _text(f.message),
                      _text(f.code), style="red" if f.severity == "error" else "yellow")
        console.print(t)
        rest(report.findings, "问题清单")
    if report.alerts:
        t = _table(f"预警（{len(report.alerts)}）", ("位置", "级别", "预警", "责任部门", "时限"))
        for a in cut(report.alerts):
            style = {"严重": "red", "预警": "yellow"}.get(a.level.value, "")
            t.add_row(_text(f"{a.sheet}!{a.cell}"), _text(a.level.value), _text(a.message), _text(a.dept),
                      _text(a.deadline), style=style)
        console.print(t)
        rest(report.alerts, "预警")
    verdict = "[green]通过[/]" if report.valid else "[red]有错误[/]"
    console.print(f"{_text(report.path.name)}：{verdict}；{report.tally()}", soft_wrap=False)


@app.command(cls=_Command)
def recalc(
    book: Annotated[Path, typer.Argument(help="要重算的工作簿 .xlsx")],
    out: Annotated[Path | None, typer.Option("-o", "--output", help="输出的新工作簿 .xlsx")] = None,
    in_place: Annotated[bool, typer.Option("--in-place", help="直接替换原文件（先在旁边保存备份）")] = False,
    force: Annotated[bool, typer.Option(help="覆盖已存在的输出文件")] = False,
) -> None:
    """重算：填入计算结果，生成“问题清单”和“预警”工作表，并标出有问题的单元格。"""
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from xlpromo.roundtrip.recalc import recalc as run_recalc

    if out is not None and in_place:
        raise _fail("-o 与 --in-place 不能同时使用：要写出新文件只用 -o，要替换原文件只用 --in-place")
    if out is None and not in_place:
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
                            step=lambda name: progress.update(task, description=f"重算：{_text(name)}…"))
    r = result.report
    console.print(f"[green]已写入[/] {_text(result.output)}：更新 {result.cells_updated} 个计算格；{r.tally()}")
    if result.backup:
        here = Path.cwd().resolve()
        backup = result.backup.relative_to(here) if result.backup.is_relative_to(here) else result.backup
        console.print(f"原文件已备份为 {_text(backup)}")
    if result.not_formulas:
        shown = "、".join(result.not_formulas[:5]) + ("…" if len(result.not_formulas) > 5 else "")
        console.print(f"[yellow]注意[/]：{len(result.not_formulas)} 个计算列单元格没有公式（被手工覆盖？），"
                      f"未改动：{_text(shown)}")
    raise typer.Exit(0 if r.valid else 1)


@app.command(cls=_Command)
def report(
    book: Annotated[Path, typer.Argument(help="已填写的工作簿 .xlsx")],
    out: Annotated[Path, typer.Option("-o", "--output", help="输出文件：.md、.html 或 .xlsx")],
    force: Annotated[bool, typer.Option(help="覆盖已存在的输出文件")] = False,
) -> None:
    """根据工作簿数据生成运营效果复盘报告。"""
    from xlpromo.files.check import check as run_check
    from xlpromo.files.retro import FORMATS, write_report

    if out.suffix.lower() not in FORMATS:
        raise _fail(f"{out}：复盘报告只能输出为 {'、'.join(FORMATS)}")
    if out.resolve() == book.resolve():
        raise _fail("输出文件不能与输入工作簿相同")
    if out.exists() and not force:
        raise _fail(f"{out} 已存在；如需覆盖请加 --force")
    with _guarded(book, out), console.status("正在生成复盘报告…", spinner="dots"):
        write_report(run_check(book), out)
    console.print(f"[green]已生成复盘报告[/] {_text(out)}")


@app.command("build-addin", cls=_Command)
def build_addin(
    out: Annotated[Path, typer.Option("-o", "--output", help="输出的加载项 .xlam")] = Path("workbook/xlpromo.xlam"),
    force: Annotated[bool, typer.Option(help="覆盖已存在的输出文件")] = False,
) -> None:
    """生成 Excel 加载项 xlpromo.xlam（功能区按钮与自定义函数，需要已安装的 xlwings）。"""
    from xlpromo.addin import build as addin

    _check_output(out, force, (".xlam",))
    try:
        data = addin.build_addin()
    except addin.AddinError as exc:
        raise _fail(str(exc)) from None
    _write(out, lambda: addin.write_addin(out, data))
    console.print(f"[green]已生成加载项[/] {_text(out)}（xlwings {_text(addin.xlwings_sources().version)}）")


@app.command("install-addin", cls=_Command)
def install_addin(
    uninstall: Annotated[bool, typer.Option("--uninstall", help="卸载加载项")] = False,
) -> None:
    """把加载项安装到 Excel 的启动文件夹（Windows、macOS），并把本 Python 写入 xlwings 的解释器设置。"""
    from xlpromo.addin import build as addin

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
        console.print(f"[green]已卸载[/] {_text(place.addin)}；请重启 Excel。xlwings 的解释器设置"
                      f"（{_text(place.config)}）保留未动。"
                      if removed else f"加载项未安装（{_text(place.addin)} 不存在）。")
        return
    console.print(f"[green]已安装加载项[/] {_text(place.addin)}")
    console.print(f"xlwings 解释器设置 {_text(place.config_key)} = {_text(sys.executable)}"
                  f"（写入 {_text(place.config)}）")
    if place.applescript_dir is not None:
        console.print(f"RunPython 所需的 AppleScript 已复制到 {_text(place.applescript_dir)}")
    console.print("请重启 Excel（macOS 上用 Cmd-Q 退出后再打开），功能区会出现“促销活动”选项卡。")


def _split_one(book: Path, dept: str, out: Path, deadline: dt.date | None) -> Split:
    """Write ``dept``'s copy to ``out``; refuse (exit code 2, nothing written) a department with nothing to fill."""
    from xlpromo.roundtrip.split import split_needed

    with console.status(f"正在生成{_text(dept)}的副本…", spinner="dots"):
        made = split_needed(book, dept, out, due=deadline)
    if made is None:
        raise _fail(f"部门“{dept}”在 {book.name} 中没有要填写的单元格（--all-depts 也跳过这样的部门），未生成副本")
    return made


@app.command(cls=_Command)
def split(
    book: Annotated[Path, typer.Argument(help="主工作簿 .xlsx（只读，不会被修改）")],
    out: Annotated[Path, typer.Option("-o", "--output", help="输出的副本文件；用 --all-depts 时为文件夹")],
    dept: Annotated[str | None, typer.Option("--dept", help="部门，如 仓储部（须在“数据字典”的部门列表中）")] = None,
    all_depts: Annotated[bool, typer.Option("--all-depts", help="为每个有内容要填的部门各生成一份")] = False,
    due: Annotated[str | None, typer.Option("--due", help="回传截止日期，写进每张表顶部的说明，如 2024-06-20")] = None,
    force: Annotated[bool, typer.Option(help="覆盖已存在的输出文件")] = False,
) -> None:
    """生成部门副本：只开放该部门要填的单元格，其余锁定；填好后用 merge 合并回主表。"""
    from xlpromo.files.reader import read_workbook
    from xlpromo.roundtrip.split import copy_name, departments, file_safe, split_all

    if dept is not None:
        dept = dept.strip()
        if not dept:
            raise _fail("--dept 不能为空：请写部门名称，如 仓储部")
    if dept is not None and all_depts:
        raise _fail("--dept 与 --all-depts 不能同时使用：一个部门用 --dept，所有部门用 --all-depts")
    if dept is None and not all_depts:
        raise _fail("请用 --dept 指定一个部门，或用 --all-depts 为所有部门生成副本")
    try:
        deadline = parse_date(due) if due else None
    except ValueError as exc:
        raise _fail(str(exc)) from None
    today = dt.date.today()
    if deadline is not None and deadline < today:
        console.print(f"[yellow]注意[/]：回传截止日期 {deadline} 早于今天（{today}），仍按此日期写入副本")
    kind = book.suffix.lower() if book.suffix.lower() in (".xlsx", ".xlsm") else ".xlsx"
    skipped: list[str] = []
    with _guarded(book, out):
        if dept is not None:
            _check_output(out, force, (kind,))
            if out.resolve() == book.resolve():
                raise _fail("输出文件不能与主工作簿相同")
            done = [_split_one(book, dept, out, deadline)]
        else:
            if out.exists() and not out.is_dir():
                raise _fail(f"{out} 不是文件夹：--all-depts 的 -o 应为文件夹")
            raw = read_workbook(book)  # once: the departments here, the copies in split_all
            names = departments(raw)
            taken = [p for p in (out / copy_name(book, d) for d in names) if p.exists()]
            if taken and not force:
                raise _fail(f"{'、'.join(str(p) for p in taken)} 已存在；如需覆盖请加 --force")
            with console.status("正在生成各部门副本…", spinner="dots"):
                done = split_all(book, out, due=deadline, raw=raw)
            skipped = [d for d in names if d not in {x.dept for x in done}]
    for d in done:
        console.print(f"[green]已生成[/] {_text(d.output)}：{_text(d.dept)}可填写 {d.cells} 个单元格"
                      f"（{_text('、'.join(d.tables) or '无')}），其余已锁定")
    unnamed = [d for d in skipped if not file_safe(d)]
    if unnamed:
        console.print(f"[yellow]未生成副本[/]：{_text('、'.join(unnamed))}（部门名称含文件名不能用的字符 \\/:*?\"<>|；"
                      "请在“数据字典”中改名后再分发）")
    if len(unnamed) < len(skipped):
        idle = [d for d in skipped if file_safe(d)]
        console.print(f"未生成副本：{_text('、'.join(idle))}（现有各表中没有需要他们填写的单元格；"
                      "给他们分配任务或指标后再分发）")
    console.print("主工作簿未改动。把副本发给各部门，收回后运行：xlpromo merge 主表.xlsx 副本… -o 合并后.xlsx")


@app.command(cls=_Command)
def merge(
    book: Annotated[Path, typer.Argument(help="主工作簿 .xlsx（只读，不会被修改）")],
    copies: Annotated[list[Path] | None, typer.Argument(help="收回的部门副本，可多个")] = None,
    out: Annotated[Path | None, typer.Option("-o", "--output", help="合并结果（新文件）")] = None,
    force: Annotated[bool, typer.Option(help="覆盖已存在的输出文件")] = False,
) -> None:
    """把部门副本三方合并回主表：冲突保留主表值并列入“合并冲突”，覆盖的原值记入“变更记录”。

    退出码 0 合并完成且无冲突、无错误；1 已写出但有冲突、待确认的行或校验错误；2 拒绝合并，未写任何文件。"""
    from xlpromo.roundtrip.merge import CONFLICTS_SHEET, merge_books

    if out is None:
        raise _fail("请用 -o 给出合并结果文件（主工作簿本身不会被修改）")
    kind = book.suffix.lower() if book.suffix.lower() in (".xlsx", ".xlsm") else ".xlsx"
    _check_output(out, force, (kind,))
    if any(out.resolve() == p.resolve() for p in [book, *(copies or [])]):
        raise _fail("输出文件不能与输入文件相同")
    with _guarded(book, out, "。未写出任何文件。"), console.status("正在合并…", spinner="dots"):
        result = merge_books(book, copies or [], out)
    if result.conflicts:
        t = _table(f"{CONFLICTS_SHEET}（{len(result.conflicts)}）",
                   ("类型", "位置", "行ID", "列", "主表值", "副本的值"))
        for c in result.conflicts[:30]:
            sides = "；".join(f"{v} ← {src}" for v, src in c.sides)
            t.add_row(_text(c.kind), _text(f"{c.sheet}!{c.cell}" if c.cell else c.sheet), _text(c.row_id),
                      _text(c.header), _text(str(c.master)), _text(sides), style="yellow")
        console.print(t)
    console.print(_text(result.summary()))
    n = result.counts
    raise typer.Exit(1 if n["conflicts"] or n["flagged"] or n["errors"] else 0)


@app.command(cls=_Command)
def version() -> None:
    """显示版本号。"""
    typer.echo(__version__)


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":
    main()
