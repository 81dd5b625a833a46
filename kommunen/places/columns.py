"""The columns of a GemeindeIndex or KreisIndex: plain lists, and numpy arrays made of them at first use.

A query answered from the index cache (places/cache.py) reads the plain lists and never imports
numpy, which would cost it a fifth of its time; the matcher reads the arrays, by the names it
always has (`index.einwohner`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np


@dataclass(slots=True)
class Columns:
    """The columns of an index as plain lists, one value per row: what the cache keeps."""

    textkennzeichen: list[str]
    einwohner: list[float]
    flaeche: list[float]
    dichte: list[float]
    lon: list[float]
    lat: list[float]
    verstaedterung: list[float]
    kreis_key: list[str]
    land_key: list[str]


class Column:
    """The numpy array of one of an index's `columns`, made at its first use and never pickled."""

    def __init__(self, dtype: type) -> None:
        self.dtype = dtype
        self.name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, index: Any, owner: type | None = None) -> np.ndarray:
        import numpy as np

        if index is None:  # asked of the class
            return self  # type: ignore[return-value]
        array: np.ndarray = np.array(getattr(index.columns, self.name), dtype=self.dtype)
        index.__dict__[self.name] = array  # from now on the instance's own attribute
        return array


def as_float(value: float | None, missing: float = math.nan) -> float:
    return missing if value is None else float(value)
