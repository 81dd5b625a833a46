"""The one way to parse XML here: no entity expansion, no DTD loading, no network.

Notices never carry a DOCTYPE, so a document that has one (billion laughs, external entities
pointing at local files) is rejected outright rather than "safely" half-read.
"""

from __future__ import annotations

from lxml import etree

from scrapers.errors import ParseError

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
    document with a comment, CDATA or DOCTYPE, or one whose rest does not parse, is parsed whole,
    and its true error is the one reported. A processing instruction after the XML declaration
    is not looked for (notices carry none; the search would cost a second pass over the bytes)."""
    if b"!" in body and b"<!" in body:  # memchr first: "<!" alone is a slow search
        return parse_xml(body, url)
    kept: list[bytes] = []
    done = 0
    for name in unread:
        start_tag, end_tag = f"<{name}>".encode(), f"</{name}>".encode()
        while (start := body.find(start_tag, done)) >= 0 and (end := body.find(end_tag, start)) >= 0:
            kept.append(body[done:start])
            done = end + len(end_tag)
            if not repeated:
                break
    if not kept:
        return parse_xml(body, url)
    kept.append(body[done:])
    try:
        return parse_xml(b"".join(kept), url)
    except ParseError:
        return parse_xml(body, url)
