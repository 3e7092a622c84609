"""In-progress multipart uploads and append work files."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

from .names import Bck


@dataclass
class MptUpload:
    id: str
    bck: Bck
    obj: str
    directory: Path
    parts: dict[int, int] = field(default_factory=dict)


@dataclass
class AppendWork:
    path: Path
    bck: Bck
    obj: str


class Uploads:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.mpt: dict[str, MptUpload] = {}
        self.appends: dict[str, AppendWork] = {}
