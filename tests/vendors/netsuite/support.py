"""What the NetSuite tests share: settings pointing at the sandbox, signed raw requests."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import requests
from oauthlib.oauth1 import SIGNATURE_HMAC_SHA256
from requests_oauthlib import OAuth1

from ez_pipelines.sandbox.netsuite.standin import NetSuiteStandIn
from ez_pipelines.sandbox.server import BackgroundServer
from ez_pipelines.settings import NetSuiteSettings, Settings

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "vendor"
# Short enough that a hung stand-in costs a test well under a second.
TIMEOUT = (1.0, 2.0)
CUSTOMER = {
    "isPerson": True,
    "firstName": "Layla",
    "lastName": "Haddad",
    "email": "layla@example.com",
    "phone": "+971501234567",
    "subsidiary": {"id": "1"},
}


def fixture_json(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def standin_of(server: BackgroundServer) -> NetSuiteStandIn:
    """The stand-in object inside the running sandbox, to read what it received."""
    standin = server.app.state.standins["netsuite"]
    assert isinstance(standin, NetSuiteStandIn)
    return standin


def settings_for(server: BackgroundServer, **changes: Any) -> NetSuiteSettings:
    """Our settings as in production, with the base URL of this sandbox."""
    base = Settings.from_env().netsuite
    return replace(base, base_url=f"{server.base_url}/netsuite/services/rest", **changes)


def records_url(server: BackgroundServer, record_type: str, ref: str | None = None) -> str:
    url = f"{server.base_url}/netsuite/services/rest/record/v1/{record_type}"
    return f"{url}/{ref}" if ref else url


def token_signer(settings: NetSuiteSettings, **overrides: Any) -> OAuth1:
    """Signs a hand-made request; overrides change one credential or oauth parameter."""
    values: dict[str, Any] = {
        "client_key": settings.consumer_key,
        "client_secret": settings.consumer_secret,
        "resource_owner_key": settings.token_id,
        "resource_owner_secret": settings.token_secret,
        "signature_method": SIGNATURE_HMAC_SHA256,
        "realm": settings.account_id,
    }
    values.update(overrides)
    return OAuth1(**values)


def signed(
    settings: NetSuiteSettings,
    method: str,
    url: str,
    body: Mapping[str, Any] | None = None,
    *,
    headers: Mapping[str, str] | None = None,
    signer: OAuth1 | None = None,
) -> requests.Response:
    """One signed request, as another integration of the same account would send it."""
    return requests.request(
        method,
        url,
        json=dict(body) if body is not None else None,
        headers=dict(headers or {}),
        auth=signer or token_signer(settings),
        timeout=TIMEOUT,
    )


def wait_until_in_flight(standin: NetSuiteStandIn, count: int, timeout_s: float = 5.0) -> None:
    deadline = time.monotonic() + timeout_s
    while standin.in_flight < count:
        if time.monotonic() > deadline:
            raise AssertionError(f"the stand-in never had {count} requests in flight")
        time.sleep(0.005)
