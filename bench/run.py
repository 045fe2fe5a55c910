"""Benchmark, run by hand: ``python bench/run.py [--sizes 1000,10000,100000] [--repeat 3]``.

For each size it builds a workbook of N daily rows (plus N/20 tasks) and prints, measured
in the same run on the same file, ratios against baselines:

- check ÷ bare python-calamine read of every sheet (target at 100k: ≤ 1.5);
- recalc ÷ floor, the floor being a calamine read plus an xlsxwriter write of the same
  values (target at 100k: ≤ 1.5);
- naive openpyxl baseline (load, cell-by-cell 达成率, save) ÷ recalc (target: ≥ 5);
- 看板 (and 甘特图) share of recalc: recalc ÷ the same recalc with their twins and cached cells left out,
  minus one (target at 100k: ≤ 10%);
- peak memory (max RSS) of the check and recalc processes (target: < 1 GB).

``--imports 1000,10000`` prints instead ``xlpromo import`` of N export rows against ``recalc`` of its result
(bench/imports.py). ``--native 1000,4000,16000`` prints instead LibreOffice's own recalculation of the workbook
against the same book without its 环比 formulas (bench/native.py).

Each measurement runs in a fresh subprocess (median of --repeat runs), so imports and
caches of one do not help another.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve()


# Targets that sit inside 阈值配置's limits, as a real campaign's would.
TARGETS = {"转化率": 0.045, "加购率": 0.08, "新客占比": 0.3, "复购率": 0.25, "点击率": 0.03, "客诉率": 0.004,
           "缺货率": 0.03, "跳出率": 0.3, "客服响应时长": 25.0, "发货时长": 24.0, "ROI": 3.0, "GMV": 20.0}
LOWER = {"客诉率", "缺货率", "跳出率", "客服响应时长", "发货时长"}


def make_book(path: Path, rows: int) -> Path:
    """A campaign workbook with ``rows`` daily rows and rows/20 tasks, deterministic."""
    import pandas as pd

    from xlpromo.files.builder import build_workbook
    from xlpromo.files.demo import demo_frames
    from xlpromo.model.defaults import METRICS

    rng = random.Random(rows)
    frames = demo_frames()
    metrics = [m.name for m in METRICS]
    channels = ["天猫", "京东", "抖音", "拼多多", "小红书", "微信私域", "自营商城", "全渠道"]
    per_day = len(metrics) * len(channels)
    start = dt.date(2024, 1, 1)
    daily = []
    for i in range(rows):
        day = start + dt.timedelta(days=i // per_day)
        m = metrics[i % len(metrics)]
        c = channels[(i // len(metrics)) % len(channels)]
        target = TARGETS.get(m, 100.0)
        good = (0.97, 1.12) if m not in LOWER else (0.9, 1.0)
        bad = (0.8, 0.94) if m not in LOWER else (1.06, 1.25)
        factor = rng.uniform(*bad) if rng.random() < 0.03 else rng.uniform(*good)  # 3% of rows off target
        daily.append((day, m, c, target, round(target * factor, 4), "", ""))
    frames["daily"] = pd.DataFrame(daily, columns=["date", "metric", "channel", "target", "actual", "issue", "action"],
                                   dtype=object)
    tasks = [(f"T{i:06d}", f"任务{i}", "", "筹备期", start, start + dt.timedelta(days=rng.randint(0, 400)), "李*",
              "运营部", "", "", "进行中", "") for i in range(max(1, rows // 20))]
    frames["tasks"] = pd.DataFrame(tasks, columns=list(frames["tasks"].columns), dtype=object)
    targets = frames["targets"].copy()
    targets["warmup_start"], targets["return_end"] = start, start + dt.timedelta(days=rows // per_day + 1)
    frames["targets"] = targets
    return build_workbook(path, frames)


def _bare_read(path: str) -> None:
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_path(path)
    for name in wb.sheet_names:
        wb.get_sheet_by_name(name).to_python()


def _check(path: str) -> None:
    from xlpromo.files.check import check

    check(path)


# Imports are done before the clock starts: the benchmark measures work, not start-up.
PRELOAD = {"read": "python_calamine", "check": "xlpromo.files.check", "naive": "openpyxl",
           "recalc": "xlpromo.roundtrip.recalc", "bare-recalc": "xlpromo.roundtrip.recalc", "floor": "xlsxwriter",
           "import": "xlpromo.roundtrip.imports"}


def _naive(path: str) -> None:
    """What a hand-written macro-style script does: openpyxl, one cell at a time."""
    import openpyxl

    wb = openpyxl.load_workbook(path)
    ws = wb["每日监控"]
    for row in range(4, ws.max_row + 1):
        target, actual = ws.cell(row, 6).value, ws.cell(row, 7).value
        if isinstance(target, (int, float)) and isinstance(actual, (int, float)) and target:
            ws.cell(row, 8).value = actual / target
    out = Path(path).with_suffix(".naive.xlsx")
    wb.save(out)
    out.unlink()


def _import(path: str) -> None:
    import imports

    imports.do_import(path)


def _recalc(path: str) -> None:
    from xlpromo.roundtrip.recalc import recalc

    out = Path(path).with_suffix(".recalc.xlsx")
    recalc(path, out)
    out.unlink()


def _bare_recalc(path: str) -> None:
    """recalc with 看板's and the 甘特图's twins and cached cells left out: the baseline of their share."""
    from xlpromo.roundtrip import recalc as module

    module.board_values = lambda frames: {}  # type: ignore[assignment]  # the baseline: nothing of 看板
    module.gantt_values = lambda frames: {}  # type: ignore[assignment]
    _recalc(path)


def _floor(path: str) -> None:
    """The least any tool must do: read every value, write them all to a new file."""
    import xlsxwriter
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_path(path)
    out = Path(path).with_suffix(".floor.xlsx")
    book = xlsxwriter.Workbook(str(out), {"constant_memory": True})
    for name in wb.sheet_names:
        ws = book.add_worksheet(name)
        for r, row in enumerate(wb.get_sheet_by_name(name).to_python()):
            ws.write_row(r, 0, row)
    book.close()
    out.unlink()


OPS = {"read": _bare_read, "check": _check, "naive": _naive, "recalc": _recalc, "bare-recalc": _bare_recalc,
       "floor": _floor, "import": _import}


def measure(op: str, path: Path, repeat: int) -> tuple[float, float]:
    """Median seconds and max RSS (MB) of ``op`` on ``path`` over fresh subprocesses."""
    times, rss = [], []
    for _ in range(repeat):
        out = subprocess.run([sys.executable, str(HERE), "--one", op, str(path)], capture_output=True, text=True,
                             check=True).stdout
        result = json.loads(out)
        times.append(result["seconds"])
        rss.append(result["rss_mb"])
    return statistics.median(times), max(rss)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--sizes", default="1000,10000,100000")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--naive", action=argparse.BooleanOptionalAction, default=True)
    ap.add_argument("--native", metavar="SIZES", help="LibreOffice recalculation vs floor (bench/native.py)")
    ap.add_argument("--imports", metavar="SIZES", help="xlpromo import of N export rows vs recalc (bench/imports.py)")
    ap.add_argument("--one", nargs=2, metavar=("OP", "PATH"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        op, path = args.one
        __import__(PRELOAD[op])
        t0 = time.perf_counter()
        OPS[op](path)
        seconds = time.perf_counter() - t0
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps({"seconds": seconds, "rss_mb": rss}))
        return
    if args.imports:
        import imports

        imports.run([int(s) for s in args.imports.split(",")], args.repeat, measure)
        return
    if args.native:
        import native

        native.run([int(s) for s in args.native.split(",")], args.repeat)
        return
    print(f"{'rows':>8} {'MB':>6} {'read s':>7} {'check s':>7} {'chk/read':>8} {'floor s':>7} {'recalc s':>8} "
          f"{'rc/floor':>8} {'看板 %':>6} {'naive s':>7} {'naive/rc':>8} {'RSS MB':>6}")
    with tempfile.TemporaryDirectory() as tmp:
        for n in (int(s) for s in args.sizes.split(",")):
            path = make_book(Path(tmp) / f"bench-{n}.xlsx", n)
            read, _ = measure("read", path, args.repeat)
            chk, rss1 = measure("check", path, args.repeat)
            floor, _ = measure("floor", path, args.repeat)
            rc, rss2 = measure("recalc", path, args.repeat)
            bare, _ = measure("bare-recalc", path, args.repeat)
            naive = measure("naive", path, 1)[0] if args.naive else float("nan")
            print(f"{n:>8} {path.stat().st_size / 1e6:>6.1f} {read:>7.2f} {chk:>7.2f} {chk / read:>8.2f} "
                  f"{floor:>7.2f} {rc:>8.2f} {rc / floor:>8.2f} {(rc / bare - 1) * 100:>6.1f} {naive:>7.2f} "
                  f"{naive / rc:>8.1f} "
                  f"{max(rss1, rss2):>6.0f}", flush=True)


if __name__ == "__main__":
    main()
