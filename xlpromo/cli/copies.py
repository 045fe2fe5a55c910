"""``split`` and ``merge``: department copies out of the master and back into it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from xlpromo.cli.base import (
    Command,
    app,
    check_output,
    console,
    fail,
    folded_table,
    guarded,
    safe,
)
from xlpromo.cli.make import parse_date
from xlpromo.model.parse import shown

if TYPE_CHECKING:
    from xlpromo.roundtrip.split import Split


def _split_one(book: Path, dept: str, out: Path, deadline: dt.date | None) -> Split:
    """Write ``dept``'s copy to ``out``; refuse (exit code 2, nothing written) a department with nothing to fill."""
    from xlpromo.roundtrip.split import split_needed

    with console.status(f"正在生成{safe(dept)}的副本…", spinner="dots"):
        made = split_needed(book, dept, out, due=deadline)
    if made is None:
        raise fail(f"部门“{dept}”在 {book.name} 中没有要填写的单元格（--all-depts 也跳过这样的部门），未生成副本")
    return made


@app.command(cls=Command)
def split(
    book: Annotated[Path, typer.Argument(metavar="MASTER.xlsx", help="主工作簿 .xlsx（只读，不会被修改）")],
    out: Annotated[Path, typer.Option("-o", "--output", help="输出的副本文件；用 --all-depts 时为文件夹")],
    dept: Annotated[str | None, typer.Option("--dept", help="部门，如 仓储部；须是 数据字典 里的部门")] = None,
    all_depts: Annotated[bool, typer.Option("--all-depts", help="为每个有内容要填的部门各生成一份")] = False,
    due: Annotated[str | None, typer.Option("--due", help="回传截止日期，如 2024-06-20；写进每张表顶部的说明")] = None,
    force: Annotated[bool, typer.Option(help="覆盖已存在的输出文件")] = False,
) -> None:
    """生成部门副本：只开放该部门要填的单元格，其余锁定；填好后用 merge 合并回主表。"""
    from xlpromo.files.reader import read_workbook
    from xlpromo.roundtrip.split import plan_copies, split_all

    if dept is not None:
        dept = dept.strip()
        if not dept:
            raise fail("--dept 不能为空：请写部门名称，如 仓储部")
    if dept is not None and all_depts:
        raise fail("--dept 与 --all-depts 不能同时使用：一个部门用 --dept，所有部门用 --all-depts")
    if dept is None and not all_depts:
        raise fail("请用 --dept 指定一个部门，或用 --all-depts 为所有部门生成副本")
    try:
        deadline = parse_date(due) if due else None
    except ValueError as exc:
        raise fail(str(exc)) from None
    today = dt.date.today()
    if deadline is not None and deadline < today:
        console.print(f"[yellow]注意[/]：回传截止日期 {deadline} 早于今天（{today}），仍按此日期写入副本")
    kind = book.suffix.lower() if book.suffix.lower() in (".xlsx", ".xlsm") else ".xlsx"
    idle: list[str] = []
    unnamed: dict[str, str] = {}
    with guarded(book, out, doing="分发副本"):
        if dept is not None:
            check_output(out, force, (kind,), inputs=[book])
            done = [_split_one(book, dept, out, deadline)]
        else:
            if out.exists() and not out.is_dir():
                raise fail(f"{out} 不是文件夹：--all-depts 的 -o 应为文件夹")
            raw = read_workbook(book)  # once: the departments here, the copies in split_all
            targets, unnamed = plan_copies(book, raw, out)
            taken = [p for p in targets.values() if p.exists()]
            if taken and not force:
                raise fail(f"{'、'.join(str(p) for p in taken)} 已存在；如需覆盖请加 --force")
            with console.status("正在生成各部门副本…", spinner="dots"):
                done = split_all(book, out, due=deadline, raw=raw)
            idle = [d for d in targets if d not in {x.dept for x in done}]
    for d in done:
        console.print(f"[green]已生成[/] {safe(d.output)}：{safe(d.dept)}可填写 {d.cells} 个单元格"
                      f"（{safe('、'.join(d.tables) or '无')}），其余已锁定")
    for name, why in unnamed.items():
        console.print(f"[yellow]未生成副本[/]：{safe(name if len(name) <= 20 else name[:20] + '……')}（{safe(why)}；"
                      "请在“数据字典”中改名后再分发）")
    if idle:
        console.print(f"未生成副本：{safe('、'.join(idle))}（现有各表中没有需要他们填写的单元格；"
                      "给他们分配任务或指标后再分发）")
    if dept is None and not done:
        console.print("[yellow]没有生成任何副本[/]：没有哪个部门有要填写的单元格")
    console.print("主工作簿未改动。把副本发给各部门，收回后运行：xlpromo merge 主表.xlsx 副本… -o 合并后.xlsx")


@app.command(cls=Command, short_help="把部门副本合并回主表：冲突列入合并冲突，原值记入变更记录。")
def merge(
    book: Annotated[Path, typer.Argument(metavar="MASTER.xlsx", help="主工作簿 .xlsx（只读，不会被修改）")],
    copies: Annotated[list[Path] | None, typer.Argument(metavar="COPY.xlsx…", help="收回的部门副本，可多个")] = None,
    out: Annotated[Path | None, typer.Option("-o", "--output", help="合并结果（新文件）")] = None,
    force: Annotated[bool, typer.Option(help="覆盖已存在的输出文件")] = False,
) -> None:
    """把部门副本三方合并回主表：冲突保留主表值并列入“合并冲突”，覆盖的原值记入“变更记录”。

    退出码 0 合并完成且无冲突、无错误；1 已写出但有冲突、待确认的行或校验错误；2 拒绝合并，未写任何文件。"""
    from xlpromo.roundtrip.merge import CONFLICTS_SHEET, merge_books

    if out is None:
        raise fail("请用 -o 给出合并结果文件（主工作簿本身不会被修改）")
    kind = book.suffix.lower() if book.suffix.lower() in (".xlsx", ".xlsm") else ".xlsx"
    check_output(out, force, (kind,), inputs=[book, *(copies or [])])
    with guarded(book, out, "。未写出任何文件。", doing="合并"), console.status("正在合并…", spinner="dots"):
        result = merge_books(book, copies or [], out)
    if result.conflicts:
        t = folded_table(f"{CONFLICTS_SHEET}（{len(result.conflicts)}）",
                   ("类型", "位置", "行ID", "列", "主表值", "副本的值"))
        for c in result.conflicts[:30]:
            sides = "；".join(f"{_shown(v)} ← {src}" for v, src in c.sides)  # 28, not 28.0
            t.add_row(safe(c.kind), safe(f"{c.sheet}!{c.cell}" if c.cell else c.sheet), safe(c.row_id),
                      safe(c.header), safe(_shown(c.master)), safe(sides), style="yellow")
        console.print(t)
    console.print(safe(result.summary()))
    n = result.counts
    raise typer.Exit(1 if n["conflicts"] or n["flagged"] or n["errors"] else 0)


def _shown(value: object) -> str:
    """A merged value as the person reads it in the cell: ``28``, not ``28.0``; a blank cell as nothing."""
    return "" if value is None else shown(value)
