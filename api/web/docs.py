"""`GET /docs`: the API reference (Swagger UI), served whole from this server, so it works
offline and under the pages' security policy (no inline script: `static/docs.js` starts it).

The Swagger UI files come from the `swagger-ui-bundle-v2` distribution (Apache-2.0, its licence
ships with it) and are served under `/docs/assets/`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

from fastapi import APIRouter
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from swagger_ui_bundle import swagger_ui_path

ASSETS_PATH: Final = "/docs/assets"
PAGE: Final = """<!doctype html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Tài liệu API · API reference · InfraLedger</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css">
<link rel="stylesheet" href="/static/site.css">
<link rel="stylesheet" href="/static/docs.css">
</head>
<body>
<header class="site"><a class="brand" href="/">InfraLedger</a>
<p>Tài liệu API (OpenAPI) · <span lang="en">API reference</span>:
<a href="/openapi.json">/openapi.json</a></p></header>
<main id="swagger-ui" lang="en"></main>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/static/docs.js"></script>
</body>
</html>
"""

router = APIRouter(include_in_schema=False)
router.mount(ASSETS_PATH, StaticFiles(directory=Path(str(swagger_ui_path))), name="docs-assets")


@router.get("/docs", response_class=HTMLResponse)
def api_reference() -> HTMLResponse:
    """The Swagger UI page of `/openapi.json`."""
    return HTMLResponse(PAGE)
