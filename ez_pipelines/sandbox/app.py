"""The sandbox: every vendor stand-in behind one loopback server, plus a control surface.

Vendors live under their own prefix (`/netsuite/services/rest/...`, `/hubspot/crm/v3/...`), so
pointing an adapter at the sandbox or at the real vendor is a change of base URL only. The
`/_sandbox` routes are not part of any vendor's API: they set faults and limits, and list what each
stand-in holds.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, HTTPException

from ez_pipelines.sandbox.checkout.standin import CheckoutStandIn
from ez_pipelines.sandbox.faults import Faults
from ez_pipelines.sandbox.hubspot.standin import HubSpotStandIn
from ez_pipelines.sandbox.leads.chat import CrispStandIn, WhatsAppStandIn
from ez_pipelines.sandbox.netsuite.standin import NetSuiteStandIn
from ez_pipelines.sandbox.slack.standin import SlackStandIn
from ez_pipelines.sandbox.standin import StandIn


def create_app(standins: list[StandIn] | None = None) -> FastAPI:
    app = FastAPI(title="ez-pipelines sandbox", docs_url=None, redoc_url=None)
    defaults: list[StandIn] = [NetSuiteStandIn(), HubSpotStandIn(), CheckoutStandIn()]
    defaults += [CrispStandIn(), WhatsAppStandIn(), SlackStandIn()]
    registry = {s.name: s for s in (standins or defaults)}
    for standin in registry.values():
        app.include_router(standin.router, prefix=f"/{standin.name}")
    app.state.standins = registry

    def get(name: str) -> StandIn:
        if name not in registry:
            raise HTTPException(404, f"no stand-in named {name}")
        return registry[name]

    @app.get("/_sandbox")
    async def overview() -> dict[str, Any]:
        return {name: {"settings": s.settings(), **s.stats()} for name, s in registry.items()}

    @app.put("/_sandbox/{name}/faults")
    async def set_faults(name: str, body: dict[str, Any]) -> dict[str, Any]:
        standin = get(name)
        try:
            standin.set_faults(Faults.from_json(body))
        except (TypeError, ValueError) as err:
            raise HTTPException(422, str(err)) from err
        return standin.faults.faults.as_json()

    @app.patch("/_sandbox/{name}/settings")
    async def configure(name: str, body: dict[str, Any]) -> dict[str, Any]:
        try:
            return get(name).configure(body)
        except (TypeError, ValueError) as err:
            raise HTTPException(422, str(err)) from err

    @app.get("/_sandbox/{name}/records")
    async def records(name: str) -> dict[str, Any]:
        return get(name).inspect()

    @app.get("/_sandbox/{name}/stats")
    async def stats(name: str) -> dict[str, Any]:
        return get(name).stats()

    @app.post("/_sandbox/{name}/reset")
    async def reset(name: str) -> dict[str, str]:
        get(name).reset()
        return {"reset": name}

    return app
