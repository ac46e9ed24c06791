"""The settings of the Checkout.com stand-in, changed through `PATCH /_sandbox/checkout/settings`.

Each is typed and bounded: a knob set to a value of the wrong kind is refused with 422 rather
than coerced (`"false"` must not become true).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any
from urllib.parse import urlsplit

from ez_pipelines.sandbox.server import require_loopback

RATES = ("drop_rate", "duplicate_rate")
NON_NEGATIVE = (
    "delay_ms",
    "capture_delay_ms",
    "pending_delay_ms",
    "processing_delay_ms",
    "idempotency_ttl_s",
)


@dataclass
class Knobs:
    webhook_url: str = ""
    """Where events are POSTed; empty means events are recorded but never delivered."""
    webhook_secret: str = ""
    """The key of the `Cko-Signature` HMAC."""
    drop_rate: float = 0.0
    duplicate_rate: float = 0.0
    """Probability an event is delivered 2 or 3 times instead of once."""
    delay_ms: float = 0.0
    """Largest random delay before a delivery is due."""
    reorder: bool = False
    """Deliveries fall due in random order instead of event order."""
    auto_deliver: bool = True
    """Deliver in the background as deliveries fall due; off, they wait for a flush."""
    time_scale: float = 1.0
    """Multiplies the resend schedule: 0.001 makes the first 5 minutes 0.3 s."""
    delivery_timeout_s: float = 5.0
    capture_delay_ms: float = 100.0
    """How long after an authorization with `capture: true` its capture is processed."""
    pending_delay_ms: float = 100.0
    """How long a pending step lasts (sources naming `pending`, or `pending_actions`)."""
    pending_actions: bool = False
    """Captures and refunds pass through `payment_capture_pending` / `payment_refund_pending`."""
    processing_delay_ms: float = 0.0
    """How long each write takes between its checks and its commit."""
    max_rps: int = 100
    """Reads per second, and writes per second, before 429."""
    idempotency_ttl_s: float = 86_400.0
    seed: int = 0

    def as_json(self) -> dict[str, Any]:
        return asdict(self)

    def changed(self, settings: dict[str, Any]) -> Knobs:
        """A copy with `settings` applied; raises ValueError or TypeError naming the culprit."""
        types = {f.name: type(getattr(self, f.name)) for f in fields(self)}
        unknown = set(settings) - set(types)
        if unknown:
            raise ValueError(f"unknown settings for checkout: {sorted(unknown)}")
        values = self.as_json()
        for name, value in settings.items():
            values[name] = _typed(name, value, types[name])
        knobs = Knobs(**values)
        knobs.check()
        return knobs

    def check(self) -> None:
        for name in RATES:
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1")
        for name in NON_NEGATIVE:
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must not be negative")
        if self.time_scale <= 0 or self.delivery_timeout_s <= 0:
            raise ValueError("time_scale and delivery_timeout_s must be positive")
        if self.max_rps < 1:
            raise ValueError("max_rps must be at least 1")
        if self.webhook_url:
            _check_webhook_url(self.webhook_url)


def _check_webhook_url(url: str) -> None:
    """Deliveries stay on this machine, as the whole sandbox does."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"webhook_url must be an http(s) URL, not {url!r}")
    try:
        require_loopback(parts.hostname)
    except ValueError as err:
        raise ValueError(f"webhook_url must point at loopback: {err}") from None


def _typed(name: str, value: Any, kind: type) -> Any:
    # bool is an int in Python, so it is told apart before the numeric kinds.
    if kind is bool:
        if isinstance(value, bool):
            return value
    elif kind is str:
        if isinstance(value, str):
            return value
    elif (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and (kind is float or float(value).is_integer())
    ):
        return kind(value)
    raise TypeError(f"{name} must be a {kind.__name__}, not {value!r}")
