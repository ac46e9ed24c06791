"""Placeholder until the HubSpot stand-in lands."""

from __future__ import annotations

from typing import Any

from ez_pipelines.sandbox.standin import StandIn


class HubSpotStandIn(StandIn):
    name = "hubspot"

    def inspect(self) -> dict[str, Any]:
        return {}
