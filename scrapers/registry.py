"""The registry of sources. Adding a source = one new module + one line below."""

from scrapers import (
    bund,
    codelists,
    foerderdatenbank,
    gemeindeverzeichnis,
    notice_files,
    oeffentlichevergabe,
    oparl,
    ted,
    websites,
)
from scrapers.source import Source

SOURCES: dict[str, Source] = {
    s.name: s
    for s in (
        gemeindeverzeichnis.Gemeindeverzeichnis(),
        ted.TED(),
        oeffentlichevergabe.Oeffentlichevergabe(),
        bund.Bund(),
        notice_files.NoticeFiles(),
        foerderdatenbank.Foerderdatenbank(),
        oparl.OParl(),
        websites.MunicipalWebsites(),
        codelists.EformsCodelists(),
    )
}
