"""Errors raised by the scrapers.

    ScraperError
    ├── FetchError       the network did not give us the document (status, timeout, size, robots)
    │   ├── RobotsDisallowed
    │   └── SourcePaused  stop this source now: a server asked for a long pause, or the run's
    │                     time budget is spent; a crawl lets it through, the next run goes on
    └── ParseError       the document came, but is not what the parser expects

Every error carries the URL (or file path) it is about, so a run can record it and go on.
"""


class ScraperError(Exception):
    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason


class FetchError(ScraperError):
    def __init__(self, url: str, reason: str, status: int | None = None) -> None:
        super().__init__(url, reason)
        self.status = status  # the HTTP status that ended it; None when no answer came


class RobotsDisallowed(FetchError):
    pass


class SourcePaused(FetchError):
    pass


class ParseError(ScraperError):
    pass
