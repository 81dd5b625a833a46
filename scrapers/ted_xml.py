"""Reading a TED_EXPORT document whatever its namespace: XPath compiled once per namespace
variant."""

from __future__ import annotations

import re
from typing import ClassVar, TypeAlias

from lxml import etree

_PLAIN_PATH = re.compile(r"t:[A-Z0-9_]+(?:/t:[A-Z0-9_]+)*")
_PREFIX = re.compile(r"\bt:")
_LOCAL: dict[str, str] = {}  # "{namespace}TOWN" → "TOWN": the same few hundred tags in every notice
# The text nodes below an element in document order, as itertext() gives them, in one call.
_TEXTS = etree.XPath("descendant::text()", smart_strings=False, regexp=False)
_FEW_PARAGRAPHS = 3
Kids: TypeAlias = dict[str, etree._Element]  # a node's children by name (Notice.kids)
Node: TypeAlias = etree._Element | None


def _texts(element: etree._Element, size: int) -> list[str | None]:
    """The text nodes below an element in document order. Paragraphs without markup inside (a
    title's one <P>) are read from their .text and .tail: cheaper than a search for few of them."""
    if size <= _FEW_PARAGRAPHS:
        texts = [element.text]
        for child in element:
            if type(child) is not etree._Element or len(child):  # a processing instruction, markup
                break
            texts.append(child.text)
            texts.append(child.tail)
        else:
            return texts
    return _TEXTS(element)  # type: ignore[no-any-return]


def _local(tag: str) -> str:
    name = tag.rpartition("}")[2]
    if len(_LOCAL) < 10_000:  # a document of made-up tags must not grow it without end
        _LOCAL[tag] = name
    return name


def local_name(element: etree._Element) -> str:
    """The tag without its namespace: etree.QName(element).localname at a fraction of the cost."""
    return str(element.tag).rpartition("}")[2]


