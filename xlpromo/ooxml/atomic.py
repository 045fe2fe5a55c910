"""Atomic file output: write to a temporary name beside the target, then rename."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["atomic_path", "staged_folder"]


@contextmanager
def atomic_path(target: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path; on success it replaces ``target``, on failure it is removed."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.stem[:40]}.", suffix=target.suffix + ".tmp",  # a long name: room
                               dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.chmod(tmp_path, _file_mode())
        os.replace(tmp_path, target)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


def _file_mode() -> int:
    """The mode a new file gets (mkstemp's is 0600: a copy meant for others must not be private)."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


@contextmanager
def staged_folder(folder: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a hidden folder inside ``folder``; on success every file written in it moves into ``folder`` (over
    files of the same name), on failure or interruption it goes with what it holds: several files, all or none."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=".xlpromo-", dir=folder))
    try:
        yield stage
        for path in sorted(stage.iterdir()):
            if path.is_file() and not path.name.startswith("."):
                os.replace(path, folder / path.name)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
