"""Pause Python's cyclic garbage collector while a big PDF object graph is built.

pypdf creates hundreds of thousands of small, mutually referencing objects for a
1,000-page bundle; the collector's full passes over them took a quarter of the
build time. The pause lasts one build; on leaving, the collector is re-enabled
(only if it was enabled before) and run once, which also frees the cyclic page
graphs of the finished build straight away, so that an app building bundle after
bundle stays at one bundle's peak memory.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused_gc() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
        gc.collect()
