"""Leads in Dagster: each channel's events read into records, then unified into people.

The checks ride on the unification, which computes what they read: how many unified leads still
share an email or a phone with another lead, and how long the oldest question has waited. The
review backlog is reported beside them.
"""

import dagster as dg

from ez_pipelines.assets.keys import LEADS_RAW, LEADS_UNIFIED
from ez_pipelines.leads.capture import capture_leads
from ez_pipelines.leads.review_views import oldest_open_age_s
from ez_pipelines.leads.unify import unify_leads
from ez_pipelines.resources.database import DatabaseResource
from ez_pipelines.resources.leads import LeadsResource

_CHANNELS = {
    "hubspot": "HubSpot contacts made or changed by web forms",
    "crisp": "Crisp chat sessions, with the email and number typed into them",
    "whatsapp": "WhatsApp senders, by their number",
}


def _raw_asset(system: str) -> dg.AssetsDefinition:
    @dg.asset(
        key=LEADS_RAW[system],
        group_name="leads",
        kinds={system},
        description=f"{_CHANNELS[system]}: one lead record each, from the inbox.",
    )
    def raw(database: DatabaseResource, leads: LeadsResource) -> dg.MaterializeResult:
        report = capture_leads(
            database.database(), system, region=leads.region(system), now=leads.now()
        )
        return dg.MaterializeResult(
            metadata={
                "events_processed": report.processed,
                "records_touched": report.records_touched,
                "failed": report.failed,
            }
        )

    return raw


RAW_LEAD_ASSETS = [_raw_asset(system) for system in LEADS_RAW]


@dg.asset(
    key=LEADS_UNIFIED,
    deps=list(LEADS_RAW.values()),
    group_name="leads",
    kinds={"sqlalchemy"},
    check_specs=[
        dg.AssetCheckSpec("duplicate_rate", asset=LEADS_UNIFIED),
        dg.AssetCheckSpec("oldest_review_age", asset=LEADS_UNIFIED),
    ],
)
def leads_unified(database: DatabaseResource, leads: LeadsResource) -> dg.MaterializeResult:
    """One lead per person: every channel record matched, clustered, and people's review
    decisions applied; changed leads queued for HubSpot."""
    db = database.database()
    report = unify_leads(db, now=leads.now())
    age_s = oldest_open_age_s(db, now=leads.now())
    bound_s = leads.review_max_age_h * 3600
    return dg.MaterializeResult(
        metadata={**report.as_metadata(), "oldest_review_age_s": round(age_s, 1)},
        check_results=[
            dg.AssetCheckResult(
                check_name="duplicate_rate",
                passed=report.duplicate_rate <= leads.duplicate_rate_max,
                severity=dg.AssetCheckSeverity.WARN,
                description=f"{report.duplicates_left} of {report.unified} leads share an "
                f"email or a phone with another ({report.duplicate_rate:.1%}, bound "
                f"{leads.duplicate_rate_max:.1%}); {report.in_review} questions wait: see "
                "`ez-pipelines review list`",
                metadata={"duplicate_rate": dg.FloatMetadataValue(report.duplicate_rate)},
            ),
            dg.AssetCheckResult(
                check_name="oldest_review_age",
                passed=age_s <= bound_s,
                severity=dg.AssetCheckSeverity.WARN,
                description=f"the oldest open review item is {age_s / 3600:.1f} h old "
                f"(bound {leads.review_max_age_h:.0f} h)",
                metadata={"age_s": dg.FloatMetadataValue(round(age_s, 1))},
            ),
        ],
    )
