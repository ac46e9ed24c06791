"""The one way adapters talk HTTP: a session per adapter, an explicit (connect, read) timeout on
every call, transport failures turned into the outbox's error types.

Retries of writes belong to the outbox, which records every attempt and honours the vendor's
Retry-After; sessions therefore retry only what is always safe: reads (GET) after a connection
failure, a 429 or a 5xx, through urllib3's Retry, which honours Retry-After as well.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import ReadTimeoutError
from urllib3.util.retry import Retry

from ez_pipelines.outbox.errors import Unavailable

log = logging.getLogger(__name__)

Timeout = tuple[float, float]


def connect_retry() -> Retry:
    """Resend only requests that never reached the server: for signed requests whose signature
    (a one-time nonce) the vendor refuses to see twice."""
    return Retry(total=3, connect=3, read=0, status=0, other=0, backoff_factor=0.2)


def read_retry() -> Retry:
    return Retry(
        total=3,
        connect=3,
        read=0,
        status=3,
        allowed_methods=frozenset({"GET"}),
        status_forcelist=(429, 500, 502, 503, 504),
        backoff_factor=0.5,
        backoff_jitter=0.5,
        respect_retry_after_header=True,
        raise_on_status=False,
    )


class ResponseTimedOut(Unavailable):
    """The request was sent but no answer came in time; the vendor may still be working on it."""


class VendorSession:
    """A `requests.Session` that always applies the adapter's timeout and maps transport errors."""

    def __init__(
        self, *, vendor: str, timeout: Timeout, pool_size: int = 10, retry: Retry | None = None
    ) -> None:
        self.vendor = vendor
        self.timeout = timeout
        self.session = requests.Session()
        adapter = HTTPAdapter(
            max_retries=retry or read_retry(), pool_connections=pool_size, pool_maxsize=pool_size
        )
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self.session.headers["User-Agent"] = "ez-pipelines/0.1"

    def request(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", self.timeout)
        try:
            response = self.session.request(method, url, **kwargs)
        except requests.ConnectTimeout as err:
            raise Unavailable(f"{self.vendor}: connect timeout to {_where(url)}") from err
        except requests.ReadTimeout as err:
            # The request may have been applied: only an idempotent retry is safe from here.
            raise ResponseTimedOut(
                f"{self.vendor}: no response within {self.timeout[1]} s from {_where(url)}"
            ) from err
        except requests.ConnectionError as err:
            if _read_timed_out(err):
                raise ResponseTimedOut(
                    f"{self.vendor}: no response within {self.timeout[1]} s from {_where(url)}"
                ) from err
            raise Unavailable(f"{self.vendor}: connection failed to {_where(url)}") from err
        log.debug("%s %s %s -> %d", self.vendor, method, _where(url), response.status_code)
        return response

    def close(self) -> None:
        self.session.close()


def _read_timed_out(error: requests.ConnectionError) -> bool:
    """requests reports a read timeout as a ConnectionError once urllib3's Retry has given up on
    it (its reason is then urllib3's ReadTimeoutError)."""
    reason = getattr(error.args[0], "reason", None) if error.args else None
    return isinstance(reason, ReadTimeoutError)


def _where(url: str) -> str:
    """Host and path only: query strings can carry ids a log must not keep."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"


def retry_after_s(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if value is None:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        return None
