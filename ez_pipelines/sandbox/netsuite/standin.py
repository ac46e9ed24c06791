"""Placeholder until the NetSuite stand-in lands."""

from __future__ import annotations

from typing import Any

from ez_pipelines.sandbox.standin import StandIn


class NetSuiteStandIn(StandIn):
    name = "netsuite"

    def inspect(self) -> dict[str, Any]:
        return {}
