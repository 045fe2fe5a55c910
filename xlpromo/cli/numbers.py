"""``plan`` and ``import``: numbers into 每日监控 without typing them — the daily targets, the platforms' exports."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from xlpromo.cli.base import Command, app, check_output, console, fail, guarded, safe, writable


def _names(text: str) -> list[str]:
    """A list typed as ``天猫,京东`` (also ``、``, ``，`` or spaces between), without repeats."""
    for sep in "，、 ;；":
        text = text.replace(sep, ",")
    return list(dict.fromkeys(s.strip() for s in text.split(",") if s.strip()))


def output_of(book: Path, out: Path | None, in_place: bool, force: bool) -> None:
    """Refuse (exit code 2) -o with --in-place, neither, an output that is the input or exists without --force,
    or --in-place on a read-only file."""
    if out is not None and in_place:
        raise fail("-o 与 --in-place 不能同时使用：要写出新文件只用 -o，要替换原文件只用 --in-place")
    if out is None and not in_place:
        raise fail("请给出 -o 输出文件，或使用 --in-place 替换原文件（先在旁边保存备份）")
    if out is not None:
        kind = book.suffix.lower() if book.suffix.lower() in (".xlsx", ".xlsm") else ".xlsx"
        check_output(out, force, (kind,), inputs=[book], hint="要替换原文件请用 --in-place")
    elif book.exists() and not writable(book):
        raise fail(f"{book} 是只读文件：--in-place 不替换只读文件。请用 -o 写出新文件，或先取消它的只读属性")


@app.command(cls=Command, short_help="生成日计划：每个活动日×指标×渠道一行，目标值按阶段权重拆分。")
def plan(
    book: Annotated[Path, typer.Argument(metavar="BOOK.xlsx", help="主工作簿 .xlsx（活动目标已填写）")],
    out: Annotated[Path | None, typer.Option("-o", "--output", help="输出的新工作簿 .xlsx")] = None,
    in_place: Annotated[bool, typer.Option("--in-place", help="直接写入原文件（先在旁边保存备份）")] = False,
    channels: Annotated[str, typer.Option("--channels", help="渠道，如 天猫,京东（默认：全渠道一行）")] = "",
    metrics: Annotated[str, typer.Option("--metrics", help="指标，如 GMV,转化率（默认：所有有目标值的指标）")] = "",
    force: Annotated[bool, typer.Option(help="覆盖已存在的输出文件")] = False,
) -> None:
    """生成日计划：每个活动日 × 指标 × 渠道一行，目标值按阶段权重从活动目标拆分；已有的行不改动。"""
    from xlpromo.roundtrip.plan import plan_book

    output_of(book, out, in_place, force)
    with guarded(book, out or book, doing="生成日计划"), console.status("正在生成日计划…", spinner="dots"):
        done = plan_book(book, out, in_place=in_place, metrics=_names(metrics), channels=_names(channels))
    console.print(safe(done.summary()))
    if done.filled.backup:
        console.print(f"原文件已备份为 {safe(done.filled.backup.name)}")
    raise typer.Exit(0 if done.filled.report.valid else 1)


PLATFORM_CHOICES = ("auto", "tmall", "jd", "douyin", "pdd")


@app.command("import", cls=Command, short_help="导入平台导出数据，填入每日监控的实际值（不覆盖已填写的值）。")
def import_(
    book: Annotated[Path, typer.Argument(metavar="BOOK.xlsx", help="主工作簿 .xlsx")],
    exports: Annotated[list[Path], typer.Argument(metavar="EXPORT…", help="平台导出文件 .csv、.xls、.xlsx（可多个）")],
    out: Annotated[Path | None, typer.Option("-o", "--output", help="输出的新工作簿 .xlsx")] = None,
    in_place: Annotated[bool, typer.Option("--in-place", help="直接写入原文件（先在旁边保存备份）")] = False,
    platform: Annotated[str, typer.Option("--platform", help="平台：auto（按表头与文件名判断）、tmall（生意参谋）、"
                                          "jd（京东商智）、douyin（抖店罗盘）、pdd（拼多多）")] = "auto",
    channel: Annotated[str, typer.Option("--channel", help="写入的渠道（默认：平台的渠道，如 天猫）")] = "",
    date_from: Annotated[str, typer.Option("--date-from", help="只导入此日期及以后，如 2024-06-01")] = "",
    date_to: Annotated[str, typer.Option("--date-to", help="只导入此日期及以前")] = "",
    overwrite: Annotated[bool, typer.Option("--overwrite",
                                            help="导出与已填写的实际值不同时以导出为准（原值记入变更记录）")] = False,
    force: Annotated[bool, typer.Option(help="覆盖已存在的输出文件")] = False,
) -> None:
    """导入平台导出数据：按日期、指标、渠道填入每日监控的实际值；已填写且不同的值列为冲突，不覆盖。"""
    from xlpromo.cli.make import parse_date
    from xlpromo.roundtrip.imports import import_exports

    if platform not in PLATFORM_CHOICES:
        raise fail(f"--platform {platform} 无效：可选 {'、'.join(PLATFORM_CHOICES)}")
    output_of(book, out, in_place, force)
    for e in exports:
        if out is not None and e.exists() and out.exists() and e.resolve() == out.resolve():
            raise fail(f"输出文件 {out} 就是输入文件：xlpromo 从不写在输入文件上")
    try:
        start = parse_date(date_from) if date_from else None
        end = parse_date(date_to) if date_to else None
    except ValueError as exc:
        raise fail(f"--date-from/--date-to：{exc}") from None
    with guarded(book, out or book, doing="导入"), console.status("正在导入…", spinner="dots"):
        done = import_exports(book, exports, out, in_place=in_place, platform=platform, channel=channel.strip(),
                              date_from=start, date_to=end, overwrite=overwrite)
    console.print(safe(done.summary()))
    assert done.filled is not None
    if done.filled.backup:
        console.print(f"原文件已备份为 {safe(done.filled.backup.name)}")
    bad = any(m.unreadable for *_, m in done.files)
    raise typer.Exit(0 if done.filled.report.valid and not done.conflicts and not bad else 1)
