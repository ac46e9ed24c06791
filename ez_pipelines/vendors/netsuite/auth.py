"""Token-based authentication: OAuth 1.0a request signing, HMAC-SHA256, realm = the account id.

NetSuite stopped accepting HMAC-SHA1 in 2023.1
(https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_1534941295.html).
"""

from __future__ import annotations

from oauthlib.oauth1 import SIGNATURE_HMAC_SHA256
from requests_oauthlib import OAuth1

from ez_pipelines.settings import NetSuiteSettings


def token_auth(settings: NetSuiteSettings) -> OAuth1:
    """Signs each request afresh: a new nonce and timestamp every time it is called."""
    auth: OAuth1 = OAuth1(
        client_key=settings.consumer_key,
        client_secret=settings.consumer_secret,
        resource_owner_key=settings.token_id,
        resource_owner_secret=settings.token_secret,
        signature_method=SIGNATURE_HMAC_SHA256,
        signature_type="AUTH_HEADER",
        realm=settings.account_id,
    )
    return auth
