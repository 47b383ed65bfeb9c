"""Short names for the API tests: `app` and `client` are the server fixtures' `manual_app` and
`manual_client` (jobs run by hand), unless a module defines its own."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI


@pytest.fixture
def app(manual_app: FastAPI) -> FastAPI:
    return manual_app


@pytest.fixture
def client(manual_client: httpx.AsyncClient) -> httpx.AsyncClient:
    return manual_client
