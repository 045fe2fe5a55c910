"""The output's ``_xlpromo`` state as a merge builds it: the new agreed base of the next copies.

It starts from the master's state and collects, table by table, the row IDs issued, the rows
merged from copies, the values taken from each copy (so a copy sent again puts nothing back),
when the latest version of each copy merged was saved (so an older one is set aside) and the
merged values: the snapshot the next split and merge compare with.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from xlpromo.model.state import State, TableSnapshot, max_ids, snapshot_of
from xlpromo.roundtrip.merge.load import Copy, Master, stamp_time, version_stamp

__all__ = ["Ledger"]


@dataclass
class Ledger:
    """ID floors per table, merged rows (place or fingerprint → row ID), stamps of values taken per copy ID, the
    agreed snapshot (the master's rows with what was taken) and the saved time of each copy's latest version."""

    campaign_id: str
    ids: dict[str, int]
    merged: dict[str, str]
    taken: dict[str, set[str]]
    final: dict[str, TableSnapshot]
    versions: dict[str, str]

    @classmethod
    def start(cls, master: Master, copies: Sequence[Copy]) -> Ledger:
        """The master's state and rows, ID floors raised to what any copy issued (a copy never reuses an ID)."""
        state = master.state
        ids = max_ids(master.rows, state.max_ids)
        versions = dict(state.versions)
        for cp in copies:
            ids = {k: max(v, cp.state.max_ids.get(k, 0)) for k, v in ids.items()}
            if cp.saved >= stamp_time(versions.get(cp.state.copy_id, "")):
                versions[cp.state.copy_id] = version_stamp(cp.saved)
        return cls(state.campaign_id, ids, dict(state.merged), {k: set(v) for k, v in state.taken.items()},
                   snapshot_of(master.rows), versions)

    def state(self) -> State:
        """The state the output is written with."""
        return State(campaign_id=self.campaign_id, max_ids=self.ids, snapshot=self.final, merged=self.merged,
                     taken=self.taken, versions=self.versions)
