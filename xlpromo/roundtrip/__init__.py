"""Files that come back: recalc, split into department copies, merge them back, the _xlpromo state."""
