"""Plain HTTP to the HubSpot stand-in, as any HubSpot client would speak to HubSpot."""

from __future__ import annotations

from typing import Any

import requests

from ez_pipelines.settings import Settings

CONTACTS = "/crm/v3/objects/contacts"


class HubSpotHttp:
    def __init__(self, sandbox_url: str, token: str | None = None) -> None:
        self.base = f"{sandbox_url}/hubspot"
        self.session = requests.Session()
        token = Settings.from_env().hubspot.token if token is None else token
        self.session.headers["Authorization"] = f"Bearer {token}"

    def call(self, method: str, path: str, body: Any = None, **params: Any) -> requests.Response:
        return self.session.request(
            method, f"{self.base}{path}", json=body, params=params or None, timeout=(2.0, 10.0)
        )

    def create(self, **properties: str) -> requests.Response:
        return self.call("POST", CONTACTS, {"properties": properties})

    def upsert(
        self, *inputs: tuple[str, dict[str, str]], id_property: str = "ez_contact_key"
    ) -> requests.Response:
        body = {
            "inputs": [
                {"id": key, "idProperty": id_property, "properties": props} for key, props in inputs
            ]
        }
        return self.call("POST", f"{CONTACTS}/batch/upsert", body)

    def search_email(self, email: str) -> requests.Response:
        body = {
            "filterGroups": [
                {"filters": [{"propertyName": "email", "operator": "EQ", "value": email}]}
            ]
        }
        return self.call("POST", f"{CONTACTS}/search", body)
