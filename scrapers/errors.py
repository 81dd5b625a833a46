"""Errors raised by the scrapers.

    ScraperError
    ├── FetchError       the network did not give us the document (status, timeout, size, robots)
    │   └── RobotsDisallowed
    └── ParseError       the document came, but is not what the parser expects

Every error carries the URL (or file path) it is about, so a run can record it and go on.
"""


class ScraperError(Exception):
    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason


class FetchError(ScraperError):
    pass


class RobotsDisallowed(FetchError):
    pass


class ParseError(ScraperError):
    pass
