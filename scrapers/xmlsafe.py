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
