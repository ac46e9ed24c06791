"""Crisp web hooks: how a delivery proves it is Crisp's, and `message:send` read into a message.

Plugin hooks are signed: `X-Crisp-Signature` is the hex HMAC-SHA256, keyed with the signing
secret, of `[<X-Crisp-Request-Timestamp>;<body>]`. We sign-check the body exactly as it arrived:
Crisp sends it compact, and re-serialising parsed JSON can change the bytes. The timestamp is
epoch milliseconds and is signed with the body, so a signed hook whose timestamp is further from
now than the window (Crisp documents none; ours is a setting) is refused: a captured delivery
cannot be replayed later. Website hooks are not signed at all: their only guard is a secret
`key` in the hook URL.

A message carries no contact fields; visitors type their email and number into the chat, so
both are read out of the text.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from dataclasses import dataclass
from datetime import datetime

import phonenumbers

SIGNATURE_HEADER = "X-Crisp-Signature"
TIMESTAMP_HEADER = "X-Crisp-Request-Timestamp"
MESSAGE_SEND = "message:send"
# Crisp names anonymous visitors `visitor` and a number: that is no name of theirs.
_ANONYMOUS = re.compile(r"^visitor\d*$", re.IGNORECASE)
_EMAIL_LIKE = re.compile(r"[^\s@<>()\[\],;:\"']+@[^\s@<>()\[\],;:\"']+\.[A-Za-z]{2,}")


class MalformedHook(ValueError):
    pass


def signature_of(secret: str, timestamp: str, body: bytes) -> str:
    message = b"[" + timestamp.encode() + b";" + body + b"]"
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature_matches(secret: str, timestamp: str, body: bytes, signature: str) -> bool:
    expected = signature_of(secret, timestamp, body).encode()
    return hmac.compare_digest(expected, signature.strip().lower().encode())


def verify(
    secret: str, *, timestamp: str, body: bytes, signature: str, now: datetime, max_age_s: float
) -> str | None:
    """None when a signed hook is Crisp's and fresh; otherwise why it is not."""
    if not timestamp.isdigit() or len(timestamp) > 15:
        return f"{TIMESTAMP_HEADER} is not epoch milliseconds"
    age_ms = now.timestamp() * 1000 - int(timestamp)
    if abs(age_ms) > max_age_s * 1000:
        return f"{TIMESTAMP_HEADER} is more than {max_age_s:g} s from now"
    if not signature_matches(secret, timestamp, body, signature):
        return f"{SIGNATURE_HEADER} does not match"
    return None


def key_matches(expected: str, given: str | None) -> bool:
    """The website hook's URL key, compared in constant time."""
    return bool(given) and hmac.compare_digest(expected.encode(), (given or "").encode())


@dataclass(frozen=True)
class ChatMessage:
    event_id: str
    event: str
    session_id: str
    nickname: str | None
    text: str
    from_visitor: bool

    @property
    def is_known(self) -> bool:
        return self.event == MESSAGE_SEND


def parse_hook(raw: bytes) -> ChatMessage:
    try:
        body = json.loads(raw)
    except (ValueError, RecursionError) as err:
        raise MalformedHook("body is not JSON") from err
    if not isinstance(body, dict) or not isinstance(body.get("data"), dict):
        raise MalformedHook("body is not a Crisp hook")
    data = body["data"]
    session_id, event = data.get("session_id"), body.get("event")
    if not isinstance(session_id, str) or not session_id or not isinstance(event, str):
        raise MalformedHook("hook lacks an event or a session_id")
    user = data.get("user") if isinstance(data.get("user"), dict) else {}
    nickname = user.get("nickname") if isinstance(user.get("nickname"), str) else None
    if nickname and _ANONYMOUS.match(nickname.strip()):
        nickname = None
    # A message is identified by its fingerprint; a hook without one (another event) by time.
    marker = data.get("fingerprint") or body.get("timestamp") or data.get("timestamp")
    if marker in (None, ""):
        raise MalformedHook("hook has neither fingerprint nor timestamp")
    content = data.get("content")
    return ChatMessage(
        event_id=f"{event}:{session_id}:{marker}",
        event=event,
        session_id=session_id,
        nickname=nickname.strip() if nickname else None,
        text=content if isinstance(content, str) else "",
        from_visitor=data.get("from") == "user",
    )


# Digits with the separators people type between them, and how many make a number.
_NUMBER_LIKE = re.compile(r"\+?\d[\d\s().-]*\d")
_NUMBER_DIGITS = 7


def emails_in(text: str) -> list[str]:
    return _EMAIL_LIKE.findall(text)


def phones_in(text: str, region: str) -> list[str]:
    """Numbers as typed in the text, found by phonenumbers' matcher for the site's region;
    then any other run of digits long enough to be meant as a number. The matcher finds valid
    numbers only, and a number typed with a digit missing must still reach a person, flagged
    invalid by normalisation, rather than vanish."""
    found = [match.raw_string for match in phonenumbers.PhoneNumberMatcher(text, region)]
    for run in _NUMBER_LIKE.findall(text):
        digits = sum(c.isdigit() for c in run)
        if digits >= _NUMBER_DIGITS and not any(run in number or number in run for number in found):
            found.append(run.strip())
    return found
