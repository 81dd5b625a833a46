"""Text safe to store, print and put into a spreadsheet.

A source can send any code point: NUL or \\x01 make openpyxl refuse the whole workbook, ESC
sequences recolour or rewrite a terminal, a lone surrogate (JSON "\\ud800") cannot be written as
UTF-8. Records are cleaned where they are made and outputs clean again, since a database made
before this rule can still hold such text.
"""

from __future__ import annotations

import dataclasses
import operator
import re
from collections.abc import Callable
from typing import Any

# ESC with the rest of its ANSI sequence (CSI "ESC [ … m", OSC "ESC ] … BEL"), then any C0 control
# but tab, line feed and carriage return, DEL, C1 controls, lone surrogates and U+FFFE/U+FFFF.
_UNSAFE = re.compile(
    r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]{0,512}(?:\x07|\x1b\\))?"
    r"|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]"
)
_FOUND = re.compile(r"[\x00-\x08\x0b-\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")  # quick test
_SPACING = frozenset("\x0b\x0c\x1c\x1d\x1e\x1f\x85")  # separators that split words: keep a space


def _replace(match: re.Match[str]) -> str:
    return " " if match.group() in _SPACING else ""


def clean_text(value: str) -> str:
    """The text without control characters; word separators among them become a space."""
    return _UNSAFE.sub(_replace, value) if _FOUND.search(value) else value


def clean_value(value: Any) -> Any:
    """clean_text on a string and on the strings of a tuple or list; anything else unchanged."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, tuple | list) and any(isinstance(v, str) and _FOUND.search(v) for v in value):
        return type(value)(clean_text(v) if isinstance(v, str) else v for v in value)
    return value


_Fields = tuple[tuple[str, ...], tuple[str, ...], Callable[[Any], tuple[Any, ...]]]
_TEXT_FIELDS: dict[type, _Fields] = {}


def _text_fields(cls: type) -> _Fields:
    """The names of a record's str fields and of its tuple[str, ...] fields, and a getter of the
    str fields' values (one C call where a comprehension of getattr() cost a record microseconds)."""
    if cls not in _TEXT_FIELDS:  # annotations are strings here (from __future__ import annotations)
        types = {f.name: str(f.type) for f in dataclasses.fields(cls)}
        texts = tuple(name for name, kind in types.items() if kind == "str")
        _TEXT_FIELDS[cls] = (
            texts,
            tuple(name for name, kind in types.items() if kind.startswith("tuple[str")),
            operator.attrgetter(*texts)
            if len(texts) > 1
            else lambda record: tuple(getattr(record, n) for n in texts),
        )
    return _TEXT_FIELDS[cls]


class CleanText:
    """Base of the records: every text field is cleaned when the record is made."""

    __slots__ = ()

    def __post_init__(self) -> None:
        texts, lists, text_values = _text_fields(type(self))
        strings = list(text_values(self))
        for name in lists:
            strings.extend(getattr(self, name))
        try:  # one look over all of them: a record is made for every notice
            joined = "".join(strings)
        except TypeError:  # not all strings after all: look at each
            found = True
        else:  # every unsafe character is unprintable; isprintable() reads text faster than _FOUND
            found = not joined.isprintable() and _FOUND.search(joined) is not None
        if found:
            for name in (*texts, *lists):
                value = getattr(self, name)
                cleaned = clean_value(value)
                if cleaned is not value:
                    object.__setattr__(self, name, cleaned)
