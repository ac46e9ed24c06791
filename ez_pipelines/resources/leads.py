"""What the lead assets are told: each channel's region, and the bounds their checks hold."""

from datetime import datetime

import dagster as dg

from ez_pipelines.clock import SYSTEM_CLOCK


class LeadsResource(dg.ConfigurableResource):
    """`regions` as in EZ_LEAD_REGIONS: `hubspot=AE,crisp=AE,whatsapp=AE`."""

    regions: str = "hubspot=AE,crisp=AE,whatsapp=AE"
    review_max_age_h: float = 48.0
    duplicate_rate_max: float = 0.05

    def now(self) -> datetime:
        """The time the lead assets work at; a test substitutes a resource with another."""
        return SYSTEM_CLOCK.now()

    def region(self, channel: str) -> str:
        pairs = (part.partition("=") for part in self.regions.split(",") if part.strip())
        return {k.strip(): v.strip().upper() for k, _, v in pairs}.get(channel, "AE")
