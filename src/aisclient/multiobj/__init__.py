"""Multi-object selections and the jobs that act on them."""

from aisclient.multiobj.collection import (
    ObjectCollection,
    ObjectNames,
    ObjectRange,
    ObjectTemplate,
)
from aisclient.multiobj.group import ObjectGroup
from aisclient.multiobj.template import ParsedTemplate, TemplateRange, parse_template

__all__ = [
    "ObjectCollection",
    "ObjectGroup",
    "ObjectNames",
    "ObjectRange",
    "ObjectTemplate",
    "ParsedTemplate",
    "TemplateRange",
    "parse_template",
]
