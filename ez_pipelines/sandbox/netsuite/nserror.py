"""NetSuite's error answers, as the stand-in gives them: `nsError` bodies.

Shaped like Oracle's examples in "Error Handling in REST Web Services"
(https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_156570709583.html).
"""

from __future__ import annotations

from http import HTTPStatus

from fastapi.responses import JSONResponse

_RFC2616 = "https://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html"
_TYPES = {
    400: f"{_RFC2616}#sec10.4.1",
    401: _RFC2616,
    404: f"{_RFC2616}#sec10.4.5",
    429: "https://tools.ietf.org/html/rfc6585#section-4",
    500: f"{_RFC2616}#sec10.5.1",
}

INVALID_LOGIN_DETAIL = (
    "Invalid login attempt. For more details, see the Login Audit Trail in the NetSuite UI at "
    "Setup > Users/Roles > User Management > View Login Audit Trail."
)


def ns_error(
    status: int,
    code: str,
    detail: str,
    *,
    path: str | None = None,
    query_param: str | None = None,
) -> JSONResponse:
    item: dict[str, str] = {"detail": detail, "o:errorCode": code}
    if path is not None:
        item["o:errorPath"] = path
    if query_param is not None:
        item["o:errorQueryParam"] = query_param
    body = {
        "type": _TYPES.get(status, _RFC2616),
        "title": HTTPStatus(status).phrase,
        "status": status,
        "o:errorDetails": [item],
    }
    return JSONResponse(body, status_code=status)


class Refused(Exception):
    """A request NetSuite would turn down; `response()` is the answer it would give."""

    def __init__(
        self,
        status: int,
        code: str,
        detail: str,
        *,
        path: str | None = None,
        query_param: str | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail
        self.path = path
        self.query_param = query_param

    def response(self) -> JSONResponse:
        return ns_error(
            self.status, self.code, self.detail, path=self.path, query_param=self.query_param
        )


def user_error(detail: str, *, path: str | None = None) -> Refused:
    """A business rule of the record refused the content."""
    return Refused(400, "USER_ERROR", f"Error while accessing a resource. {detail}", path=path)


def invalid_content(detail: str, *, path: str | None = None) -> Refused:
    """The request body itself is wrong: not JSON, a bad field value."""
    return Refused(400, "INVALID_CONTENT", detail, path=path)


def no_such_record() -> Refused:
    return Refused(
        404,
        "NONEXISTENT_ID",
        "The record instance does not exist. Provide a valid record instance ID.",
    )
