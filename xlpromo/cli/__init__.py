"""Command line, one function per command: parse the arguments, call one function of a lower layer, print.

Commands: ``new`` (a blank master workbook), ``demo`` (a filled 618), ``check`` (findings and
alerts, nothing written), ``recalc`` (fresh values, 问题清单, 预警, highlights), ``report`` (the
retrospective as .md/.html/.xlsx), ``split`` (department copies), ``merge`` (copies back into the
master), ``build-addin`` and ``install-addin`` (the Excel add-in), ``version``.

Exit codes: 0 success (``check``: no error finding), 1 ``check`` found errors, 2 unusable input
(bad option, a file that is not a usable workbook, existing output without --force).
"""

from __future__ import annotations

from xlpromo.cli import addins, books, copies  # noqa: F401  (they register their commands on ``app``)
from xlpromo.cli.base import app
from xlpromo.cli.make import parse_date

__all__ = ["app", "main", "parse_date"]


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":
    main()
