"""Bodies and signed submissions of `site/1`, `route/1`, `duct/1` and `siteowner/1` for the
tests."""

from __future__ import annotations

import copy
from typing import Any, Final

from filings.signing import SubmissionDomain
from tests.filings.factories import DOMAIN, KEY, OTHER_OPERATOR, signed

ISSUED: Final = 1_762_200_000
"""2025-11-04 in Việt Nam: after the bodies' as_of."""
THUAN_HOA: Final = "19789"
"""Phường Thuận Hoá (from 2025-07-01), which holds the sample position."""
PHU_XUAN: Final = "19753"
"""Phường Phú Xuân (from 2025-07-01), a neighbour that does not hold it."""
POSITION: Final = {"lat": 16.4637, "lon": 107.5909}
VN2000: Final = {"x": 1820979.11, "y": 562898.52, "zone": "107-00"}
"""POSITION in VN-2000 TM-3 107-00 (converted once; the tests check it converts back)."""

SITE_BODY: Final[dict[str, Any]] = {
    "site_id": "VNPT-HUE-00123",
    "as_of": "2025-11-02",
    "area": THUAN_HOA,
    "position": POSITION,
    "vn2000": VN2000,
    "structure": "ground_tower",
    "height_m": 42.0,
    "technologies": ["4G", "5G"],
    "tenants": [OTHER_OPERATOR],
    "permit": {"number": "125/GP-STTTT", "date": "2024-03-01", "issuer": "Sở KH&CN Huế"},
    "exemption": None,
    "status": "in_service",
    "out_of_service": None,
    "commissioned": "2024-05-10",
    "rooftop_owner": None,
}

ROUTE_BODY: Final[dict[str, Any]] = {
    "route_id": "VNPT-HUE-R001",
    "as_of": "2025-11-02",
    "areas": [THUAN_HOA, PHU_XUAN],
    "geometry": {"type": "LineString",
                 "coordinates": [[107.5909, 16.4637], [107.5800, 16.4700], [107.5743, 16.4797]]},
    "placement": "aerial",
    "shared": "poles",
    "tenants": [],
    "status": "in_service",
}

DUCT_BODY: Final[dict[str, Any]] = {
    "duct_id": "VNPT-HUE-D001",
    "as_of": "2025-11-02",
    "area": THUAN_HOA,
    "position": POSITION,
    "type": "duct",
    "capacity": 4,
    "used": 2,
    "tenants": [OTHER_OPERATOR],
    "status": "in_service",
}

OWNER_NAME: Final = "Nguyễn Thị Chủ Nhà"
OWNER_PHONE: Final = "+84 234 3811 572"
OWNER_BODY: Final[dict[str, Any]] = {
    "site_id": "VNPT-HUE-00123",
    "as_of": "2025-11-02",
    "rooftop_owner": {"name": OWNER_NAME, "phone": OWNER_PHONE},
}
"""Who owns the building of the sample site (a `siteowner/1` body: restricted records only)."""

_ID_FIELD: Final = {"site": "site_id", "route": "route_id", "duct": "duct_id",
                    "siteowner": "site_id"}
_BODIES: Final = {"site": SITE_BODY, "route": ROUTE_BODY, "duct": DUCT_BODY,
                  "siteowner": OWNER_BODY}


def body(kind: str = "site", **changes: Any) -> dict[str, Any]:
    """A copy of the sample body of `kind` with `changes` applied."""
    result = copy.deepcopy(_BODIES[kind])
    result.update(changes)
    return result


def thing(kind: str = "site", *, key: bytes = KEY, domain: SubmissionDomain = DOMAIN,
          issued_at: int = ISSUED, supersedes: str | None = None, salt: bytes | None = None,
          **changes: Any) -> dict[str, Any]:
    """A signed `kind/1` submission of the sample body with `changes`."""
    filed = body(kind, **changes)
    return signed(kind, f"{kind}/1", f"{kind}:{filed[_ID_FIELD[kind]]}", filed, key=key,
                  domain=domain, issued_at=issued_at, supersedes=supersedes, salt=salt)
