"""``ais://`` for the data ecosystem: an fsspec filesystem over aisclient's public API.

Installed with the ``fsspec`` extra (``pip install 'aisclient[fsspec]'``) and registered through
the ``fsspec.specs`` entry point, so ``fsspec.filesystem("ais")``, ``fsspec.open("ais://b/k")``
and ``pandas.read_parquet("ais://b/dir/")`` find it without further setup. ``import aisclient``
never loads this package.
"""

from __future__ import annotations

from aisclient.fsspec.file import AISFile
from aisclient.fsspec.filesystem import AISFileSystem

__all__ = ["AISFile", "AISFileSystem"]
