"""The ``xlpromo`` app and what every command shares: Chinese help, the two consoles, messages that are
never markup, and the rules of output (never over an input, --force, nothing half-written)."""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from typer._click import exceptions as click_errors
from typer.core import TyperCommand, TyperGroup

from xlpromo.cli.usage import chinese_usage, translated
from xlpromo.errors import WorkbookError

HELP_OPTION_TEXT = "显示帮助并退出"


#: The type column of ``--help``, in words (Typer prints Python's: ``<path>``, ``<list[Path]>``); none for a flag.
TYPE_WORDS = {"path": "文件", "list[Path]": "文件…", "str": "文字", "int": "整数", "bool": ""}


def _typed(param: Any) -> Any:
    """``param`` with its type shown in :data:`TYPE_WORDS` (unknown types as Typer shows them)."""
    shown = param.display_type_rich

    def words(ctx: Any) -> str | None:
        text = shown(ctx)
        return text if text is None else TYPE_WORDS.get(str(text).strip("<>"), text)
    param.display_type_rich = words
    return param


class ChineseHelp:
    """Mixin for Typer's command classes: the ``--help`` option's own text, and the types, in Chinese."""

    def get_help_option(self, ctx: Any) -> Any:
        """Typer's help option, with its help text replaced."""
        option = super().get_help_option(ctx)  # type: ignore[misc]
        if option is not None:
            option.help = HELP_OPTION_TEXT
        return option

    def get_params(self, ctx: Any) -> list[Any]:
        """The parameters, each showing its type in words."""
        return [_typed(p) for p in super().get_params(ctx)]  # type: ignore[misc]

    def get_usage(self, ctx: Any) -> str:
        """The usage line, in Chinese (``用法：xlpromo split [选项] MASTER.xlsx``)."""
        return chinese_usage(super().get_usage(ctx))  # type: ignore[misc]


#: The commands in the order ``xlpromo --help`` lists them: the order of a campaign, then the add-in.
ORDER = ("new", "demo", "plan", "import", "check", "recalc", "daily", "report", "split", "merge", "build-addin",
         "install-addin", "version")


class Group(ChineseHelp, TyperGroup):
    """The ``xlpromo`` group, with a Chinese ``--help`` text and its commands in :data:`ORDER`."""

    def list_commands(self, ctx: Any) -> list[str]:
        """The command names, as :data:`ORDER` gives them (any other after them)."""
        names = super().list_commands(ctx)
        return sorted(names, key=lambda n: ORDER.index(n) if n in ORDER else len(ORDER))

    def invoke(self, ctx: Any) -> Any:
        """Run the command; a command typed wrongly gets its parse error in Chinese."""
        try:
            return super().invoke(ctx)
        except click_errors.UsageError as exc:
            raise translated(exc) from None


class Command(ChineseHelp, TyperCommand):
    """An ``xlpromo`` command, with a Chinese ``--help`` text."""


app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False, cls=Group,
                  help="xlpromo：电商促销活动主工作簿（618、双11）的生成与检查工具。")
console = Console(soft_wrap=True)
errors = Console(stderr=True, soft_wrap=True)

def fail(message: str) -> typer.Exit:
    """Print ``错误：message`` (taken literally, never as markup) and return the exit to raise (code 2)."""
    errors.print(f"[bold red]错误：[/]{escape(message)}")
    return typer.Exit(2)


def safe(value: object) -> str:
    """A value from data, an exception or a file name, safe to print with rich markup."""
    return "" if value is None else escape(str(value))


def folded_table(title: str, headers: tuple[str, ...]) -> Table:
    """A rich table whose cells wrap (fold) instead of being cut with “…”."""
    t = Table(title=safe(title))
    for h in headers:
        t.add_column(h, overflow="fold")
    return t


#: What an OSError means, in the words of the person who runs the command (its strerror is English).
_OS_ERRORS = {errno.ENAMETOOLONG: "文件名过长", errno.EACCES: "没有权限", errno.EPERM: "没有权限",
              errno.ENOSPC: "磁盘空间不足", errno.EROFS: "磁盘为只读", errno.ENOENT: "文件或文件夹不存在",
              errno.EISDIR: "这是一个文件夹", errno.ENOTDIR: "路径中有一项不是文件夹", errno.EBUSY: "文件正被占用"}


def os_error(exc: OSError) -> str:
    """An OSError's reason in Chinese (its English strerror when it is not one we know)."""
    return _OS_ERRORS.get(exc.errno or 0, exc.strerror or str(exc))


def unusable(book: Path, exc: Exception, doing: str = "处理此文件") -> WorkbookError:
    """Any failure as a WorkbookError naming the file and what was being done; an unexpected one says it is
    ours (the hostile corpus must never see that)."""
    if isinstance(exc, WorkbookError):
        return exc
    return WorkbookError(book, f"{doing}时出错（内部错误 {type(exc).__name__}: {exc}），请把文件发给维护者")


@contextlib.contextmanager
def guarded(book: Path, out: Path | None, tail: str = "", *, doing: str = "处理此文件") -> Iterator[None]:
    """Never a traceback: a file that cannot be read or written, or used, is a Chinese message and exit code 2.

    ``doing``: what the command does (重算, 合并…), named in the message of an unexpected failure."""
    try:
        yield
    except typer.Exit:
        raise
    except OSError as exc:
        where = Path(exc.filename) if isinstance(exc.filename, str) else None
        if out is None or (where is not None and where.resolve() == book.resolve()):
            raise fail(f"无法读取 {book}：{os_error(exc)}{tail}") from None
        raise fail(f"无法写入 {where or out}：{os_error(exc)}{tail}") from None
    except Exception as exc:
        raise fail(f"{unusable(book, exc, doing)}{tail}") from None


def same_file(a: Path, b: Path) -> bool:
    """Whether two paths name one file (the same path, a link to it, another case of it where case is ignored)."""
    if a.resolve() == b.resolve():
        return True
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


def check_output(out: Path, force: bool, suffixes: tuple[str, ...] = (".xlsx",), *, inputs: Iterable[Path] = (),
                 hint: str = "请换一个输出文件名") -> None:
    """Refuse (exit code 2) an output of the wrong kind, one of the ``inputs`` (never written over, --force or
    not), or an existing file without --force."""
    if out.suffix.lower() not in suffixes:
        raise fail(f"{out}：输出文件须为 {' 或 '.join(suffixes)}")
    for path in inputs:
        if same_file(out, path):
            raise fail(f"输出文件 {out} 就是输入文件：xlpromo 从不写在输入文件上（加 --force 也不会），{hint}")
    if out.exists() and out.is_dir():
        raise fail(f"{out} 是文件夹：请给出输出文件名，如 {out / ('结果' + suffixes[0])}")
    if out.exists() and not force:
        raise fail(f"{out} 已存在；如需覆盖请加 --force")


def writable(path: Path) -> bool:
    """Whether ``path`` may be replaced: not marked read-only (for its owner, as Windows' 只读 attribute maps),
    and writable by whoever runs the command."""
    return bool(path.stat().st_mode & stat.S_IWUSR) and os.access(path, os.W_OK)


def write_or_fail(out: Path, action: Callable[[], object]) -> None:
    """Run a writing action; a folder that cannot be written is a message and exit code 2."""
    try:
        action()
    except OSError as exc:
        raise fail(f"无法写入 {out}：{os_error(exc)}") from None
