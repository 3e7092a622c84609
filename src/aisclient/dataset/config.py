"""What a dataset's samples are made of: a primary file per sample, plus more attributes."""

from __future__ import annotations

import logging
import os
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

log = logging.getLogger("aisclient.dataset")

#: The default maximum number of samples per shard (also sets the digits of sample keys).
DEFAULT_MAX_COUNT = 100_000

Sample = dict[str, Any]


class ConfigAttribute(ABC):
    """One field of every sample: ``get_data_for_entry(filename) -> (key, data)``, where data
    ``None`` means the sample has no such field."""

    @abstractmethod
    def get_data_for_entry(self, filename: str) -> tuple[str, Any]: ...


class DataAttribute(ConfigAttribute):
    """A file per sample: ``<path>/<filename>.<file_type>``, stored under ``<name>.<file_type>``.

    As the primary attribute it also decides which samples exist: one per
    ``*.<file_type>`` file directly in ``path``, in name order.
    """

    def __init__(self, path: str | os.PathLike[str], name: str, file_type: str) -> None:
        if not isinstance(name, str) or not name:
            raise ValueError(f"DataAttribute name must be a non-empty str, got {name!r}")
        if not isinstance(file_type, str) or not file_type or "/" in file_type:
            raise ValueError(f"DataAttribute file_type must be an extension, got {file_type!r}")
        self.path = Path(path)
        self.name = name
        self.file_type = file_type

    def get_data_for_entry(self, filename: str) -> tuple[str, bytes | None]:
        key = f"{self.name}.{self.file_type}"
        try:
            return key, self.path.joinpath(f"{filename}.{self.file_type}").read_bytes()
        except FileNotFoundError:
            return key, None

    def filenames(self) -> list[str]:
        """The stems of this attribute's files, sorted (not filesystem order: reproducible)."""
        files = self.path.glob(f"*.{self.file_type}")
        return sorted(file.stem for file in files if file.is_file())


class LabelAttribute(ConfigAttribute):
    """A value computed from the file name, stored under ``name``: ``label_identifier(filename)``
    returns bytes, str, a number, or a JSON-able dict/list (``None``: no label)."""

    def __init__(self, name: str, label_identifier: Callable[[str], Any]) -> None:
        if not isinstance(name, str) or not name:
            raise ValueError(f"LabelAttribute name must be a non-empty str, got {name!r}")
        if not callable(label_identifier):
            raise TypeError("LabelAttribute label_identifier must be callable")
        self.name = name
        self.label_identifier = label_identifier

    def get_data_for_entry(self, filename: str) -> tuple[str, Any]:
        return self.name, self.label_identifier(filename)


class DatasetConfig:
    """``DatasetConfig(primary_attribute, secondary_attributes=None)``: the primary attribute (a
    :class:`DataAttribute`) lists the samples; every attribute adds one field to each."""

    def __init__(
        self,
        primary_attribute: DataAttribute,
        secondary_attributes: list[ConfigAttribute] | None = None,
    ) -> None:
        if not isinstance(primary_attribute, DataAttribute):
            raise TypeError(
                "primary_attribute must be a DataAttribute (it decides which samples exist), "
                f"not {type(primary_attribute).__name__}"
            )
        secondary = list(secondary_attributes or [])
        for attribute in secondary:
            if not isinstance(attribute, ConfigAttribute):
                raise TypeError(f"not a ConfigAttribute: {attribute!r}")
        self.primary_attribute = primary_attribute
        self.secondary_attributes = secondary

    def generate_dataset(
        self, max_shard_items: int = DEFAULT_MAX_COUNT
    ) -> Iterator[tuple[Sample, list[str]]]:
        """``(sample, missing)`` per file of the primary attribute, one at a time.

        A sample maps each present field's key to its data, plus ``__key__``
        (``sample_<index>``, as many digits as ``max_shard_items`` has); ``missing`` names the
        fields whose data was ``None`` (an empty file or a label ``0`` is data, not missing).
        """
        digits = len(str(max_shard_items))
        attributes = [self.primary_attribute, *self.secondary_attributes]
        for index, filename in enumerate(self.primary_attribute.filenames()):
            sample: Sample = {}
            missing = []
            for attribute in attributes:
                key, data = attribute.get_data_for_entry(filename)
                if data is None:
                    missing.append(f"{filename} - {key}")
                else:
                    sample[key] = data
            sample["__key__"] = f"sample_{index:0{digits}d}"
            yield sample, missing
