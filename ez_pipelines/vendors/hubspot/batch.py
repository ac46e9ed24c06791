"""Reading a batch answer back onto the inputs that were sent, one result or error each."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from ez_pipelines.outbox.errors import Conflict, SyncError
from ez_pipelines.vendors.hubspot.errors import ContactExists, error_for_input, parse_error_body
from ez_pipelines.vendors.hubspot.models import MalformedAnswer, ResultT


def pair_answer(
    keys: Sequence[str],
    answer: object,
    parse: Callable[[object], ResultT],
    key_of: Callable[[ResultT], str | None],
) -> dict[str, ResultT | SyncError]:
    """Pair a 200 or 207 batch answer with the inputs; HubSpot does not keep their order."""
    if not isinstance(answer, Mapping):
        raise MalformedAnswer("hubspot answered a batch without a body")
    wanted = set(keys)
    paired: dict[str, ResultT | SyncError] = {}
    for raw in answer.get("results") or ():
        result = parse(raw)
        key = key_of(result)
        if key in wanted:
            paired[key] = result

    for raw in answer.get("errors") or ():
        body = parse_error_body(raw)
        error = error_for_input(body)
        named = [key for key in body.ids if key in wanted and key not in paired]
        # An error that names no input we sent can only be about the inputs left without result.
        for key in named or [key for key in keys if key not in paired]:
            paired[key] = error

    for key in keys:
        if key not in paired:
            paired[key] = MalformedAnswer(f"hubspot answered neither result nor error for {key}")
    return paired


def whole_batch_error(error: SyncError, inputs: int) -> SyncError:
    """A conflict answered for a whole batch names one contact but not which input it is about."""
    if isinstance(error, ContactExists) and inputs > 1:
        return Conflict(
            f"{error.message} (answered for a batch of {inputs}; the input it concerns is unknown)",
            http_status=error.http_status,
            vendor_code=error.vendor_code,
        )
    return error
