"""Output files of the command line: checked before the work, written whole or not at all.

Every command that writes a file (`export -o`, `draw -o`, `region -o`, `hunt -o`) goes through
`destination()` before it starts its work and `write_text()` / `write_with()` at the end:

* the destination is never a file the command reads (the scenario itself, by path or by link);
* its folder must exist and be writable, checked by creating (and removing) a temporary file there,
  so a long hunt does not end with "cannot write";
* an existing file is replaced only with `--force` (the convention of `cp -i`/`ln -f`: refuse by
  default, say how to overwrite);
* the content goes to a temporary file in the same folder, which is renamed over the destination
  (`os.replace`, atomic on POSIX): an interrupted write leaves the old file or none, never half a file.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

from corrig.model.errors import CorrigError


class OutputError(CorrigError):
    """An output file cannot or may not be written (it is an input, its folder is missing, it exists)."""


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or (a.exists() and b.exists() and os.path.samefile(a, b))
    except OSError:
        return False


def destination(path: str | Path, *, inputs: Iterable[str | Path] = (), force: bool = False) -> Path:
    """The output path, after checking it is not an input, its folder is writable, and it is new or forced."""
    out = Path(path)
    for source in inputs:
        if _same_file(out, Path(source)):
            raise OutputError(f"{out}: this is the file being read; write the output somewhere else")
    if out.is_dir():
        raise OutputError(f"{out} is a folder; give a file name")
    folder = out.parent if str(out.parent) else Path(".")
    if not folder.is_dir():
        raise OutputError(f"{out}: the folder {folder} does not exist")
    if out.exists() or out.is_symlink():
        if not force:
            raise OutputError(f"{out} exists; pass --force to replace it")
        if not out.is_file():
            raise OutputError(f"{out} exists and is not a regular file; it is not replaced")
    try:
        handle, probe = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".probe", dir=folder)
    except OSError as exc:
        raise OutputError(f"{out}: cannot write in {folder} ({exc.strerror or exc})") from None
    os.close(handle)
    os.unlink(probe)
    return out


def write_with(path: str | Path, write: Callable[[Path], None]) -> Path:
    """Call `write(temporary path)` and rename the result over `path` (atomic); nothing is left on failure."""
    out = Path(path)
    folder = out.parent if str(out.parent) else Path(".")
    handle, name = tempfile.mkstemp(prefix=f".{out.name}.", suffix=out.suffix, dir=folder)
    os.close(handle)
    temporary = Path(name)
    try:
        write(temporary)
        os.chmod(temporary, 0o644 & ~_umask())
        os.replace(temporary, out)
    except BaseException:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise
    return out


def write_text(path: str | Path, text: str) -> Path:
    """Write `text` (UTF-8) to `path` atomically."""
    return write_with(path, lambda temporary: temporary.write_text(text, encoding="utf-8"))


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
