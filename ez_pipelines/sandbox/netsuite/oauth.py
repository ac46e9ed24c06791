"""Checking token-based authentication the way NetSuite does: OAuth 1.0a, HMAC-SHA256.

The header carries `realm` (the account id), the consumer key, the token, a nonce, a timestamp,
the signature method and version, and the signature over the method, the URL and the query and
oauth parameters (RFC 5849 section 3.4;
https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_1534941088.html).
"""

from __future__ import annotations

import hmac
import time
from collections import deque
from collections.abc import Callable
from urllib.parse import urlsplit

from oauthlib.common import Request
from oauthlib.oauth1.rfc5849 import signature, utils

from ez_pipelines.settings import NetSuiteSettings

REQUIRED = frozenset(
    {
        "realm",
        "oauth_consumer_key",
        "oauth_token",
        "oauth_nonce",
        "oauth_timestamp",
        "oauth_signature_method",
        "oauth_version",
        "oauth_signature",
    }
)
WINDOW_S = 300.0


class TokenChecker:
    """Verifies signatures against one consumer and token, and remembers nonces it has seen."""

    def __init__(
        self,
        credentials: NetSuiteSettings,
        *,
        window_s: float = WINDOW_S,
        now: Callable[[], float] = time.time,
    ) -> None:
        self.credentials = credentials
        self.window_s = window_s
        self.now = now
        self._nonces: set[tuple[str, str]] = set()
        self._nonce_order: deque[tuple[float, tuple[str, str]]] = deque()

    def refusal(
        self, method: str, url: str, authorization: str | None, *, form_body: str | None = None
    ) -> str | None:
        """Why the request must be refused, or None when it is properly signed and fresh.

        `form_body` is the body of an `application/x-www-form-urlencoded` request, whose
        parameters are signed too (RFC 5849 section 3.4.1.3.1); other bodies are not signed.
        """
        if not authorization:
            return "no Authorization header"
        try:
            given = dict(
                signature.collect_parameters(
                    headers={"Authorization": authorization},
                    exclude_oauth_signature=False,
                    with_realm=True,
                )
            )
        except ValueError:
            return "not an OAuth Authorization header"

        missing = REQUIRED - given.keys()
        if missing:
            return f"missing {', '.join(sorted(missing))}"
        reason = self._parameter_refusal(given)
        if reason is not None:
            return reason
        signed_params = signature.collect_parameters(
            uri_query=urlsplit(url).query,
            body=form_body,
            headers={"Authorization": authorization},
        )
        if not self._signature_matches(method, url, signed_params, given["oauth_signature"]):
            return "signature does not match"
        return self._use_nonce(given["oauth_token"], given["oauth_nonce"])

    def forget(self) -> None:
        self._nonces.clear()
        self._nonce_order.clear()

    def _parameter_refusal(self, given: dict[str, str]) -> str | None:
        creds = self.credentials
        if utils.unescape(given["realm"]) != creds.account_id:
            return "realm is not the account id"
        if given["oauth_signature_method"] != "HMAC-SHA256":
            return "signature method is not HMAC-SHA256"
        if given["oauth_version"] != "1.0":
            return "oauth_version is not 1.0"
        if not hmac.compare_digest(given["oauth_consumer_key"], creds.consumer_key):
            return "unknown consumer key"
        if not hmac.compare_digest(given["oauth_token"], creds.token_id):
            return "unknown token"
        try:
            timestamp = int(given["oauth_timestamp"])
        except ValueError:
            return "timestamp is not an integer"
        if abs(self.now() - timestamp) > self.window_s:
            return "timestamp outside the allowed window"
        return None

    def _signature_matches(
        self, method: str, url: str, params: list[tuple[str, str]], sent: str
    ) -> bool:
        request = Request(url, http_method=method.upper())
        request.params = params
        request.signature = sent
        creds = self.credentials
        return bool(
            signature.verify_hmac_sha256(request, creds.consumer_secret, creds.token_secret)
        )

    def _use_nonce(self, token: str, nonce: str) -> str | None:
        now = self.now()
        # A nonce older than two windows cannot come back: its timestamp would be refused.
        while self._nonce_order and self._nonce_order[0][0] < now - 2 * self.window_s:
            self._nonces.discard(self._nonce_order.popleft()[1])
        key = (token, nonce)
        if key in self._nonces:
            return "nonce already used"
        self._nonces.add(key)
        self._nonce_order.append((now, key))
        return None
