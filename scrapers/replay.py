"""The offline mirror: recorded responses served from files through httpx's transport hook, so
every source runs through the same Http client, robots.txt and all, without the network."""

from __future__ import annotations

from pathlib import Path

import httpx


class ReplayTransport(httpx.BaseTransport):
    """Serves recorded responses from files: the offline mirror. Unknown URLs get 404."""

    def __init__(self, files: dict[str, Path]) -> None:
        self.files = files

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        url = str(request.url)
        path = self.files.get(url)
        if path is None and request.url.path == "/robots.txt":
            return httpx.Response(404, request=request)
        if path is None or not path.is_file():
            return httpx.Response(404, request=request, text=f"not in mirror: {url}")
        return httpx.Response(200, request=request, content=path.read_bytes())
