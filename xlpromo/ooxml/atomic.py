"""Atomic file output: write to a temporary name beside the target, then rename."""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["atomic_path", "staged_folder", "temp_file"]


@contextmanager
def _fresh(folder: Path, prefix: str, suffix: str, make: Callable[[Path], None],
           remove: Callable[[Path], None]) -> Iterator[Path]:
    """A new file or folder of a random name in ``folder``, removed on leaving however one leaves. The name is
    known before it exists, so a signal that lands just after its creation (a kill the moment a temporary file
    shows: tests/cli/test_output_rules) still finds it to remove — ``tempfile.mkstemp`` returns it too late."""
    path: Path | None = None
    try:
        while path is None:
            candidate = folder / f"{prefix}{secrets.token_hex(4)}{suffix}"
            path = candidate
            try:
                make(candidate)
            except FileExistsError:  # someone else's: never ours to remove
                path = None
        yield path
    finally:
        if path is not None and (path.exists() or path.is_symlink()):
            remove(path)


def _new_file(path: Path) -> None:
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


@contextmanager
def temp_file(folder: str | os.PathLike[str], prefix: str, suffix: str) -> Iterator[Path]:
    """An empty new file ``prefix…suffix`` in ``folder`` (mode 0600), removed on leaving unless moved away."""
    with _fresh(Path(folder), prefix, suffix, _new_file, Path.unlink) as path:
        yield path


@contextmanager
def atomic_path(target: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path; on success it replaces ``target``, on failure it is removed."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    # a long name is cut: room for the random part and the suffix
    with temp_file(target.parent, f".{target.stem[:40]}.", target.suffix + ".tmp") as tmp_path:
        yield tmp_path
        os.chmod(tmp_path, _file_mode())
        os.replace(tmp_path, target)


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
    with _fresh(folder, ".xlpromo-", "", lambda p: p.mkdir(mode=0o700),
                lambda p: shutil.rmtree(p, ignore_errors=True)) as stage:
        yield stage
        for path in sorted(stage.iterdir()):
            if path.is_file() and not path.name.startswith("."):
                os.replace(path, folder / path.name)
