"""``build-addin``, ``install-addin`` and ``version``: the Excel add-in, and which xlpromo this is."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from xlpromo._version import __version__
from xlpromo.cli.base import Command, app, check_output, console, fail, safe, write_or_fail


@app.command("build-addin", cls=Command)
def build_addin(
    out: Annotated[Path, typer.Option("-o", "--output", help="输出的加载项 .xlam")] = Path("workbook/xlpromo.xlam"),
    force: Annotated[bool, typer.Option(help="覆盖已存在的输出文件")] = False,
) -> None:
    """生成 Excel 加载项 xlpromo.xlam（功能区按钮与自定义函数，需要已安装的 xlwings）。"""
    from xlpromo.addin import build as addin

    check_output(out, force, (".xlam",))
    try:
        data = addin.build_addin()
    except addin.AddinError as exc:
        raise fail(str(exc)) from None
    write_or_fail(out, lambda: addin.write_addin(out, data))
    console.print(f"[green]已生成加载项[/] {safe(out)}（xlwings {safe(addin.xlwings_sources().version)}）")


@app.command("install-addin", cls=Command)
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
        raise fail(str(exc)) from None
    except OSError as exc:
        raise fail(f"无法写入 {exc.filename or '加载项'}：{exc.strerror or exc}。"
                    "如果 Excel 正在运行，请先退出 Excel 再试") from None
    if uninstall:
        console.print(f"[green]已卸载[/] {safe(place.addin)}；请重启 Excel。xlwings 的解释器设置"
                      f"（{safe(place.config)}）保留未动。"
                      if removed else f"加载项未安装（{safe(place.addin)} 不存在）。")
        return
    console.print(f"[green]已安装加载项[/] {safe(place.addin)}")
    console.print(f"xlwings 解释器设置 {safe(place.config_key)} = {safe(sys.executable)}"
                  f"（写入 {safe(place.config)}）")
    if place.applescript_dir is not None:
        console.print(f"RunPython 所需的 AppleScript 已复制到 {safe(place.applescript_dir)}")
    console.print("请重启 Excel（macOS 上用 Cmd-Q 退出后再打开），功能区会出现“促销活动”选项卡。")


@app.command(cls=Command)
def version() -> None:
    """显示版本号。"""
    typer.echo(__version__)
