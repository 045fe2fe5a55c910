"""``xlpromo merge``: a three-way merge of department copies back into the master, losing nothing.

Each copy is compared, row by ID (or natural key) and cell by cell, with its own base: the
snapshot its ``_xlpromo`` sheet took of the master when the copy was made. A cell changed only
in one copy is taken; a cell changed differently in two copies, or changed in the master too,
is a conflict: the master keeps its value and ``合并冲突`` lists every side with its file.
Rows new in a copy are appended with fresh IDs (a row merged before is recognised and not
appended twice); rows missing from a copy are listed, never deleted. Versions of one copy (the same
copy ID in several files) are merged in the order they were saved, a later one winning; the
values taken from each copy are stamped in ``_xlpromo``, so a copy sent again puts nothing back,
and so is when the latest version merged was saved, so a version older than that one is set
aside whole: an old e-mail never undoes a later answer. A copy of another
campaign, of another format version or with renamed headers is refused before anything is
written. Every value the merge overwrites goes to ``变更记录`` (kept across merges), so any
value can be restored. The output's snapshot holds the merged values: the new agreed base.

The modules, in the order a merge walks them: :mod:`.load` reads each file once and refuses
what cannot be merged, :mod:`.propose` finds what each copy proposes, :mod:`.decide` takes or
lists each cell, :mod:`.append` decides the new rows, :mod:`.ledger` builds the output's
state, :mod:`.write` patches the master's package and recalculates it, :mod:`.sheets` writes
合并冲突/变更记录, :mod:`.summary` holds the records and says what was done.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from pathlib import Path

from xlpromo.errors import MasterTwice, NotACopy, NotAMaster, NotMergeable
from xlpromo.model.master import SCHEMA
from xlpromo.roundtrip.merge.append import append_new
from xlpromo.roundtrip.merge.decide import decide, plan_ids
from xlpromo.roundtrip.merge.ledger import Ledger
from xlpromo.roundtrip.merge.load import Copy, load_copies, load_master, older_versions, refuse_output, stamp_time
from xlpromo.roundtrip.merge.propose import propose
from xlpromo.roundtrip.merge.summary import CHANGES_SHEET, CONFLICTS_SHEET, Change, Conflict, MergeResult
from xlpromo.roundtrip.merge.write import Plan, write

__all__ = ["CHANGES_SHEET", "CONFLICTS_SHEET", "Change", "Conflict", "MasterTwice", "MergeResult", "NotACopy",
           "NotAMaster",
           "NotMergeable", "merge_books"]


def merge_books(master: str | os.PathLike[str], copies: Sequence[str | os.PathLike[str]],
                out: str | os.PathLike[str]) -> MergeResult:
    """Merge department copies into ``master`` and write ``out`` atomically; inputs are only read.

    NotMergeable (or another WorkbookError) before anything is written when a file cannot be used."""
    master, out = Path(master), Path(out)
    refuse_output(out, [master, *map(Path, copies)])
    book = load_master(master, with_copies=bool(copies))
    loaded, old = older_versions(load_copies([Path(c) for c in copies], book.state, master), book.state)
    result = MergeResult(out, [], older=[(cp.path.name, cp.dept, cp.saved, stamp_time(merged)) for cp, merged in old])
    _versions(loaded, result)
    now = dt.datetime.now().isoformat(sep=" ", timespec="seconds")
    latest = {cp.state.copy_id: cp for cp in loaded}  # the last saved version of each copy
    plan, ledger = Plan(), Ledger.start(book, loaded)
    plan_ids(book, plan)
    again: set[tuple[str, str]] = set()
    for table in SCHEMA.tables:
        found = propose(table, book, loaded, ledger, result)
        decide(table, book, found.cells, plan, ledger, result)
        append_new(table, book, found.new_rows, latest, plan, ledger, result)
        again |= found.again
    result.already_merged += len(again)
    write(book, out, plan, ledger.state(), result, now, {cp.path.name: cp.dept for cp in loaded})
    return result


def _versions(loaded: list[Copy], result: MergeResult) -> None:
    """Name the copies merged, one entry per copy ID, and the versions of one copy sent more than once."""
    versions: dict[str, list[Copy]] = {}
    for cp in loaded:
        versions.setdefault(cp.state.copy_id, []).append(cp)
    for group in versions.values():
        result.copies.append(("、".join(c.path.name for c in group), group[0].dept))
        if len(group) > 1:
            result.twins.append((group[-1].path.name, "、".join(c.path.name for c in group[:-1])))
