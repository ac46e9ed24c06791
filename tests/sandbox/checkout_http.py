"""Plain HTTP to the Checkout.com stand-in, as any Checkout.com client would speak to it."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

import requests

from ez_pipelines.settings import Settings

T = TypeVar("T")
CARD = "src_wmlfc3zyhqzehihu7giusaaawu"
DECLINED_CARD = "src_decline_do_not_honour_00"
PENDING_CARD = "src_pending_3ds_challenge_000"


class CheckoutHttp:
    def __init__(self, sandbox_url: str, secret_key: str | None = None) -> None:
        self.sandbox_url = sandbox_url
        self.base = f"{sandbox_url}/checkout"
        self.session = requests.Session()
        key = Settings.from_env().checkout.secret_key if secret_key is None else secret_key
        self.session.headers["Authorization"] = f"Bearer {key}"

    def call(
        self, method: str, path: str, body: Any = None, *, key: str | None = None, **kwargs: Any
    ) -> requests.Response:
        headers = {"Cko-Idempotency-Key": key} if key else {}
        kwargs.setdefault("timeout", (2.0, 10.0))
        return self.session.request(
            method, f"{self.base}{path}", json=body, headers=headers, **kwargs
        )

    def pay(
        self,
        amount: int = 15000,
        *,
        source: str = CARD,
        capture: bool = True,
        key: str | None = None,
        **extra: Any,
    ) -> requests.Response:
        body = {
            "amount": amount,
            "currency": "AED",
            "reference": "BK-1001",
            "capture": capture,
            "source": {"type": "id", "id": source},
            **extra,
        }
        return self.call("POST", "/payments", body, key=key)

    def payment(self, payment_id: str) -> dict[str, Any]:
        response = self.call("GET", f"/payments/{payment_id}")
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result

    def act(
        self, payment_id: str, kind: str, body: Any = None, *, key: str | None = None
    ) -> requests.Response:
        """POST captures, refunds or voids."""
        return self.call("POST", f"/payments/{payment_id}/{kind}", body, key=key)

    def control(self, **settings: Any) -> dict[str, Any]:
        response = requests.patch(
            f"{self.sandbox_url}/_sandbox/checkout/settings", json=settings, timeout=(2.0, 10.0)
        )
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result

    def flush(self) -> dict[str, int]:
        response = requests.post(f"{self.base}/_control/deliver", timeout=(2.0, 60.0))
        response.raise_for_status()
        result: dict[str, int] = response.json()
        return result

    def records(self) -> dict[str, Any]:
        response = requests.get(f"{self.sandbox_url}/_sandbox/checkout/records", timeout=5.0)
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result


def wait_until(probe: Callable[[], T | None], *, timeout_s: float = 5.0) -> T:
    """The first truthy value of `probe`, polled until `timeout_s` has passed."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"nothing came within {timeout_s} s")
        time.sleep(0.01)
