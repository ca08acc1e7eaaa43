"""Pausing Python's cyclic garbage collector around work that allocates many small objects and
frees them at the end with almost no reference cycles (a check, the analyses): the collector
would walk the growing heap again and again (half the time of a 10,000-component check, a third
of the analyses at that size). It is paused, then restored as it was."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
