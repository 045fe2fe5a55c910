"""Small pandas helpers shared by the reader, the validator and the engine."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["map_unique"]


def map_unique(s: pd.Series, fn: Callable[[Any], Any]) -> pd.Series:
    """``s.map(fn)`` computed once per distinct value: fast for columns with few distinct values."""
    if not len(s):
        return pd.Series(dtype=object, index=s.index)
    codes, uniques = pd.factorize(s, use_na_sentinel=False)
    results = np.empty(len(uniques), dtype=object)
    results[:] = [fn(u) for u in uniques]
    return pd.Series(results[codes], index=s.index, dtype=object)
