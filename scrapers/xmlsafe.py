"""The one way to parse XML here: no entity expansion, no DTD loading, no network.

Notices never carry a DOCTYPE, so a document that has one (billion laughs, external entities
pointing at local files) is rejected outright rather than "safely" half-read.
"""

from __future__ import annotations

import re

from lxml import etree

from scrapers.errors import ParseError

_ENCODING = re.compile(rb"""(?:\xef\xbb\xbf)?<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
_ASCII_COMPATIBLE = re.compile(rb"(?i)utf-?8|(?:us-)?ascii|iso-?8859-\d+|latin-?1|windows-125\d|cp125\d")
_PARSER = etree.XMLParser(
    resolve_entities=False,
    no_network=True,
    load_dtd=False,
    dtd_validation=False,
    huge_tree=False,
    remove_comments=True,
)


def parse_xml(body: bytes, url: str) -> etree._Element:
    if not body or body.isspace():  # no copy of the whole body
        raise ParseError(url, "leeres XML-Dokument")
    try:
        root = etree.fromstring(body, parser=_PARSER)
    except etree.XMLSyntaxError as exc:
        raise ParseError(url, f"kein wohlgeformtes XML ({exc.msg})") from exc
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        raise ParseError(url, "XML mit DOCTYPE/Entitäten wird abgelehnt")
    return root


def parse_xml_without(
    body: bytes, url: str, unread: tuple[str, ...], *, repeated: bool = False
) -> etree._Element:
    """The document without the elements named `unread` (in document order): libxml2 builds no
    tree for what no field comes from, and what is cut is not checked either. The first
    "<NAME>…</NAME>" of each is cut, looked for after the one before it, so the bytes are
    searched about once; every one of them if `repeated` (an element of each lot).

    Only markup can hide such a tag ("<" is escaped in text and barred from attributes): a
    document with a comment, CDATA or DOCTYPE, one in an encoding where "<" is not always the
    byte 0x3C (UTF-7, ISO-2022, UTF-16), or one whose rest does not parse is parsed whole, and its
    true error is the one reported. A processing instruction after the XML declaration is not
    looked for (notices carry none; the search would cost a second pass over the bytes)."""
    if (b"!" in body and b"<!" in body) or not _ascii_compatible(body):  # memchr first: "<!" is slow
        return parse_xml(body, url)
    kept: list[bytes] = []
    done = 0
    for name in unread:
        start_tag, end_tag = f"<{name}>".encode(), f"</{name}".encode()
        while (start := body.find(start_tag, done)) >= 0 and (end := _end_of(body, end_tag, start)) >= 0:
            kept.append(body[done:start])
            done = end
            if not repeated:
                break
    if not kept:
        return parse_xml(body, url)
    kept.append(body[done:])
    try:
        return parse_xml(b"".join(kept), url)
    except ParseError:
        return parse_xml(body, url)


def _ascii_compatible(body: bytes) -> bool:
    """No declaration means UTF-8 (a UTF-16 document never matches an ASCII tag anyway)."""
    declared = _ENCODING.match(body)
    return declared is None or _ASCII_COMPATIBLE.fullmatch(declared.group(1)) is not None


def _end_of(body: bytes, end_tag: bytes, start: int) -> int:
    """The offset after the end tag ("</NAME") of the element starting at `start`: "</NAME>" or
    "</NAME >", never "</NAME_OTHER>"."""
    at = start
    while (found := body.find(end_tag, at)) >= 0:
        after = found + len(end_tag)
        close = body.find(b">", after)
        if close < 0:
            return -1
        if not body[after:close].strip():
            return close + 1
        at = after
    return -1
