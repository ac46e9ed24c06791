"""The one way adapters talk HTTP: a session per adapter, an explicit (connect, read) timeout on
every call, transport failures turned into the outbox's error types.

Retries of writes belong to the outbox, which records every attempt and honours the vendor's
Retry-After. Sessions retry only what is always safe, in two places: urllib3's Retry resends a
request that never reached the server, and `VendorSession.request` asks a read (GET) again after
a timeout, a lost connection, a 429 or a 5xx, honouring Retry-After. A read is asked again
through the session, so a signed request is signed afresh (NetSuite refuses a nonce twice).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import ReadTimeoutError
from urllib3.util.retry import Retry

from ez_pipelines.outbox.errors import Unavailable

log = logging.getLogger(__name__)

Timeout = tuple[float, float]
READ_ATTEMPTS = 5
READ_PAUSE_S = 0.2
READ_PAUSE_CAP_S = 5.0
RETRYABLE_READ_STATUSES = frozenset({429, 500, 502, 503, 504})


def connect_retry() -> Retry:
    """Resend only requests that never reached the server, so nothing can be applied twice."""
    return Retry(total=3, connect=3, read=0, status=0, other=0, backoff_factor=0.2)


class ResponseTimedOut(Unavailable):
    """The request was sent but no answer came in time; the vendor may still be working on it."""


class VendorSession:
    """A `requests.Session` that always applies the adapter's timeout and maps transport errors."""

    def __init__(
        self,
        *,
        vendor: str,
        timeout: Timeout,
        pool_size: int = 10,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.vendor = vendor
        self.timeout = timeout
        self.session = requests.Session()
        adapter = HTTPAdapter(
            max_retries=connect_retry(), pool_connections=pool_size, pool_maxsize=pool_size
        )
        self._sleep = sleep
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self.session.headers["User-Agent"] = "ez-pipelines/0.1"

    def request(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        """Send once; a read (GET) that failed in a way worth asking again is sent again, up to
        READ_ATTEMPTS in all, after the vendor's Retry-After or a doubling pause."""
        attempts = READ_ATTEMPTS if method.upper() == "GET" else 1
        for attempt in range(1, attempts):
            try:
                response = self._send(method, url, **kwargs)
            except Unavailable:
                pause = None
            else:
                if response.status_code not in RETRYABLE_READ_STATUSES:
                    return response
                pause = retry_after_s(response)
            log.info("%s GET %s failed; asking again (%d)", self.vendor, _where(url), attempt)
            default = READ_PAUSE_S * 2 ** (attempt - 1)
            self._sleep(min(pause if pause is not None else default, READ_PAUSE_CAP_S))
        return self._send(method, url, **kwargs)

    def _send(self, method: str, url: str, **kwargs: Any) -> requests.Response:
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
