"""The ``xlpromo`` app and what every command shares: Chinese help, the two consoles, messages that are
never markup, and the rules of output (never over an input, --force, nothing half-written)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from typer.core import TyperCommand, TyperGroup

from xlpromo.errors import WorkbookError

HELP_OPTION_TEXT = "显示帮助并退出"


class ChineseHelp:
    """Mixin for Typer's command classes: the ``--help`` option's own text in Chinese."""

    def get_help_option(self, ctx: Any) -> Any:
        """Typer's help option, with its help text replaced."""
        option = super().get_help_option(ctx)  # type: ignore[misc]
        if option is not None:
            option.help = HELP_OPTION_TEXT
        return option


#: The commands in the order ``xlpromo --help`` lists them: the order of a campaign, then the add-in.
ORDER = ("new", "demo", "check", "recalc", "report", "split", "merge", "build-addin", "install-addin", "version")


class Group(ChineseHelp, TyperGroup):
    """The ``xlpromo`` group, with a Chinese ``--help`` text and its commands in :data:`ORDER`."""

    def list_commands(self, ctx: Any) -> list[str]:
        """The command names, as :data:`ORDER` gives them (any other after them)."""
        names = super().list_commands(ctx)
        return sorted(names, key=lambda n: ORDER.index(n) if n in ORDER else len(ORDER))


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


def unusable(book: Path, exc: Exception) -> WorkbookError:
    """Any failure as a WorkbookError naming the file: an unexpected one says it is internal."""
    if isinstance(exc, WorkbookError):
        return exc
    return WorkbookError(book, f"无法处理此文件（内部错误 {type(exc).__name__}: {exc}），请把文件发给维护者")


@contextlib.contextmanager
def guarded(book: Path, out: Path | None, tail: str = "") -> Iterator[None]:
    """Never a traceback: a file that cannot be written or used is a Chinese message and exit code 2."""
    try:
        yield
    except typer.Exit:
        raise
    except OSError as exc:
        if out is None:
            raise fail(f"{unusable(book, exc)}{tail}") from None
        raise fail(f"无法写入 {out}：{exc.strerror or exc}{tail}") from None
    except Exception as exc:
        raise fail(f"{unusable(book, exc)}{tail}") from None


def check_output(out: Path, force: bool, suffixes: tuple[str, ...] = (".xlsx",)) -> None:
    """Refuse (exit code 2) an output of the wrong kind, or an existing one without --force."""
    if out.suffix.lower() not in suffixes:
        raise fail(f"{out}：输出文件须为 {' 或 '.join(suffixes)}")
    if out.exists() and not force:
        raise fail(f"{out} 已存在；如需覆盖请加 --force")


def write_or_fail(out: Path, action: Callable[[], object]) -> None:
    """Run a writing action; a folder that cannot be written is a message and exit code 2."""
    try:
        action()
    except OSError as exc:
        raise fail(f"无法写入 {out}：{exc.strerror or exc}") from None
