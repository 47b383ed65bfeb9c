"""An httpx `Transport` for the evidence collector and the time-stamper: the shape the server's
shell gives them (bounded answers, redirects followed, every failure logged and turned to None)."""

from __future__ import annotations

import logging

import httpx

from filings.signatures.online import MAX_RESPONSE_BYTES

LOG = logging.getLogger(__name__)


class HttpxTransport:
    """GET/POST through an `httpx.Client`; the body of a 200 answer of at most `max_bytes`."""

    def __init__(self, client: httpx.Client, max_bytes: int = MAX_RESPONSE_BYTES) -> None:
        self._client = client
        self._max = max_bytes

    def get(self, url: str) -> bytes | None:
        return self._send("GET", url, None, None)

    def post(self, url: str, body: bytes, content_type: str) -> bytes | None:
        return self._send("POST", url, body, content_type)

    def _send(self, method: str, url: str, body: bytes | None,
              content_type: str | None) -> bytes | None:
        headers = {"Content-Type": content_type} if content_type else {}
        try:
            with self._client.stream(method, url, content=body, headers=headers) as response:
                if response.status_code != 200:
                    LOG.warning("%s %s: HTTP %d", method, url, response.status_code)
                    return None
                chunks, size = [], 0
                for chunk in response.iter_bytes():
                    size += len(chunk)
                    if size > self._max:
                        LOG.warning("%s %s: over %d bytes", method, url, self._max)
                        return None
                    chunks.append(chunk)
                return b"".join(chunks)
        except httpx.HTTPError as exc:
            LOG.warning("%s %s: %s", method, url, exc)
            return None
