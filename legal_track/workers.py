"""Process pools that are safe to start from the CLI, the app server and tests.

- A single-threaded process (the CLI) forks: workers start at once with the
  modules already loaded.
- A multi-threaded one (the Streamlit server) must spawn, because forking a
  threaded process can deadlock the child. Spawned workers normally re-import the
  parent's ``__main__``; under Streamlit (and AppTest) that is the page script, which
  would run again in every worker. The pool is therefore started with a bare
  ``__main__`` in place, and all its workers are launched before it is put back.
"""

from __future__ import annotations

import gc
import multiprocessing
import sys
import threading
import types
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager


def start_method() -> str:
    if threading.active_count() == 1 and "fork" in multiprocessing.get_all_start_methods():
        return "fork"
    return "spawn"


def _ready() -> bool:
    return True


_main_lock = threading.Lock()


@contextmanager
def _bare_main():
    with _main_lock:
        saved = sys.modules.get("__main__")
        sys.modules["__main__"] = types.ModuleType("__main__")
        try:
            yield
        finally:
            if saved is not None:
                sys.modules["__main__"] = saved


def process_pool(
    workers: int, *, initializer=None, initargs: tuple = (), method: str | None = None
) -> ProcessPoolExecutor:
    """A started pool of `workers` processes (see the module docstring). A forked worker
    inherits the parent's database connections: it must never use them, and should drop
    the pooled ones with ``engine.dispose(close=False)`` in its `initializer` (or pass
    ``method="spawn"``)."""
    method = method or start_method()
    pool = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context(method),
        initializer=initializer,
        initargs=initargs,
    )
    if method == "fork":
        return pool
    with _bare_main():
        # spawn launches every worker on the first submit; wait until they run
        pool.submit(_ready).result()
    return pool


_gc_lock = threading.Lock()
_gc_pauses = 0
_gc_was_enabled = True


@contextmanager
def gc_paused(*, collect: bool = False) -> Iterator[None]:
    """Pause Python's cyclic garbage collector for a bulk pass.

    A portfolio recompute allocates millions of short-lived tuples, which reference
    counting frees at once; the cyclic collector, triggered by the allocation count, would
    rescan the large set of live objects (memo tables, fetched rows) again and again -
    measured at 15-20 % of a full deadline recompute. pypdf builds hundreds of thousands of
    small, mutually referencing objects for a 1,000-page bundle: the collector's passes
    over them took a quarter of the build. Nested and concurrent pauses (the app runs
    passes in threads) are counted: the collector's state from before the first pause
    comes back when the last one ends.

    `collect=True` runs one collection when this pause ends: a bundle build leaves cyclic
    page graphs behind, and freeing them at once keeps an app that builds bundle after
    bundle at one bundle's peak memory. A process that disabled the collector itself (a
    one-shot command, see `legal-track bundle make`) skips it: its memory goes at exit.
    """
    global _gc_pauses, _gc_was_enabled
    with _gc_lock:
        if _gc_pauses == 0:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
        _gc_pauses += 1
        collector_on = _gc_was_enabled  # the state before the outermost pause
    try:
        yield
    finally:
        with _gc_lock:
            _gc_pauses -= 1
            if _gc_pauses == 0 and _gc_was_enabled:
                gc.enable()
        # a process that runs without the collector (a one-shot command) frees at exit
        if collect and collector_on:
            gc.collect()


@contextmanager
def collector_off() -> Iterator[None]:
    """The cyclic collector off for a one-shot piece of work, and back as it was after;
    `gc_paused(collect=True)` inside it then skips its closing collection."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
