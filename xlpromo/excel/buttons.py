"""Ribbon buttons: ``RunPython "import xlpromo.excel.buttons as b; b.validate()"`` and its siblings.

Each acts on the active workbook (never the add-in), reports in a message box, and turns a
workbook that cannot be used into a message, not a traceback. Every read and write goes through
:class:`xlpromo.excel.backend.Book` in bulk: one read per sheet, one write per table or column
block, so a click costs the same number of calls for 10 rows and 10,000. Tests pass a ``host``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from xlpromo.engine.daily import daily_report
from xlpromo.engine.marks import marks
from xlpromo.engine.report import Report, check_book
from xlpromo.errors import ExportError, WorkbookError, XlpromoError
from xlpromo.excel.adapter import excel_host
from xlpromo.excel.backend import DAILY_HEAD, Book, ExcelUnavailable, FileKind, Formula, Host, TableRef
from xlpromo.files.builder import build_workbook
from xlpromo.files.daily import render_daily
from xlpromo.files.reader import read_rows
from xlpromo.files.retro import write_report
from xlpromo.model.book import RawBook, RawTable
from xlpromo.model.formulas import render
from xlpromo.model.master import SCHEMA
from xlpromo.roundtrip.imports import import_exports
from xlpromo.roundtrip.merge import CONFLICTS_SHEET, NotAMaster, NotMergeable, merge_books
from xlpromo.roundtrip.plan import plan_book
from xlpromo.roundtrip.recalc import ALERTS_SHEET, ISSUES_SHEET, alert_rows, alert_title, issue_rows
from xlpromo.roundtrip.split import campaign_stem

__all__ = ["DAILY_SHEET", "EXPORTS", "TITLE", "clear_marks", "daily", "highlight", "import_data", "merge_copies",
           "new_campaign", "plan_days", "recalc", "review", "validate"]

TITLE = "xlpromo 促销活动"
DAILY_SHEET = "日报"
#: The files 导入数据 offers in its dialog: what ``xlpromo import`` reads.
EXPORTS: FileKind = ("平台导出文件", ("*.csv", "*.xls", "*.xlsx"))


class _Session:
    """One click on one workbook: the sheet list and table ranges are asked for once."""

    def __init__(self, book: Book) -> None:
        self.book = book
        self._names: list[str] | None = None
        self._tables: dict[str, dict[str, TableRef]] = {}

    def names(self) -> list[str]:
        if self._names is None:
            self._names = self.book.sheet_names()
        return self._names

    def tables(self, sheet: str) -> dict[str, TableRef]:
        if sheet not in self._tables:
            self._tables[sheet] = self.book.tables(sheet)
        return self._tables[sheet]

    def raw(self) -> RawBook:
        return read_rows(self.book.path, self.names(), self.book.read_sheet, self.tables)

    def block(self, raw: RawTable) -> tuple[int, int]:
        """0-based first data row and row count: the Excel table's body, and any data typed below it."""
        ref = self.tables(raw.sheet).get(raw.table.name)
        first = raw.header_excel_row  # 1-based header row = 0-based first data row
        last = max(ref[2] if ref else first - 1, int(raw.data.index.max()) - 1 if len(raw.data) else first - 1)
        return first, last - first + 1


def _write_marks(s: _Session, raw: RawBook, texts: dict[str, dict[int, str]] | None) -> int:
    """The 标记 column of every table, one write each (blank where ``texts`` has nothing); rows marked."""
    marked = 0
    for t in raw.tables.values():
        key = t.table.mark_column
        if key is None or key not in t.columns:
            continue
        first, n = s.block(t)
        if n <= 0:
            continue
        rows = (texts or {}).get(t.table.key, {})
        s.book.write_block(t.sheet, (first, t.columns[key]), [[rows.get(first + 1 + i)] for i in range(n)])
        marked += sum(1 for r in rows if first < r <= first + n)
    return marked


def _link(target: str, text: Any) -> Formula:
    def q(v: Any) -> str:
        return str(v).replace('"', '""')
    return Formula(f'=HYPERLINK("#{q(target)}","{q(text)}")')


