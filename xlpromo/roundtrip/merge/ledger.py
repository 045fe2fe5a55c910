"""The output's ``_xlpromo`` state as a merge builds it: the new agreed base of the next copies.

It starts from the master's state and collects, table by table, the row IDs issued, the rows
merged from copies, the values taken from each copy (so a copy sent again puts nothing back)
and the merged values: the snapshot the next split and merge compare with.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from xlpromo.model.state import State, TableSnapshot, max_ids, snapshot_of
from xlpromo.roundtrip.merge.load import Copy, Master

__all__ = ["Ledger"]


@dataclass
class Ledger:
    """ID floors per table, merged rows (place or fingerprint → row ID), stamps of values taken per copy ID, and the
    agreed snapshot (the master's rows with what was taken)."""

    campaign_id: str
    ids: dict[str, int]
    merged: dict[str, str]
    taken: dict[str, set[str]]
    final: dict[str, TableSnapshot]

    @classmethod
    def start(cls, master: Master, copies: Sequence[Copy]) -> Ledger:
        """The master's state and rows, ID floors raised to what any copy issued (a copy never reuses an ID)."""
        state = master.state
        ids = max_ids(master.rows, state.max_ids)
        for cp in copies:
            ids = {k: max(v, cp.state.max_ids.get(k, 0)) for k, v in ids.items()}
        return cls(state.campaign_id, ids, dict(state.merged), {k: set(v) for k, v in state.taken.items()},
                   snapshot_of(master.rows))

    def state(self) -> State:
        """The state the output is written with."""
        return State(campaign_id=self.campaign_id, max_ids=self.ids, snapshot=self.final, merged=self.merged,
                     taken=self.taken)
