"""A progress line for long imports, on a terminal only: piped or logged output stays clean."""

from __future__ import annotations

import sys
from typing import TextIO


class Progress:
    """`label 1200/3000` rewritten in place on stderr, when stderr is a terminal."""

    def __init__(self, label: str, stream: TextIO | None = None) -> None:
        self.label = label
        self.stream = stream if stream is not None else sys.stderr
        self.shown = self.stream.isatty()
        self._last = -1

    def __call__(self, done: int, total: int) -> None:
        if not self.shown or total <= 0:
            return
        percent = done * 100 // total
        if percent == self._last and done != total:
            return  # one redraw per percent: 3 000 rows are not 3 000 writes
        self._last = percent
        self.stream.write(f"\r{self.label} {done}/{total} ({percent}%)")
        if done >= total:
            self.stream.write("\n")
        self.stream.flush()
