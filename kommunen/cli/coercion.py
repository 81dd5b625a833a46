"""Values that already have their type skip Typer's Pydantic coercion.

Typer 0.29 builds a Pydantic TypeAdapter for every parameter of the command it runs, defaults
included: for `kommunen similar Augsburg` twelve adapters and the Pydantic import took 180 ms
(measured), a third of the command's budget. A value that is already of its parameter's type – a
default, a plain text argument – needs no adapter. Everything else (a number typed as text, a
path, a value with a constraint or a parser) goes to Typer's own coercion, unchanged, with its
messages (which cli.german translates).
"""

from __future__ import annotations

import re
import types
from dataclasses import dataclass, field
from typing import Any, Union, get_args, get_origin

from typer import _coercion, core
from typer._coercion import RuntimeParam, TypeDescriptor

_TYPER_BUILD = _coercion.build_runtime_param
# ParameterInfo fields that make a value more than its type: such parameters keep Typer's coercion.
CONSTRAINED = ("min", "max", "clamp", "parser", "click_type", "formats", "exists", "resolve_path")


def _plain(annotation: Any) -> type | None:
    """str, int, an Enum …, or the one such type of an Optional; None for anything else."""
    if get_origin(annotation) in (Union, types.UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        return _plain(args[0]) if len(args) == 1 else None
    return annotation if isinstance(annotation, type) and get_origin(annotation) is None else None


def _is(value: Any, wanted: type) -> bool:
    return type(value) is wanted or (isinstance(value, wanted) and wanted not in (int, float))


_DIGITS = re.compile(r"[0-9]{1,18}")  # what Pydantic reads as the same int; the rest goes to Typer


@dataclass(frozen=True)
class AsGiven(RuntimeParam):
    """Returns a value of the right type as it is; builds Typer's coercion only for the others."""

    descriptor: TypeDescriptor
    item: type
    many: bool
    typer_param: list[RuntimeParam] = field(default_factory=list)  # built at the first other value

    def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
        if self.many and isinstance(value, list | tuple) and all(_is(v, self.item) for v in value):
            return list(value)
        if not self.many and _is(value, self.item):
            return value
        if self.item is int and isinstance(value, str) and _DIGITS.fullmatch(value):
            return int(value)  # "--k 3"
        if not self.typer_param:
            self.typer_param.append(_TYPER_BUILD(self.descriptor))
        return self.typer_param[0]._coerce_value(value, param=param, ctx=ctx)


def build_runtime_param(descriptor: TypeDescriptor) -> RuntimeParam:
    info = descriptor.parameter_info
    if descriptor.file_annotation is None and not any(getattr(info, name, None) for name in CONSTRAINED):
        annotation = descriptor.annotation
        many = get_origin(annotation) is list
        item = _plain(get_args(annotation)[0] if many and get_args(annotation) else annotation)
        if item is not None:
            return AsGiven(annotation, info, descriptor, item, many)
    return _TYPER_BUILD(descriptor)


def install() -> None:
    """Typer's parameters look the builder up in typer.core at their first value."""
    core.build_runtime_param = build_runtime_param  # type: ignore[assignment]
