"""Import figure, run by hand: ``python bench/run.py --imports 1000,10000 [--repeat 3]``.

For N export rows (a 生意参谋 CSV in GBK: 统计日期 and five figures a day, N days) and a workbook whose 每日监控 holds
the N × 5 planned rows (天猫, targets only), prints the time of ``xlpromo import`` writing the filled workbook
against ``recalc`` of that result, measured in the same run (target at 10,000 rows: ≤ 2).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

#: The planned metrics and their daily targets; the export's columns feed them.
PLANNED = {"GMV": 20.0, "访客数": 10000.0, "订单量": 500.0, "转化率": 0.05, "客单价": 260.0}
START = dt.date(2000, 1, 1)


def make_pair(folder: Path, rows: int) -> tuple[Path, Path]:
    """The planned workbook and its export (``rows`` days), deterministic."""
    import pandas as pd

    from xlpromo.files.builder import build_workbook
    from xlpromo.files.demo import demo_frames

    frames = demo_frames()
    days = [START + dt.timedelta(days=i) for i in range(rows)]
    frames["daily"] = pd.DataFrame([(d, m, "天猫", t, None, "", "") for d in days for m, t in PLANNED.items()],
                                   columns=["date", "metric", "channel", "target", "actual", "issue", "action"],
                                   dtype=object)
    targets = frames["targets"].copy()
    targets["warmup_start"], targets["burst_start"] = START, START
    targets["burst_end"] = targets["return_end"] = days[-1]
    frames["targets"] = targets
    book = build_workbook(folder / f"plan-{rows}.xlsx", frames)
    lines = ["生意参谋 - 店铺整体", "", "统计日期,访客数,支付金额,支付买家数,支付转化率,客单价"]
    lines += [f'{d},"{10000 + i % 97:,}","{200000 + i % 89:,.2f}",{500 + i % 7},{5 + i % 3 / 10:.2f}%,{260 + i % 5}'
              for i, d in enumerate(days)]
    lines.append("合计,,,,,")
    export = folder / f"生意参谋-{rows}.csv"
    export.write_bytes("\r\n".join(lines).encode("gb18030"))
    return book, export


def do_import(path: str) -> None:
    """One import of the export beside ``path`` into a new file (the op the subprocess times)."""
    from xlpromo.roundtrip.imports import import_exports

    book = Path(path)
    export = book.with_name(book.name.replace("plan-", "生意参谋-").replace(".xlsx", ".csv"))
    import_exports(book, [export], book.with_suffix(".imported.xlsx"))


def run(sizes: list[int], repeat: int, measure: Callable[[str, Path, int], tuple[float, float]]) -> None:
    """Print, per size, import and recalc of its result (medians of ``repeat`` fresh processes) and their ratio."""
    import tempfile

    print(f"{'rows':>8} {'import s':>8} {'recalc s':>8} {'imp/rc':>7}")
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            book, _ = make_pair(Path(tmp), n)
            imp, _ = measure("import", book, repeat)
            rc, _ = measure("recalc", book.with_suffix(".imported.xlsx"), repeat)
            print(f"{n:>8} {imp:>8.2f} {rc:>8.2f} {imp / rc:>7.2f}", flush=True)