class Notice:
    """One TED_EXPORT document: XPath expressions compiled once per namespace variant."""

    _compiled: ClassVar[dict[str, dict[str, etree.XPath]]] = {}  # namespace → expression → XPath
    _first: ClassVar[dict[str, dict[str, etree.XPath | None]]] = {}  # the same for first()
    _string: ClassVar[dict[str, dict[str, etree.XPath]]] = {}  # and for value()
    _pick: ClassVar[dict[str, dict[tuple[str, ...], etree.XPath]]] = {}  # and for pick()

    def __init__(self, root: etree._Element) -> None:
        self.root = root
        tag = root.tag
        self.ns = tag[1 : tag.index("}")] if tag[:1] == "{" else ""  # QName(root) cost 5 µs
        self._paths = self._compiled.setdefault(self.ns, {})  # keyed by the expression alone:
        self._firsts = self._first.setdefault(self.ns, {})  # a str's hash is cached, a tuple's not
        self._strings = self._string.setdefault(self.ns, {})
        self._picks = self._pick.setdefault(self.ns, {})

    def x(self, node: etree._Element, expr: str) -> list[etree._Element]:
        path = self._paths.get(expr)
        if path is None:
            path = self._paths[expr] = self._compile(expr)
        return path(node)  # type: ignore[no-any-return]

    def first(self, node: etree._Element | None, expr: str) -> etree._Element | None:
        """The first match; a plain path of children takes the first child at each step."""
        if node is None:
            return None
        try:
            path = self._firsts[expr]
        except KeyError:
            plain = _PLAIN_PATH.fullmatch(expr) is not None
            path = self._firsts[expr] = (
                self._compile("/".join(f"{step}[1]" for step in expr.split("/"))) if plain else None
            )
        found = self.x(node, expr) if path is None else path(node)
        return found[0] if found else None  # type: ignore[no-any-return]

    def _compile(self, expr: str) -> etree.XPath:
        """Compiled XPath beats walking children in Python even for "t:A/t:B" (no tag matcher
        to build per step); a document without namespace reads its paths without "t:"."""
        if self.ns:  # no regexp: lxml would register its re: functions anew on every call
            return etree.XPath(expr, namespaces={"t": self.ns}, smart_strings=False, regexp=False)
        return etree.XPath(_PREFIX.sub("", expr), smart_strings=False, regexp=False)

    def text(self, node: etree._Element | None, expr: str) -> str:
        """The text of the first match, whitespace collapsed, one space between its <P>s."""
        return self.leaf(self.first(node, expr))

    def value(self, node: etree._Element | None, expr: str) -> str:
        """The string value of the first match, stripped: an attribute ("t:COUNTRY/@VALUE") or a
        short text read in C, without a Python object for any element on the way."""
        if node is None:
            return ""
        path = self._strings.get(expr)
        if path is None:
            path = self._strings[expr] = self._compile(f"string({expr})")
        return path(node).strip()  # type: ignore[no-any-return]

    def attr(self, node: etree._Element | None, expr: str, name: str) -> str:
        found = self.first(node, expr)
        return (found.get(name) or "").strip() if found is not None else ""

    @staticmethod
    def kids(node: etree._Element | None) -> dict[str, etree._Element]:
        """A node's children by name (the first of each): one walk where a form reads a dozen
        fields of the same address or lot."""
        found: dict[str, etree._Element] = {}
        if node is not None:
            names = _LOCAL
            for child in node:
                tag = child.tag
                name = names.get(tag)
                if name is None:
                    if not isinstance(tag, str):
                        continue
                    name = _local(tag)
                if name not in found:
                    found[name] = child
        return found

    def pick(self, node: etree._Element, *names: str) -> dict[str, etree._Element]:
        """The first child of each of `names`, found in one search: for a node of many children
        of which few are wanted (a contractor's address) cheaper than kids()."""
        path = self._picks.get(names)
        if path is None:
            path = self._picks[names] = self._compile(" | ".join(f"t:{name}[1]" for name in names))
        found: dict[str, etree._Element] = {}
        for child in path(node):
            tag = child.tag
            found[_LOCAL.get(tag) or _local(tag)] = child
        return found

    @staticmethod
    def kids_and_all(
        node: etree._Element | None, *names: str
    ) -> tuple[dict[str, etree._Element], list[list[etree._Element]]]:
        """kids(), and in the same walk every child of each of `names` (a lot's NUTS codes)."""
        found: dict[str, etree._Element] = {}
        every: list[list[etree._Element]] = [[] for _ in names]
        if node is None:
            return found, every
        local_names = _LOCAL
        for child in node:
            tag = child.tag
            local = local_names.get(tag)
            if local is None:
                if not isinstance(tag, str):
                    continue
                local = _local(tag)
            if local not in found:
                found[local] = child
            if local in names:
                every[names.index(local)].append(child)
        return found, every

    @staticmethod
    def leaf(element: etree._Element | None) -> str:
        """Whitespace collapsed; paragraphs (and a superscript: "m 3") one space apart."""
        if element is None:
            return ""
        if not (size := len(element)):
            return " ".join((element.text or "").split())
        words = []
        for text in _texts(element, size):  # a paragraph printable and without a double space is
            if text is None:
                continue
            if text.isprintable() and "  " not in text:  # one already: its only space is " "
                if text := text.strip(" "):
                    words.append(text)
            elif not text.isspace():
                words.append(" ".join(text.split()))
        return " ".join(words)

    @staticmethod
    def child_codes(nodes: list[etree._Element], name: str) -> tuple[str, ...]:
        """The CODEs of the children called `name` of these nodes ("CPV_CODE" of CPV_ADDITIONAL),
        read in the walk: a search per lot cost more than the few children it looks at."""
        found: list[str] = []
        for node in nodes:
            for child in node:
                tag = child.tag
                named = (_LOCAL.get(tag) or (isinstance(tag, str) and _local(tag))) == name
                if named and (code := (child.get("CODE") or "").strip()):
                    found.append(code)
        return tuple(dict.fromkeys(found))

    def codes(self, node: etree._Element | None, expr: str) -> tuple[str, ...]:
        if node is None:
            return ()
        return tuple(dict.fromkeys(c for el in self.x(node, expr) if (c := (el.get("CODE") or "").strip())))
