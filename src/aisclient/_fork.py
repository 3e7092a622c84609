"""Locks that survive ``fork``: a child gets fresh ones, whatever the parent's threads held.

A lock held by another thread at the moment of ``fork`` stays held forever in the child (the
thread that would release it does not exist there). Objects that guard state with a lock
register here; right after a fork, in the child, each one's ``_forked()`` replaces its lock
and drops what belonged to the parent. A leaf: it imports nothing of the package.
"""

from __future__ import annotations

import os
import weakref
from typing import Protocol


class ForkAware(Protocol):
    def _forked(self) -> None: ...


_LIVE: weakref.WeakSet[ForkAware] = weakref.WeakSet()


def renew_after_fork(owner: ForkAware) -> None:
    """Call ``owner._forked()`` in every child forked while ``owner`` lives."""
    _LIVE.add(owner)


def _after_fork_in_child() -> None:
    for owner in list(_LIVE):
        owner._forked()


os.register_at_fork(after_in_child=_after_fork_in_child)
