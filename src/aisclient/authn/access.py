"""Permission flags of AuthN roles, with the official SDK's names and the server's bit values."""

from __future__ import annotations

from enum import IntFlag

from aisclient.validators import is_int


class AccessAttr(IntFlag):
    """One bit per permission; combine with ``|``. A role's ``perm`` is their OR, in decimal."""

    GET = 1 << 0
    OBJ_HEAD = 1 << 1
    PUT = 1 << 2
    APPEND = 1 << 3
    OBJ_DELETE = 1 << 4
    OBJ_MOVE = 1 << 5
    PROMOTE = 1 << 6
    OBJ_UPDATE = 1 << 7
    BCK_HEAD = 1 << 8
    OBJ_LIST = 1 << 9
    PATCH = 1 << 10
    BCK_SET_ACL = 1 << 11
    LIST_BUCKETS = 1 << 12
    SHOW_CLUSTER = 1 << 13
    CREATE_BUCKET = 1 << 14
    DESTROY_BUCKET = 1 << 15
    MOVE_BUCKET = 1 << 16
    ADMIN = 1 << 17

    # Combinations the server defines.
    ACCESS_RO = GET | OBJ_HEAD | BCK_HEAD | OBJ_LIST
    ACCESS_RW = ACCESS_RO | PUT | APPEND | OBJ_DELETE | OBJ_MOVE
    CLUSTER_ACCESS_RO = LIST_BUCKETS | SHOW_CLUSTER
    CLUSTER_ACCESS_RW = CLUSTER_ACCESS_RO | CREATE_BUCKET | DESTROY_BUCKET | MOVE_BUCKET
    ACCESS_BUCKET_ADMIN = PATCH | BCK_SET_ACL | OBJ_UPDATE
    ACCESS_SU = (1 << 18) - 1

    @staticmethod
    def describe(perms: int | str) -> str:
        """The single-permission names set in ``perms`` (an int or its decimal string), comma
        separated. Bits beyond the known ones (the server's "all access" sets all 64) are
        ignored."""
        value = int(perms)
        return ",".join(flag.name or "" for flag in _SINGLE if value & flag)


_SINGLE = tuple(flag for flag in AccessAttr if flag.value & (flag.value - 1) == 0)


def perm_string(perms: int | AccessAttr | list[AccessAttr] | tuple[AccessAttr, ...]) -> str:
    """The wire form of a permission set: the OR of the flags as a decimal string."""
    if isinstance(perms, list | tuple):
        value = 0
        for flag in perms:
            value |= _check_flag(flag)
        return str(value)
    return str(_check_flag(perms))


def _check_flag(flag: object) -> int:
    if not is_int(flag):
        raise TypeError(f"a permission must be an AccessAttr (or an int), not {flag!r}")
    if flag < 0 or flag >= 1 << 64:
        raise ValueError(f"a permission must fit in 64 bits, not {flag}")
    return int(flag)