def _put_sheet(book: Book, name: str, rows: Sequence[Sequence[Any]], links: dict[str, str]) -> None:
    """A generated list sheet in two calls: add or clear it, then one write; 位置 cells link to their cell."""
    out = [list(r) for r in rows]
    for ref, target in links.items():
        r = int(ref[1:]) - 1
        out[r][0] = _link(target, out[r][0])
    book.add_or_clear_sheet(name)
    book.write_block(name, (0, 0), out)


def _put_alerts(book: Book, report: Report) -> None:
    """The 预警 sheet as recalc writes it: its title line (统计日期 and the counts), the header, a row per alert."""
    rows, links = alert_rows(report)
    _put_sheet(book, ALERTS_SHEET, [[alert_title(report), *[""] * (len(rows[0]) - 1)], *rows], links)


def _write_formulas(s: _Session, raw: RawBook) -> int:
    """Every computed column refilled with its formula, one write per block of adjacent columns; columns written."""
    written = 0
    for t in raw.tables.values():
        ref = s.tables(t.sheet).get(t.table.name)
        if ref is None or ref[2] <= ref[0] or SCHEMA.sheet_of(t.table.key).protected:
            continue  # structured references need the Excel table; protected cells cannot be written
        cols = sorted((t.columns[c.key], "=" + render(c.formula or "", SCHEMA, t.table))
                      for c in t.table.computed_columns if c.key in t.columns)
        runs: list[list[tuple[int, str]]] = []
        for col, formula in cols:
            if runs and runs[-1][-1][0] == col - 1:
                runs[-1].append((col, formula))
            else:
                runs.append([(col, formula)])
        for run in runs:
            row = [Formula(f) for _, f in run]
            s.book.write_block(t.sheet, (ref[0] + 1, run[0][0]), [row] * (ref[2] - ref[0]))
            written += len(run)
    return written


def _checked(host: Host) -> tuple[_Session, RawBook, Report]:
    s = _Session(host.active_book())
    raw = s.raw()
    return s, raw, check_book(raw)


def _validate(host: Host) -> str:
    s, raw, report = _checked(host)
    marked = _write_marks(s, raw, marks(report, raw))
    _put_sheet(s.book, ISSUES_SHEET, *issue_rows(report))
    _put_alerts(s.book, report)
    return (f"校验完成：{report.tally()}。\n已在“标记”列标出 {marked} 行；"
            f"明细见“{ISSUES_SHEET}”和“{ALERTS_SHEET}”工作表（点位置可跳到单元格）。")


def _recalc(host: Host) -> str:
    s, raw, report = _checked(host)
    cols = _write_formulas(s, raw)
    marked = _write_marks(s, raw, marks(report, raw))
    _put_sheet(s.book, ISSUES_SHEET, *issue_rows(report))
    _put_alerts(s.book, report)
    return (f"重算完成：{cols} 个自动计算列已重新填入公式（被手工覆盖的单元格已恢复）。\n{report.tally()}。\n"
            f"已在“标记”列标出 {marked} 行；明细见“{ISSUES_SHEET}”和“{ALERTS_SHEET}”工作表。")


def _highlight(host: Host) -> str:
    s, raw, report = _checked(host)
    marked = _write_marks(s, raw, marks(report, raw))
    return (f"预警高亮：已在“标记”列标出 {marked} 行，被标出的单元格由工作簿自带的条件格式着色，"
            f"发给没有 Python 的同事也能看到。\n{report.tally()}。")


def _clear_marks(host: Host) -> str:
    s = _Session(host.active_book())
    raw = s.raw()
    had = sum(int(t.data[t.table.mark_column].astype(bool).sum()) for t in raw.tables.values()
              if t.table.mark_column and t.table.mark_column in t.data)
    _write_marks(s, raw, None)
    return f"已清除 {had} 行标记。"


def _saved(book: Book, what: str) -> Path:
    path = book.path
    if not path.is_absolute() or not path.is_file():
        raise WorkbookError(path, f"工作簿还没有保存：请先保存，{what}")
    return path


def _review(host: Host) -> str:
    path = _saved(host.active_book(), "复盘报告会写在它旁边")
    _, _, report = _checked(host)
    out = write_report(report, path.with_name(f"{path.stem}.复盘报告.xlsx"))
    host.open_book(out)
    return f"复盘报告已生成并打开：{out}\n{report.tally()}。"


