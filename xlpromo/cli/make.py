"""``new``, ``demo``, ``build-addin``, ``install-addin`` and ``version``: files xlpromo makes from nothing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from xlpromo.cli.base import (
    Command,
    app,
    check_output,
    console,
    fail,
    safe,
    write_or_fail,
)
from xlpromo.files.builder import Campaign, build_workbook
from xlpromo.model import parse
from xlpromo.model.master import SCHEMA

FIRST_YEAR, LAST_YEAR = parse.FIRST_YEAR, parse.LAST_YEAR  # the range the workbook's date validation accepts
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


def _done(out: Path) -> None:
    """Say which workbook was written and its sheets."""
    console.print(f"[green]已生成[/] {safe(out)}（{len(SCHEMA.sheets)} 个工作表："
                  f"{'、'.join(s.name for s in SCHEMA.sheets)}）")


def _check_phases(start: dt.date, end: dt.date, warmup_days: int, return_days: int) -> None:
    """Refuse (exit code 2) a 爆发期 reversed or longer than MAX_PHASE_DAYS days (both ends counted), or a
    预热开始 / 返场结束 outside FIRST_YEAR–LAST_YEAR."""
    if end < start:
        raise fail(f"爆发期结束日期 {end} 早于开始日期 {start}")
    days = (end - start).days + 1
    if days > MAX_PHASE_DAYS:
        raise fail(f"爆发期 {start} 至 {end} 共 {days} 天，超过上限 {MAX_PHASE_DAYS} 天")
    span = f"请填写 {FIRST_YEAR}—{LAST_YEAR} 年之间的日期（工作簿的日期校验范围）"
    warmup_start = start - dt.timedelta(days=warmup_days)
    if warmup_start.year < FIRST_YEAR:
        raise fail(f"预热开始日期 {warmup_start}（爆发开始前 {warmup_days} 天）超出范围：{span}")
    return_end = end + dt.timedelta(days=return_days)
    if return_end.year > LAST_YEAR:
        raise fail(f"返场结束日期 {return_end}（爆发结束后 {return_days} 天）超出范围：{span}")


@app.command(cls=Command)
def new(
    out: Annotated[Path, typer.Argument(metavar="OUT.xlsx", help="输出的 .xlsx 文件")],
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
    check_output(out, force)
    if (start is None) != (end is None):
        raise fail("--start 和 --end 需同时给出")
    if start is None and (warmup_days is not None or return_days is not None):
        raise fail("--warmup-days / --return-days 需与 --start、--end 一起使用（按爆发期推算预热开始和返场结束）")
    warmup_days = 7 if warmup_days is None else warmup_days
    return_days = 3 if return_days is None else return_days
    for option, name, days in (("--warmup-days", "预热期", warmup_days), ("--return-days", "返场期", return_days)):
        if not 0 <= days <= MAX_PHASE_DAYS:
            raise fail(f"{option} {days} 超出范围：{name}天数须在 0—{MAX_PHASE_DAYS} 之间")
    try:
        s = parse_date(start) if start else None
        e = parse_date(end) if end else None
    except ValueError as exc:
        raise fail(str(exc)) from None
    if s and e:
        _check_phases(s, e, warmup_days, return_days)
    write_or_fail(out, lambda: build_workbook(out, campaign=Campaign(
        name=campaign, start=s, end=e, warmup_days=warmup_days, return_days=return_days)))
    _done(out)


@app.command(cls=Command)
def demo(
    out: Annotated[Path, typer.Argument(metavar="OUT.xlsx", help="输出的 .xlsx 文件")] = Path("xlpromo-demo.xlsx"),
    force: Annotated[bool, typer.Option(help="覆盖已存在的输出文件")] = False,
) -> None:
    """生成填好数据的 618 示例工作簿（28 天日报、逾期任务、复盘）。"""
    from xlpromo.files.demo import demo_frames
    from xlpromo.model.state import DEMO_CAMPAIGN_ID

    check_output(out, force)
    write_or_fail(out, lambda: build_workbook(out, demo_frames(), campaign_id=DEMO_CAMPAIGN_ID))
    _done(out)
