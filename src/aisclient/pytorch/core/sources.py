"""Sources (a ``Bucket``, an ``ObjectGroup``, or anything listing objects) and their listing.

A dataset lists its sources once, where it is built, and keeps the result; DataLoader workers
inherit it (fork) or receive it pickled (spawn) instead of each listing everything again.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, Protocol, runtime_checkable

from aisclient.obj import Object


@runtime_checkable
class AISSource(Protocol):
    """What a dataset needs from a source: the objects under a prefix, as handles.

    ``Bucket`` and ``ObjectGroup`` implement it; so can user classes.
    """

    def list_all_objects_iter(self, prefix: str = ..., props: str = ...) -> Iterator[Object]: ...


PrefixMap = Mapping[Any, "str | Sequence[str] | None"]


def as_source_list(sources: Any, owner: str) -> list[Any]:
    """One source or a list of them, checked; ``ValueError`` names ``owner`` when empty."""
    if sources is None or (isinstance(sources, list | tuple) and not sources):
        raise ValueError(f"{owner} ais_source_list must be provided")
    items = list(sources) if isinstance(sources, list | tuple) else [sources]
    for item in items:
        if not callable(getattr(item, "list_all_objects_iter", None)):
            raise TypeError(
                f"{owner}: a source must be a Bucket, an ObjectGroup or another AISSource, "
                f"not {type(item).__name__}"
            )
    return items


def prefix_map_of(prefix_map: Any, owner: str) -> dict[Any, Any]:
    """A copy of ``prefix_map`` (``None``: empty), or ``TypeError`` naming ``owner``."""
    if prefix_map is None:
        return {}
    if not isinstance(prefix_map, Mapping):
        raise TypeError(
            f"{owner}: prefix_map must map sources to prefixes, not {type(prefix_map).__name__}"
        )
    return dict(prefix_map)


def prefixes_for(source: Any, prefix_map: PrefixMap | None) -> list[str]:
    """The prefixes to list for ``source``, without overlaps.

    Buckets compare by name, provider and namespace, so an equal handle finds its entry; other
    sources are matched by identity. A prefix covered by a shorter one is dropped, so
    ``["a", "a1"]`` lists ``a`` once instead of yielding ``a1…`` twice.
    """
    value = _lookup(prefix_map or {}, source)
    if value is None:
        return [""]
    if isinstance(value, str):
        return [value]
    wanted = [str(p) for p in value] or [""]
    kept: list[str] = []
    for prefix in sorted(set(wanted), key=len):
        if not any(prefix.startswith(shorter) for shorter in kept):
            kept.append(prefix)
    return [p for p in dict.fromkeys(wanted) if p in kept]


def _lookup(prefix_map: PrefixMap, source: Any) -> Any:
    try:
        return prefix_map.get(source)
    except TypeError:  # an unhashable source: look it up by identity
        return next((v for k, v in prefix_map.items() if k is source), None)


def list_sources(
    sources: Iterable[Any], prefix_map: PrefixMap | None, *, sizes: bool = True
) -> list[Object]:
    """Every object of every source, in order: sources, then prefixes, then listing order.

    With ``sizes`` buckets list names with sizes (a size sampler needs them); without, a bucket
    lists names only, which makes a lighter handle per object. An ``ObjectGroup`` is never
    HEADed object by object here (as the SDK does), only later if a size is actually needed.
    """
    objects: list[Object] = []
    for source in sources:
        for prefix in prefixes_for(source, prefix_map):
            objects.extend(_list_one(source, prefix, sizes))
    return objects


def _list_one(source: Any, prefix: str, sizes: bool) -> Iterator[Object]:
    from aisclient.bucket import Bucket
    from aisclient.multiobj import ObjectGroup

    if isinstance(source, ObjectGroup):
        return source.list_all_objects_iter(prefix=prefix, props=None)
    if isinstance(source, Bucket) and not sizes:
        entries = source.list_objects_iter(prefix=prefix, props="name")
        return (source.object(entry.name) for entry in entries)
    return iter(source.list_all_objects_iter(prefix=prefix))


def object_size(obj: Object) -> int:
    """The size from the listing, or one HEAD when the listing had none."""
    props = obj.props_cached
    if props is None:
        props = obj.head()
    return int(props.size)


def object_uri(obj: Object) -> str:
    """``provider://bucket/name``: how errors name an object."""
    return obj.get_semantic_url()
