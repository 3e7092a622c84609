"""Enumerations of the AIS API, with the official SDK's names and values."""

from __future__ import annotations

import enum
from collections.abc import Iterable


class Colocation(enum.IntEnum):
    """Get-Batch hint about where the requested objects live."""

    NONE = 0
    TARGET_AWARE = 1
    TARGET_AND_SHARD_AWARE = 2


class FLTPresence(enum.IntEnum):
    """Which buckets or objects a query covers: present in the cluster, or existing remotely."""

    FLT_EXISTS = 0
    FLT_EXISTS_NO_PROPS = 1
    FLT_PRESENT = 2
    FLT_PRESENT_NO_PROPS = 3
    FLT_PRESENT_CLUSTER = 4
    FLT_EXISTS_OUTSIDE = 5


class LogSeverity(enum.StrEnum):
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


class NodeFilter(enum.StrEnum):
    TARGET = "target"
    PROXY = "proxy"
    ALL = "all"


class ArchiveMode(enum.Enum):
    """How ``regex`` selects files inside an archived object."""

    REGEXP = "regexp"
    PREFIX = "prefix"
    SUFFIX = "suffix"
    SUBSTR = "substr"
    WDSKEY = "wdskey"


class ListObjectFlag(enum.Enum):
    """Bit positions of the list-objects flags."""

    CACHED = 0
    MISSING = 1
    DELETED = 2
    ARCH_DIR = 3
    NAME_ONLY = 4
    NAME_SIZE = 5
    BCK_PRESENT = 6
    DONT_HEAD_REMOTE = 7
    DONT_ADD_REMOTE = 8
    NOT_CACHED = 9
    ONLY_REMOTE_PROPS = 10
    NO_RECURSION = 11
    DIFF = 12
    NO_DIRS = 13
    IS_S3 = 14
    NBI = 15

    @staticmethod
    def join_flags(flags: Iterable[ListObjectFlag]) -> int:
        """The bit mask of ``flags`` (a list of members); anything else is a ``TypeError``."""
        if isinstance(flags, ListObjectFlag | str | bytes) or not isinstance(flags, Iterable):
            raise TypeError(f"flags must be a list of ListObjectFlag, not {type(flags).__name__}")
        mask = 0
        for item in flags:
            if not isinstance(item, ListObjectFlag):
                raise TypeError(f"flags must hold ListObjectFlag members, not {item!r}")
            mask |= 1 << item.value
        return mask
