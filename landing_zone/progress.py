"""Progress for what takes more than a couple of seconds (planning, checking): rich's progress on stderr, shown only
when stderr is a terminal (never in CI logs, pipes or captured test output), gone when the work is done."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn


def enabled() -> bool:
    return sys.stderr.isatty()


@contextlib.contextmanager
def progress(description: str, total: int | None = None) -> Iterator[Callable[[int], None]]:
    """`with progress("planning prod", total=9) as advance: ... advance(1)`; a spinner when `total` is None."""
    if not enabled():
        yield lambda n=1: None
        return
    columns = [SpinnerColumn(), TextColumn("{task.description}")]
    if total is not None:
        columns += [BarColumn(), MofNCompleteColumn()]
    with Progress(*columns, TimeElapsedColumn(), console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(description, total=total)
        yield lambda n=1: bar.advance(task, n)
