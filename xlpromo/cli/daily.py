"""``daily``: the day's report (日报) of a workbook, to the terminal, a file, or the team's group robot."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from xlpromo.cli.base import Command, app, check_output, console, fail, guarded, safe
from xlpromo.cli.make import parse_date

_SUFFIXES = {"text": (".txt", ".md"), "markdown": (".md", ".txt"), "json": (".json",)}
#: Where the webhook URL and the signing secret come from when not given: they are passwords, kept out of the
#: shell history and the scheduled task's command line, never printed.
WEBHOOK_ENV, SECRET_ENV = "XLPROMO_WEBHOOK", "XLPROMO_SECRET"
ROBOTS = ("dingtalk", "feishu", "wecom")


@app.command(cls=Command, short_help="数据日报：进度、未达标、各部门待办、做得好的。")
def daily(
    book: Annotated[Path, typer.Argument(metavar="BOOK.xlsx", help="已填写的工作簿 .xlsx")],
    date: Annotated[str | None, typer.Option(
        "--date", help="统计日期，如 2024-06-21；默认为阈值配置的统计日期")] = None,
    fmt: Annotated[str, typer.Option("--format", help="text（默认）、markdown 或 json")] = "text",
    out: Annotated[Path | None, typer.Option("-o", "--output", help="写入文件（.txt/.md/.json），不打印")] = None,
    limit: Annotated[int, typer.Option("--limit", help="每个部门、每类最多列出几条（默认 5，0 为全部；"
                                                       "json 总是全部）")] = 5,
    force: Annotated[bool, typer.Option(help="覆盖已存在的输出文件")] = False,
    post: Annotated[str | None, typer.Option("--post", help="发到群机器人：dingtalk、feishu 或 wecom")] = None,
    webhook: Annotated[str | None, typer.Option(
        "--webhook", help=f"机器人的 Webhook 地址（默认取环境变量 {WEBHOOK_ENV}）", show_default=False)] = None,
    secret: Annotated[str | None, typer.Option(
        "--secret", help=f"加签密钥（默认取环境变量 {SECRET_ENV}）", show_default=False)] = None,
) -> None:
    """生成当天的数据日报：进度、未达标指标、各部门待处理事项、做得好的地方。统计日期之后的行不计入。"""
    from xlpromo.engine.daily import daily_report
    from xlpromo.files.check import check as run_check
    from xlpromo.files.daily import DAILY_FORMATS, render_daily, write_daily

    if fmt not in DAILY_FORMATS:
        raise fail(f"--format {fmt}：只能是 {'、'.join(DAILY_FORMATS)}")
    if limit < 0:
        raise fail(f"--limit {limit} 不能为负数：0 表示全部列出")
    try:
        as_of = parse_date(date) if date else None
    except ValueError as exc:
        raise fail(f"--date：{exc}") from None
    if post is not None:
        if post not in ROBOTS:
            raise fail(f"--post {post}：只能是 {'、'.join(ROBOTS)}")
        if fmt == "json":
            raise fail("--post 发送的是 Markdown 日报，不能与 --format json 同用")
        webhook = webhook or os.environ.get(WEBHOOK_ENV)
        if not webhook:
            raise fail(f"--post 需要机器人的 Webhook 地址：用 --webhook 给出，或设置环境变量 {WEBHOOK_ENV}")
        secret = secret or os.environ.get(SECRET_ENV) or None
    if out is not None:
        check_output(out, force, _SUFFIXES[fmt], inputs=[book])
    with guarded(book, out, doing="生成日报"):
        report = daily_report(run_check(book, as_of=as_of))
        text = render_daily(report, fmt, limit)
        if out is not None:
            write_daily(text, out)
    if out is not None:
        console.print(f"[green]已生成日报[/] {safe(out)}")
    elif post is None:
        typer.echo(text, nl=False)
    if post is not None and webhook:
        _post(post, webhook, secret, render_daily(report, "markdown", limit), f"{report.campaign} 日报")


def _post(platform: str, webhook: str, secret: str | None, text: str, title: str) -> None:
    """Send the Markdown 日报 to the group; a refusal or an unreachable robot is exit code 2 with its words."""
    from xlpromo.errors import RobotError
    from xlpromo.robots import PLATFORMS, post

    try:
        with console.status("正在发送到群机器人…", spinner="dots"):
            result = post(platform, webhook, text, secret=secret, title=title,
                          trailer="……另有 {n} 行未发送，见工作簿“预警”表")
    except RobotError as exc:
        raise fail(str(exc)) from None
    cut = f"，{result.omitted} 行未发送" if result.omitted else ""
    console.print(f"[green]已发送[/]到{PLATFORMS[platform].label}：{result.messages} 条消息{cut}")
