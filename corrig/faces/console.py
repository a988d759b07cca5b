"""The terminal the command line writes to: rich consoles that end quietly on a closed pipe, standard
streams the shell closed, and a progress bar shown only when the output is a terminal."""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any


@functools.cache
def _console_class() -> type:
    """rich's Console, except that a closed pipe raises BrokenPipeError (main ends quietly) instead of
    rich's SystemExit(1), which would read as a scenario ending the program."""
    from rich.console import Console

    class QuietConsole(Console):
        def on_broken_pipe(self) -> None:
            self.quiet = True
            raise BrokenPipeError

    return QuietConsole


def console(stream: Any = None) -> Any:
    """A rich console on `stream` (default standard output): 120 columns unless it is a terminal."""
    stream = sys.stdout if stream is None else stream
    return _console_class()(file=stream, highlight=False, soft_wrap=True, width=None if tty(stream) else 120)


def tty(stream: Any) -> bool:
    """Whether a stream is a terminal (a closed or detached one is not)."""
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False


def discard_closed_streams() -> None:
    """Standard output or error closed by the shell (`>&-`): what would be written there is discarded,
    as with `> /dev/null`, and the exit status still tells the result."""
    for name in ("stdout", "stderr"):
        if getattr(sys, name) is None:
            setattr(sys, name, open(os.devnull, "w", encoding="utf-8"))  # open until the process ends


def quiet_broken_pipe() -> None:
    """The reader of standard output has gone (`| head -1`): send what is left to /dev/null, so that
    neither the rest of the run nor Python's final flush complains about the closed pipe."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (AttributeError, ValueError, OSError):
        pass  # standard output is not a file descriptor (an in-process caller's buffer)


@contextmanager
def progress(total: int | None, description: str) -> Iterator[Callable[..., None]]:
    """A progress bar on a terminal (none when standard output is piped); yields `advance(description=...)`."""
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    columns = [SpinnerColumn(), TextColumn("{task.description}")]
    if total is not None:
        columns += [BarColumn(), TextColumn("{task.completed}/{task.total}")]
    columns.append(TimeElapsedColumn())
    bar = Progress(*columns, transient=True, disable=not tty(sys.stdout), console=console(sys.stderr))
    with bar:
        task = bar.add_task(description, total=total)

        def advance(step: int = 1, description: str | None = None) -> None:
            bar.update(task, advance=step, **({"description": description} if description else {}))

        yield advance
