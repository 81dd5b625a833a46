"""Reading a TED_EXPORT document whatever its namespace: XPath compiled once per namespace
variant, plain child paths walked without XPath (lxml's C iteration)."""

from __future__ import annotations

import re
from typing import ClassVar

from lxml import etree

_PLAIN_PATH = re.compile(r"t:[A-Z0-9_]+(?:/t:[A-Z0-9_]+)*")


class Notice:
    """One TED_EXPORT document: XPath expressions compiled once per namespace variant."""

    _compiled: ClassVar[dict[str, dict[str, etree.XPath]]] = {}  # namespace → expression → XPath
    _plain: ClassVar[dict[str, dict[str, tuple[str, ...] | None]]] = {}  # namespace → expression → tags

    def __init__(self, root: etree._Element) -> None:
        self.root = root
        self.ns = etree.QName(root).namespace or ""
        self._paths = self._compiled.setdefault(self.ns, {})  # keyed by the expression alone:
        self._tagged = self._plain.setdefault(self.ns, {})  # a str's hash is cached, a tuple's not

    def x(self, node: etree._Element, expr: str) -> list[etree._Element]:
        tags = self._tags(expr)
        if tags is not None:  # a plain path of children: lxml's C iteration, no XPath
            nodes = [node]
            for tag in tags:
                nodes = [child for parent in nodes for child in parent.iterchildren(tag)]
            return nodes
        path = self._paths.get(expr)
        if path is None:
            namespaces = {"t": self.ns} if self.ns else None
            path = self._paths[expr] = etree.XPath(expr, namespaces=namespaces, smart_strings=False)
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
        try:
            return self._tagged[expr]
        except KeyError:
            plain = _PLAIN_PATH.fullmatch(expr)
            prefix = f"{{{self.ns}}}" if self.ns else ""
            found = self._tagged[expr] = (
                tuple(prefix + step[2:] for step in expr.split("/")) if plain else None
            )
            return found

    def text(self, node: etree._Element | None, expr: str) -> str:
        """The text of the first match, whitespace collapsed, one space between its <P>s."""
        return self.leaf(self.first(node, expr))

    def attr(self, node: etree._Element | None, expr: str, name: str) -> str:
        found = self.first(node, expr)
        return (found.get(name) or "").strip() if found is not None else ""

    @staticmethod
    def kids(node: etree._Element | None) -> dict[str, etree._Element]:
        """A node's children by name (the first of each): one walk where a form reads a dozen
        fields of the same address or lot."""
        found: dict[str, etree._Element] = {}
        if node is not None:
            for child in node:
                tag = child.tag
                if isinstance(tag, str):
                    found.setdefault(tag.rpartition("}")[2], child)
        return found

    @staticmethod
    def leaf(element: etree._Element | None) -> str:
        """Whitespace collapsed; paragraphs (and a superscript: "m 3") one space apart."""
        if element is None:
            return ""
        if not len(element):
            return " ".join((element.text or "").split())
        return " ".join(" ".join(element.itertext()).split())

    def codes(self, node: etree._Element | None, expr: str) -> tuple[str, ...]:
        if node is None:
            return ()
        return tuple(dict.fromkeys(c for el in self.x(node, expr) if (c := (el.get("CODE") or "").strip())))
