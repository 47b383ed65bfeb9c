"""Security headers on every response, and the policy of what the ledger's origin may run.

Every answer, of every route (the tiles, errors and unknown paths included), carries:

- `Content-Security-Policy`: the pages' policy, which runs only the ledger's own scripts and
  styles (no inline script or style, no `eval`), embeds nothing and may be framed by nobody:
  `default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src
  'self'; connect-src *; base-uri 'none'; form-action 'self'; frame-ancestors 'none'`.
  `connect-src *` lets the page ask the RPC endpoints a visitor's trust pins (independent nodes
  on other origins) for the anchored root; scripts can come only from this origin, so nothing
  else can use it. A response that sets its own policy keeps it (attachments: `sandbox`; the
  map page: `map_page_policy`, images also from the configured basemap's origin);
- `X-Content-Type-Options: nosniff`, `Referrer-Policy: no-referrer`, `X-Frame-Options: DENY`,
  `Cross-Origin-Opener-Policy: same-origin`, `Cross-Origin-Resource-Policy: same-site`;
- `Strict-Transport-Security: max-age=31536000; includeSubDomains` when the request came over
  TLS (behind a proxy, run uvicorn with `--proxy-headers` so the scheme is known).

Files that outsiders upload are never active content here: `GET /v1/attachments/{sha256}` answers
with `Content-Disposition: attachment` and `ATTACHMENT_POLICY` (see `api.routes.attachments`).
"""

from __future__ import annotations

from typing import Final

from starlette.types import ASGIApp, Message, Receive, Scope, Send

PAGE_POLICY: Final = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src *; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)


def map_page_policy(tiles_url: str) -> str:
    """The policy of the map page: `PAGE_POLICY` with images also allowed from the origin of
    the basemap's tile URL template `tiles_url` (a `{s}` subdomain becomes `*.`), and from
    nowhere else; `PAGE_POLICY` itself when there is no basemap (`tiles_url` empty)."""
    if not tiles_url:
        return PAGE_POLICY
    scheme, _, rest = tiles_url.partition("://")
    host = rest.split("/", 1)[0].replace("{s}", "*")
    return PAGE_POLICY.replace("img-src 'self' data:", f"img-src 'self' data: {scheme}://{host}")


ATTACHMENT_POLICY: Final = "default-src 'none'; sandbox; frame-ancestors 'none'"
"""The policy of an uploaded file: nothing runs, nothing loads, nothing frames it."""
HSTS: Final = (b"strict-transport-security", b"max-age=31536000; includeSubDomains")
_POLICY_HEADER: Final = b"content-security-policy"
_ALWAYS: Final = (
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-site"),
)


class SecurityHeaders:
    """ASGI middleware adding the headers of the module doc to every HTTP response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        tls = scope.get("scheme") == "https"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                names = {name.lower() for name, _ in headers}
                headers.extend(pair for pair in _ALWAYS if pair[0] not in names)
                if _POLICY_HEADER not in names:
                    headers.append((_POLICY_HEADER, PAGE_POLICY.encode()))
                if tls:
                    headers.append(HSTS)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)
