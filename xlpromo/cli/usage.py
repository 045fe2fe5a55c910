"""A command typed wrongly, answered in Chinese: the usage line, the hint and the error of Click's parser.

Click (vendored by Typer) words its parse errors in English and offers no catalogue to translate them; the
few kinds it raises are named here, each with what to do, so that ``xlpromo split 618.xlsx 仓储部`` says
``多余的参数：仓储部`` beside the usage line instead of ``Got unexpected extra argument(s)``.
"""

from __future__ import annotations

import re
from typing import Any

from typer import rich_utils
from typer._click import exceptions as click_errors

__all__ = ["chinese_usage", "translated"]

rich_utils.ERRORS_PANEL_TITLE = "错误"
rich_utils.RICH_HELP = "运行 [blue]{command_path} {help_option}[/] 查看用法。"
rich_utils.ARGUMENTS_PANEL_TITLE = "参数"
rich_utils.OPTIONS_PANEL_TITLE = "选项"
rich_utils.COMMANDS_PANEL_TITLE = "命令"
rich_utils.REQUIRED_LONG_STRING = "[必填]"
rich_utils.DEFAULT_STRING = "[默认：{}]"
rich_utils.ABORTED_TEXT = "已取消。"

_EXTRA = re.compile(r"^Got unexpected extra argument(?:s|\(s\))? \((.*)\)$")
_NO_COMMAND = re.compile(r"^No such command '(.*)'\.$")
_NEEDS_VALUE = re.compile(r"^Option '(.*)' requires an argument\.$")
_INVALID = re.compile(r"^Invalid value for (.*?): (.*)$", re.S)


def chinese_usage(usage: str) -> str:
    """Click's usage line in Chinese: ``用法：xlpromo split [选项] MASTER.xlsx`` (Typer braces a required
    argument, ``{MASTER.xlsx}``, which reads as a placeholder to be typed with its braces)."""
    usage = usage.replace("Usage: ", "用法：", 1).replace("[OPTIONS]", "[选项]").replace("COMMAND [ARGS]...",
                                                                                          "命令 [参数]")
    return re.sub(r"\{([^{}\s]+)\}", r"\1", usage)


def translated(exc: click_errors.UsageError) -> click_errors.UsageError:
    """The same error, its message in Chinese with what to do (an unknown kind keeps Click's words)."""
    out = click_errors.UsageError(_message(exc), ctx=exc.ctx)
    out.exit_code = exc.exit_code
    return out


def _message(exc: click_errors.UsageError) -> str:
    """What went wrong, in the words of the person who typed the command."""
    if isinstance(exc, click_errors.NoSuchOption):
        out = _out_argument(exc.ctx)
        if exc.option_name in ("-o", "--output") and out and exc.ctx is not None:
            path = exc.ctx.command_path
            return f"{path} 没有 -o 选项：输出文件直接写在命令后面，如 {path} 活动{out[3:]}"
        maybe = f"；是否想用 {'、'.join(exc.possibilities)}？" if exc.possibilities else ""
        return f"没有选项 {exc.option_name}{maybe}（运行 --help 查看可用的选项）"
    if isinstance(exc, click_errors.MissingParameter):
        return f"缺少{_kind(exc.param)} {_hint(exc.param)}"
    if isinstance(exc, click_errors.BadParameter) and exc.param is not None:
        return f"{_hint(exc.param)} 的值无效：{exc.message}"
    text = exc.format_message()
    if m := _EXTRA.match(text):
        return f"多余的参数：{m.group(1)}（部门、输出文件等须用选项给出，如 --dept 仓储部 -o 副本.xlsx）"
    if m := _NO_COMMAND.match(text):
        return f"没有命令 {m.group(1)}（运行 xlpromo --help 查看全部命令）"
    if m := _NEEDS_VALUE.match(text):
        return f"选项 {m.group(1)} 后面要跟一个值"
    if m := _INVALID.match(text):
        return f"{m.group(1)} 的值无效：{m.group(2)}"
    return text


def _out_argument(ctx: Any) -> str:
    """The metavar of the command's output argument (``OUT.xlsx``: new and demo), else empty."""
    params = getattr(getattr(ctx, "command", None), "params", [])
    return next((str(p.metavar) for p in params if getattr(p, "param_type_name", "") == "argument"
                 and str(p.metavar or "").startswith("OUT.")), "")


def _kind(param: Any) -> str:
    """参数 for an argument, 选项 for an option."""
    return "选项" if getattr(param, "param_type_name", "") == "option" else "参数"


def _hint(param: Any) -> str:
    """How the person names the parameter: ``-o/--output`` or ``MASTER.xlsx``."""
    if param is None:
        return ""
    if getattr(param, "param_type_name", "") == "option":
        return "/".join(param.opts)
    return str(param.metavar or param.name).upper() if param.metavar is None else str(param.metavar)
