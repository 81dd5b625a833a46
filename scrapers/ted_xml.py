"""Reading a TED_EXPORT document whatever its namespace: XPath compiled once per namespace
variant, plain child paths walked without XPath (lxml's C iteration)."""

from __future__ import annotations

import re
from typing import ClassVar

from lxml import etree

_PLAIN_PATH = re.compile(r"t:[A-Z0-9_]+(?:/t:[A-Z0-9_]+)*")


class Notice:
    """One TED_EXPORT document: XPath expressions compiled once per namespace variant."""

    _compiled: ClassVar[dict[tuple[str, str], etree.XPath]] = {}
    _plain: ClassVar[dict[tuple[str, str], tuple[str, ...] | None]] = {}

    def __init__(self, root: etree._Element) -> None:
        self.root = root
        self.ns = etree.QName(root).namespace or ""

    def x(self, node: etree._Element, expr: str) -> list[etree._Element]:
        tags = self._tags(expr)
        if tags is not None:  # a plain path of children: lxml's C iteration, no XPath
            nodes = [node]
            for tag in tags:
                nodes = [child for parent in nodes for child in parent.iterchildren(tag)]
            return nodes
        key = (self.ns, expr)
        path = self._compiled.get(key)
        if path is None:
            namespaces = {"t": self.ns} if self.ns else None
            path = self._compiled[key] = etree.XPath(expr, namespaces=namespaces, smart_strings=False)
        return path(node)  # type: ignore[return-value]

    def first(self, node: etree._Element | None, expr: str) -> etree._Element | None:
        if node is None:
            return None
        tags = self._tags(expr)
        if tags is not None:
            for tag in tags:
                node = next(node.iterchildren(tag), None)
                if node is None:
                    return None
            return node
        found = self.x(node, expr)
        return found[0] if found else None

    def _tags(self, expr: str) -> tuple[str, ...] | None:
        """ "t:A/t:B" → ("{ns}A", "{ns}B"); None where XPath is needed (//, |, predicates, *)."""
        key = (self.ns, expr)
        if key not in self._plain:
            plain = _PLAIN_PATH.fullmatch(expr)
            prefix = f"{{{self.ns}}}" if self.ns else ""
            self._plain[key] = tuple(prefix + step[2:] for step in expr.split("/")) if plain else None
        return self._plain[key]

    def text(self, node: etree._Element | None, expr: str) -> str:
        found = self.first(node, expr)
        if found is None:
            return ""
        if not len(found):  # a leaf: its own text, no tree walk
            return " ".join((found.text or "").split())
        return " ".join("".join(found.itertext()).split())

    def attr(self, node: etree._Element | None, expr: str, name: str) -> str:
        found = self.first(node, expr)
        return (found.get(name) or "").strip() if found is not None else ""

    def paragraphs(self, node: etree._Element | None, expr: str) -> str:
        """The text of the first match, one space between its <P> paragraphs (and before a
        superscript: "m 3"), whitespace collapsed."""
        found = self.first(node, expr)
        if found is None:
            return ""
        return " ".join(" ".join(found.itertext()).split())

    def codes(self, node: etree._Element | None, expr: str) -> tuple[str, ...]:
        if node is None:
            return ()
        return tuple(dict.fromkeys(c for el in self.x(node, expr) if (c := (el.get("CODE") or "").strip())))
