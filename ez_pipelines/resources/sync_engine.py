"""How the outbox dispatcher runs inside Dagster: batch size, lease, retry policy, time budget."""

from datetime import timedelta

import dagster as dg

from ez_pipelines.outbox.backoff import RetryPolicy


class SyncEngineResource(dg.ConfigurableResource):
    batch_size: int = 100
    lease_s: float = 120.0
    retry_base_s: float = 1.0
    retry_cap_s: float = 3600.0
    retry_max_attempts: int = 100
    retry_max_age_h: float = 48.0
    drain_seconds: float = 120.0
    """Longest a sync run keeps draining; what is left waits for the sensor's next run."""
    lag_bound_s: float = 900.0

    def policy(self) -> RetryPolicy:
        return RetryPolicy(
            base_s=self.retry_base_s,
            cap_s=self.retry_cap_s,
            max_attempts=self.retry_max_attempts,
            max_age=timedelta(hours=self.retry_max_age_h),
        )
