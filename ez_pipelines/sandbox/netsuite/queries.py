"""Query parameters of the stand-in's record lists: paging and the external id filter.

NetSuite's `q` takes a whole query language; the stand-in understands the one form the
documentation offers for external ids that cannot go into a URL, `externalId IS "RED|PO|1337"`
(https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_156334828635.html).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from ez_pipelines.sandbox.netsuite.nserror import Refused

MAX_LIMIT = 1000
_EXTERNAL_ID_IS = re.compile(r'^\s*externalId\s+IS\s+"([^"]*)"\s*$', re.IGNORECASE)


def external_id_filter(q: str | None) -> str | None:
    """The external id `q` asks for, or None for no filter."""
    if q is None or not q.strip():
        return None
    match = _EXTERNAL_ID_IS.match(q)
    if match is None:
        raise Refused(
            400,
            "USER_ERROR",
            'Invalid search query. The stand-in understands q=externalId IS "<id>" only.',
            query_param="q",
        )
    return match.group(1)


def page_bounds(params: Mapping[str, str]) -> tuple[int, int]:
    """`limit` (1 to 1000, default 1000) and `offset` (from 0)."""
    return _int(params, "limit", MAX_LIMIT, 1, MAX_LIMIT), _int(params, "offset", 0, 0, None)


def _int(params: Mapping[str, str], name: str, default: int, low: int, high: int | None) -> int:
    raw = params.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = low - 1
    if value < low or (high is not None and value > high):
        limits = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise Refused(
            400, "INVALID_PARAMETER", f"The {name} must be an integer {limits}.", query_param=name
        )
    return value
