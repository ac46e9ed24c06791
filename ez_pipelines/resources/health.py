"""Health thresholds and where the Dagster UI lives, as one resource for assets and sensors."""

import dagster as dg

from ez_pipelines.ops.thresholds import Thresholds

_DEFAULT = Thresholds()


class HealthResource(dg.ConfigurableResource):
    lag_bound_s: float = _DEFAULT.lag_bound_s
    error_rate_warn: float = _DEFAULT.error_rate_warn
    error_rate_red: float = _DEFAULT.error_rate_red
    dagster_ui_url: str = "http://127.0.0.1:3000"
    """Root of the Dagster UI, for the run links in alerts."""

    def thresholds(self) -> Thresholds:
        return Thresholds(
            lag_bound_s=self.lag_bound_s,
            error_rate_warn=self.error_rate_warn,
            error_rate_red=self.error_rate_red,
        )

    def run_url(self, run_id: str) -> str:
        return f"{self.dagster_ui_url.rstrip('/')}/runs/{run_id}"
