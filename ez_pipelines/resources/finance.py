"""Finance's policies as a Dagster resource: VAT, late fees, journal size, the parallel run."""

from pathlib import Path

import dagster as dg

from ez_pipelines.finance.documents import InvoicingPolicy
from ez_pipelines.finance.invoicing import LateReturnPolicy


class FinanceResource(dg.ConfigurableResource):
    vat_rate_bp: int = 500
    late_grace_minutes: int = 60
    late_day_percent: int = 100
    journal_max_lines: int = 500
    deferred_revenue_account: str = "2410"
    rental_revenue_account: str = "4010"
    manual_journals_csv: str = ""
    parallel_run_tolerance_minor: int = 1

    def invoicing(self) -> InvoicingPolicy:
        return InvoicingPolicy(
            vat_rate_bp=self.vat_rate_bp,
            late=LateReturnPolicy(self.late_grace_minutes, self.late_day_percent),
        )

    def manual_journals(self) -> Path | None:
        return Path(self.manual_journals_csv) if self.manual_journals_csv else None
