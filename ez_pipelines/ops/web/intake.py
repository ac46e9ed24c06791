"""What every webhook receiver shares: a bounded read of the raw body, and refusals."""

from __future__ import annotations

from starlette.requests import Request


class WebhookRefused(Exception):
    """A delivery answered with an error and not stored; `reason` is safe to log and send back.

    4xx: the delivery itself is wrong and sending it again will not help. 5xx: we could not
    store it now, and the sender's retry will.
    """

    def __init__(self, status_code: int, reason: str, size: int) -> None:
        super().__init__(reason)
        self.status_code = status_code
        self.reason = reason
        self.size = size


async def read_body(request: Request, max_bytes: int) -> bytes:
    """The exact bytes of the body, refused with 413 once they pass `max_bytes`.

    A declared length over the limit is refused before reading anything; a chunked body, which
    declares none, is counted as it arrives and never held past the limit.
    """
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise WebhookRefused(
            413, f"declared body is over the limit of {max_bytes} bytes", int(declared)
        )

    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > max_bytes:
            raise WebhookRefused(413, f"body is over the limit of {max_bytes} bytes", len(body))
    return bytes(body)
