"""`GET /docs`: the API reference (Swagger UI), served whole from this server, so it works
offline and under the pages' security policy (no inline script: `static/docs.js` starts it).

The Swagger UI files come from the `swagger-ui-bundle-v2` distribution (Apache-2.0, its licence
ships with it) and are served under `/docs/assets/`.
"""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Final

from fastapi import APIRouter
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from swagger_ui_bundle import swagger_ui_path

from api.web import wording

ASSETS_PATH: Final = "/docs/assets"


def _say(key: str) -> str:
    """The message `key` in both languages, as the pages write it; the stylesheet shows the one
    of <html lang>, which `static/lang.js` switches as on every other page."""
    vi, en = (escape(text) for text in wording.page_text(key))
    return f'<span class="l-vi" lang="vi">{vi}</span><span class="l-en" lang="en">{en}</span>'


PAGE: Final = f"""<!doctype html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(" · ".join(wording.page_text("docs.title")))} · InfraLedger</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css">
<link rel="stylesheet" href="/static/site.css">
<link rel="stylesheet" href="/static/docs.css">
<script src="/static/lang.js"></script>
</head>
<body>
<header class="site"><a class="brand" href="/">InfraLedger</a>
<p>{_say("docs.openapi")} <a href="/openapi.json">/openapi.json</a>. {_say("docs.in_english")}</p>
<button type="button" id="lang-toggle" hidden><span class="l-vi" lang="en">English</span><span \
class="l-en" lang="vi">Tiếng Việt</span></button></header>
<main id="swagger-ui" lang="en"></main>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/static/docs.js"></script>
</body>
</html>
"""
"""The page: its header in the catalogue's words (`docs.*`), the reference in English."""

router = APIRouter(include_in_schema=False)
router.mount(ASSETS_PATH, StaticFiles(directory=Path(str(swagger_ui_path))), name="docs-assets")


@router.get("/docs", response_class=HTMLResponse)
def api_reference() -> HTMLResponse:
    """The Swagger UI page of `/openapi.json`."""
    return HTMLResponse(PAGE)
