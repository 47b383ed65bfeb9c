"""Indicator computation at 5,000 sites (issue 17): every formula of `filings.computed` over
5,000 site states on one day, beside its peer, a bare recount of the same sites in service with
a tenant (no areas, no record ids), measured in the same run."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest

from filings.computed import compute_all
from filings.infrastructure import SiteBody
from tests.filings.factories import OTHER_OPERATOR
from tests.filings.infra_factories import body

SITES = 5_000
DAY = date(2025, 11, 3)
COMMUNES = ["19789", "19753"]
POINTS = {"19789": {"lat": 16.4637, "lon": 107.5909}, "19753": {"lat": 16.4797, "lon": 107.5743}}


@dataclass(frozen=True)
class State:
    record_id: str
    kind: str
    body: SiteBody


def _sites() -> list[State]:
    rng = random.Random(5000)
    states = []
    for n in range(SITES):
        area = rng.choice(COMMUNES)
        filed = body(site_id=f"S{n:05d}", area=area, position=POINTS[area], vn2000=None,
                     tenants=[OTHER_OPERATOR] if rng.random() < 0.3 else [],
                     technologies=rng.choice([["4G"], ["4G", "5G"], ["2G", "4G"]]))
        states.append(State(f"{n:064x}", "site", SiteBody.model_validate(filed)))
    return states


@pytest.fixture(scope="module")
def sites() -> list[State]:
    return _sites()


@pytest.mark.benchmark(group="computed-5000-sites")
def test_every_formula_at_5000_sites(benchmark: Any, sites: list[State]) -> None:
    figures = benchmark(compute_all, sites, DAY)
    assert figures[0].denominator == SITES


@pytest.mark.benchmark(group="computed-5000-sites")
def test_peer_bare_recount_at_5000_sites(benchmark: Any, sites: list[State]) -> None:
    def recount() -> int:
        return sum(1 for s in sites if s.body.status == "in_service" and s.body.tenants)
    assert 0 < benchmark(recount) < SITES