def _daily(host: Host) -> str:
    """The 日报 as ``xlpromo daily`` prints it, a line a row on the 日报 sheet (two calls, whatever the rows);
    the message box shows its headline: where the campaign stands and how much waits for someone."""
    s, _, report = _checked(host)
    lines = render_daily(daily_report(report), "text").splitlines()
    _put_sheet(s.book, DAILY_SHEET, [[DAILY_HEAD], *([line] for line in lines)], {})
    head = [line for line in lines[:5] if not line.startswith("【") or line == lines[0]]
    todo = next((line for line in lines if line.startswith("【待处理")), "")
    return "\n".join([*head, todo.strip("【】")] if todo else head) + \
        f"\n全文见“{DAILY_SHEET}”工作表：选中 A 列复制，即可贴到群里。"


def _free(folder: Path, stem: str) -> Path:
    """``stem.xlsx`` in ``folder``, or ``stem2.xlsx``, ``stem3.xlsx`` … when it exists: never overwrite."""
    n = 1
    while (folder / f"{stem}{'' if n == 1 else n}.xlsx").exists():
        n += 1
    return folder / f"{stem}{'' if n == 1 else n}.xlsx"


def _new_campaign(host: Host) -> str:
    try:
        path = host.active_book().path
        folder = path.parent if path.is_absolute() else Path.home()
    except ExcelUnavailable:
        folder = Path.home()
    out = build_workbook(_free(folder, "新活动"))
    host.open_book(out)
    return f"已新建活动主工作簿：{out}\n请先在“活动目标”填写活动名称、负责人和预热、爆发、返场日期。"


def _beside(master: Path, mark: str) -> Path:
    """A free ``<campaign>.<mark>.xlsx`` beside the master (``.合并2``… when taken; never ``活动.合并.合并``)."""
    return _free(master.parent, f"{campaign_stem(master.stem)}.{mark}")


def _untouched(what: str, out: Path) -> str:
    """The closing lines of a button that writes a new master: the open one is unchanged, unsaved edits left out."""
    return (f"主工作簿未被修改；{what}以磁盘上已保存的主工作簿为准，未保存的修改不计入。"
            f"请核对后把 {out.name} 作为新的主工作簿。")


def _merge_copies(host: Host) -> str:
    master = _saved(host.active_book(), "合并结果会写在它旁边")
    copies = [p for p in host.pick_files("选择各部门回传的工作簿（可多选）") if p.resolve() != master.resolve()]
    if not copies:
        return "没有选择回传的工作簿，未合并。"
    try:
        result = merge_books(master, copies, _beside(master, "合并"))
    except NotAMaster as exc:  # the messages of merge_books speak of command-line arguments
        raise NotMergeable(master, f"当前打开的是{exc.dept}部门副本：请打开主工作簿后再点“合并回传”") from None
    host.open_book(result.output, CONFLICTS_SHEET if result.conflicts else None)  # conflicts first, when any
    return f"{result.summary()}\n{_untouched('合并', result.output)}"


#: What the button adds to an export error that points to a command-line option the button does not have.
_IMPORT_HINTS = {
    "--platform": "按钮按表头和文件名判断平台：把文件名改成带平台名的（如“生意参谋_0601.csv”“京东商智_0601.xlsx”）"
                  "再导入，或用命令行 xlpromo import 的 --platform",
    "--channel": "请在“数据字典”的渠道列表中加上这个渠道再导入，或用命令行 xlpromo import 的 --channel",
}


def _import_data(host: Host) -> str:
    """导入数据: ``xlpromo import`` of the picked exports into a new master beside the saved one."""
    master = _saved(host.active_book(), "导入结果会写在它旁边")
    title = "选择平台导出的数据文件（生意参谋、京东商智、抖店罗盘、拼多多的 .csv、.xls、.xlsx；可多选）"
    exports = [p for p in host.pick_files(title, EXPORTS) if p.resolve() != master.resolve()]
    if not exports:
        return "没有选择导出文件，未导入。"
    try:
        done = import_exports(master, exports, _beside(master, "导入"))
    except ExportError as exc:
        hint = next((h for option, h in _IMPORT_HINTS.items() if option in str(exc)), None)
        if hint is None:
            raise
        raise ExportError(exc.path, f"{str(exc).removeprefix(f'{exc.path.name}: ')}\n{hint}。") from None
    assert done.filled is not None
    out = done.filled.output
    unreadable = any(m.unreadable for *_, m in done.files)
    host.open_book(out, CONFLICTS_SHEET if done.conflicts or unreadable else None)  # what needs a person, first
    lines = [done.summary(), _untouched("导入", out)]
    if done.conflicts:
        lines.append("按钮从不覆盖已填写的值；确认以导出为准时，请用命令行 xlpromo import … --overwrite。")
    return "\n".join(lines)


