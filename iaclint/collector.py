"""Python's cycle collector, set for a run that builds many objects and few cycles.

A lint run allocates millions of small objects (tokens, tree nodes, values) that
never form a cycle, and the collector, run every 700 allocations by default, walks
a growing heap each time for nothing: on a 2 MB Terraform file it was two thirds
of the run. The run's process and its workers collect less often (`tune`), and a
reader that builds an acyclic tree does so with the collector off (`paused`).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

# Allocations between two collections of the youngest generation (Python's: 700).
# Measured on the benchmark workloads: 10,000 takes most of the gain, and the
# peak memory stays within a few MB of the default's.
YOUNG_THRESHOLD = 10_000


def tune() -> None:
    """Collect the youngest generation less often, for the rest of this process."""
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, middle, old)


@contextmanager
def paused() -> Iterator[None]:
    """No collection while the block builds objects that cannot form a cycle."""
    if not gc.isenabled():  # someone else paused it: theirs to resume
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
