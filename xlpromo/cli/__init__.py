"""Command line, one function per command: parse the arguments, call one function of a lower layer, print.

Commands: ``new`` (a blank master workbook), ``demo`` (a filled 618), ``check`` (findings and
alerts, nothing written), ``recalc`` (fresh values, 问题清单, 预警, highlights), ``report`` (the
retrospective as .md/.html/.xlsx), ``daily`` (the day's 日报), ``split`` (department copies), ``merge``
(copies back into the master), ``build-addin`` and ``install-addin`` (the Excel add-in), ``version``.

Exit codes: 0 success (``check``: no error finding), 1 ``check`` found errors, 2 unusable input
(bad option, a file that is not a usable workbook, existing output without --force), 128+N
interrupted by signal N (nothing half-written is left).
"""

from __future__ import annotations

import signal
from types import FrameType

from xlpromo.cli import addins, books, copies, daily, numbers  # noqa: F401  (they register their commands on ``app``)
from xlpromo.cli.base import app, errors
from xlpromo.cli.make import parse_date

__all__ = ["app", "main", "parse_date"]


def _interrupted(signum: int, frame: FrameType | None) -> None:
    """Ctrl-C, a closed terminal or a kill: unwind (``finally`` removes every half-written file) and exit 128+N."""
    errors.print("[yellow]已中断[/]：未写完的输出已删除，输入文件未改动")
    raise SystemExit(128 + signum)


def main() -> None:
    """Console-script entry point; SIGINT, SIGTERM and SIGHUP end it cleanly, leaving no temporary file."""
    for name in ("SIGINT", "SIGTERM", "SIGHUP"):
        if hasattr(signal, name):  # Windows has no SIGHUP
            signal.signal(getattr(signal, name), _interrupted)
    app()


if __name__ == "__main__":
    main()