def _plan_days(host: Host) -> str:
    """生成日计划: ``xlpromo plan`` with its defaults (every metric with a target, one 全渠道 row) into a new master;
    when every planned row is there already, no copy is left behind."""
    master = _saved(host.active_book(), "日计划会写在它旁边")
    done = plan_book(master, _beside(master, "日计划"))
    out = done.filled.output
    if done.plan.rows.empty:
        out.unlink(missing_ok=True)
        return "\n".join([f"没有需要新增的日计划行：已有的 {done.plan.kept} 行（同一日期、指标、渠道）保持原样，"
                          "未写出文件。", *(f"未生成：{s}" for s in done.plan.skipped)])
    host.open_book(out, SCHEMA.sheet("daily").name)
    return (f"{done.summary()}\n渠道：每个指标每天一行“全渠道”（渠道留空）。“导入数据”把平台的数据写到平台的渠道"
            f"（天猫、京东…）；要按渠道各一行，请用命令行：xlpromo plan {master.name} --channels 天猫,京东 "
            f"-o {_beside(master, '日计划').name}\n{_untouched('日计划', out)}")


def _os_message(exc: OSError) -> str:
    where = f"：{exc.filename}" if exc.filename else ""
    return f"无法读写文件{where}（{exc.strerror or exc}）；文件可能正在 Excel 中打开，请关闭后重试"


def _run(host: Host | None, title: str, body: Callable[[Host], str]) -> str:
    """Run one button on ``host`` (the calling Excel by default) and show its outcome in a message box."""
    h = host if host is not None else excel_host()  # ExcelUnavailable on Linux: the message names the CLI
    try:
        text = body(h)
    except XlpromoError as exc:
        text = f"{title}未完成：{exc}"
    except OSError as exc:
        text = f"{title}未完成：{_os_message(exc)}"
    h.message(text, f"{TITLE} · {title}")
    return text


def validate(host: Host | None = None) -> str:
    """校验: check every cell; write the 标记 column and the 问题清单 and 预警 sheets."""
    return _run(host, "校验", _validate)


def recalc(host: Host | None = None) -> str:
    """重算: refill the formulas of every computed column, then everything 校验 does."""
    return _run(host, "重算", _recalc)


def highlight(host: Host | None = None) -> str:
    """预警高亮: only the 标记 column, one write per table; the template's conditional formats paint the cells."""
    return _run(host, "预警高亮", _highlight)


def clear_marks(host: Host | None = None) -> str:
    """清除标记: blank the 标记 column, one write per table."""
    return _run(host, "清除标记", _clear_marks)


def review(host: Host | None = None) -> str:
    """生成复盘: the retrospective as ``<name>.复盘报告.xlsx`` beside the workbook, then open it."""
    return _run(host, "生成复盘", _review)


def daily(host: Host | None = None) -> str:
    """日报: the day's report (``xlpromo daily``) on the 日报 sheet, its headline in the message box."""
    return _run(host, "日报", _daily)


def new_campaign(host: Host | None = None) -> str:
    """新建活动: a blank master workbook ``新活动.xlsx`` beside the active one (or in the home folder), opened."""
    return _run(host, "新建活动", _new_campaign)


def merge_copies(host: Host | None = None) -> str:
    """合并回传: pick the departments' copies, merge them into ``<name>.合并.xlsx`` beside the master, open it."""
    return _run(host, "合并回传", _merge_copies)


def import_data(host: Host | None = None) -> str:
    """导入数据: pick the platforms' exports, import them into ``<name>.导入.xlsx`` beside the master, open it;
    the master itself stays as saved, so an import can always be looked at before it is taken."""
    return _run(host, "导入数据", _import_data)


def plan_days(host: Host | None = None) -> str:
    """生成日计划: the planned 每日监控 rows into ``<name>.日计划.xlsx`` beside the master, opened on 每日监控,
    so nobody types a row per day × metric by hand."""
    return _run(host, "生成日计划", _plan_days)
