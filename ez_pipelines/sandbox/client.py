"""Talking to the sandbox's control surface from tests, the demo and the CLI."""

from __future__ import annotations

from typing import Any

import requests

_TIMEOUT = (2.0, 10.0)


class SandboxClient:
    def __init__(self, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")
        self.session = requests.Session()

    def _call(self, method: str, path: str, json: Any = None) -> Any:
        response = self.session.request(
            method, f"{self.base_url}/_sandbox{path}", json=json, timeout=_TIMEOUT
        )
        response.raise_for_status()
        return response.json()

    def set_faults(self, name: str, **faults: Any) -> dict[str, Any]:
        result: dict[str, Any] = self._call("PUT", f"/{name}/faults", faults)
        return result

    def configure(self, name: str, **settings: Any) -> dict[str, Any]:
        result: dict[str, Any] = self._call("PATCH", f"/{name}/settings", settings)
        return result

    def records(self, name: str) -> dict[str, Any]:
        result: dict[str, Any] = self._call("GET", f"/{name}/records")
        return result

    def stats(self, name: str) -> dict[str, Any]:
        result: dict[str, Any] = self._call("GET", f"/{name}/stats")
        return result

    def reset(self, name: str) -> None:
        self._call("POST", f"/{name}/reset")

    def overview(self) -> dict[str, Any]:
        result: dict[str, Any] = self._call("GET", "")
        return result

    def close(self) -> None:
        self.session.close()
