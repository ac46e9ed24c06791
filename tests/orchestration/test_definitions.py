"""A snapshot of every Dagster definition, so a rename or a lost asset shows up in review."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import dagster as dg
import pytest
import yaml

from ez_pipelines.definitions import build_definitions, defs
from ez_pipelines.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


def test_definitions_snapshot() -> None:
    graph = defs.resolve_asset_graph()

    assets = sorted(key.to_user_string() for key in defs.resolve_all_asset_keys())
    checks = sorted(f"{c.asset_key.to_user_string()}:{c.name}" for c in graph.asset_check_keys)
    groups = {key.to_user_string(): graph.get(key).group_name for key in graph.get_all_asset_keys()}

    assert groups == {
        "canonical/bookings": "canonical",
        "canonical/customers": "canonical",
        "canonical/payments": "canonical",
        "checkout/events": "checkout",
        "checkout/payment_polls": "checkout",
        "checkout/payments": "checkout",
        "checkout/refunds": "checkout",
        "finance/deferred_revenue": "finance",
        "finance/invoices": "finance",
        "finance/parallel_run": "finance",
        "finance/revenue_journals": "finance",
        "hubspot/contacts": "hubspot",
        "hubspot/lead_contacts": "hubspot",
        "leads/raw_crisp": "leads",
        "leads/raw_hubspot": "leads",
        "leads/raw_whatsapp": "leads",
        "leads/unified": "leads",
        "netsuite/credit_memos": "netsuite",
        "netsuite/customers": "netsuite",
        "netsuite/invoices": "netsuite",
        "netsuite/payment_actions": "netsuite",
        "netsuite/revenue_journals": "netsuite",
        "ops/integration_health": "ops",
        "payments/reconciliation": "payments",
    }
    assert assets == sorted(groups)
    projections = [
        "checkout/payments",
        "checkout/refunds",
        "hubspot/contacts",
        "hubspot/lead_contacts",
        "netsuite/credit_memos",
        "netsuite/customers",
        "netsuite/invoices",
        "netsuite/payment_actions",
        "netsuite/revenue_journals",
    ]
    assert checks == sorted(
        [
            *(f"{p}:{name}" for p in projections for name in ("no_dead_letters", "sync_lag")),
            "checkout/events:no_event_waiting_long",
            "checkout/payment_polls:payments_pending_too_long",
            "leads/unified:duplicate_rate",
            "leads/unified:oldest_review_age",
            "payments/reconciliation:reconciliation_clean",
            "finance/revenue_journals:journals_balanced",
            "finance/deferred_revenue:rollforward_identity",
            "finance/deferred_revenue:ended_bookings_at_zero",
            "finance/deferred_revenue:ledger_matches_invoices",
            "finance/parallel_run:parallel_run_within_tolerance",
            *(
                f"ops/integration_health:{system}_{name}"
                for system in ("netsuite", "hubspot", "checkout")
                for name in ("no_dead_letters", "error_rate", "sync_lag")
            ),
            *(
                f"ops/integration_health:{system}_{name}"
                for system in ("checkout", "hubspot", "crisp", "whatsapp")
                for name in ("webhooks_rejected", "inbound_backlog")
            ),
        ]
    )
    assert sorted(s.name for s in defs.sensors or []) == [
        "health_alerts",
        "inbox_new_events",
        "outbox_due_rows",
    ]
    assert sorted(s.name for s in defs.schedules or []) == [
        "checkout_payment_polling_every_15_minutes",
        "finance_documents_every_15_minutes",
        "integration_health_every_5_minutes",
        "nightly_payments_reconciliation",
        "nightly_revenue_recognition",
    ]
    assert sorted(j.name for j in defs.resolve_all_job_defs()) == [
        "__ASSET_JOB",
        "checkout_payment_polling",
        "finance_documents",
        "integration_health",
        "payments_reconciliation",
        "revenue_recognition",
        "sync_all",
    ]
    assert sorted(defs.resources or {}) == [
        "checkout",
        "database",
        "finance",
        "health",
        "hubspot",
        "leads",
        "netsuite",
        "slack",
        "sync_engine",
    ]


def test_projections_depend_on_the_canonical_customers() -> None:
    graph = defs.resolve_asset_graph()
    customers = dg.AssetKey(["canonical", "customers"])

    for projection in (["netsuite", "customers"], ["hubspot", "contacts"]):
        assert graph.get(dg.AssetKey(projection)).parent_keys == {customers}


def test_lead_contacts_follow_the_unified_leads_which_follow_every_channel() -> None:
    graph = defs.resolve_asset_graph()
    unified = dg.AssetKey(["leads", "unified"])

    assert graph.get(dg.AssetKey(["hubspot", "lead_contacts"])).parent_keys == {unified}
    assert graph.get(unified).parent_keys == {
        dg.AssetKey(["leads", f"raw_{channel}"]) for channel in ("hubspot", "crisp", "whatsapp")
    }


def test_secrets_set_in_the_environment_reach_resources_as_env_vars(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("EZ_NETSUITE_TOKEN_SECRET", "s3cr3t-from-the-vault")
    monkeypatch.setenv("EZ_HUBSPOT_TOKEN", "pat-from-the-vault")

    resources = build_definitions(Settings.from_env()).resources or {}

    token_secret = resources["netsuite"].token_secret  # type: ignore[attr-defined]
    assert isinstance(token_secret, dg.EnvVar)
    assert token_secret == "EZ_NETSUITE_TOKEN_SECRET"
    assert "s3cr3t-from-the-vault" not in repr(resources["netsuite"])
    assert "pat-from-the-vault" not in repr(resources["hubspot"])


@pytest.mark.slow
def test_workspace_loads_with_the_dagster_cli(tmp_path: Path) -> None:
    env = {**os.environ, "DAGSTER_HOME": str(tmp_path), "EZ_HOME": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-m", "dagster", "definitions", "validate", "-w", "workspace.yaml"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stdout + result.stderr


def test_production_instance_config_is_valid_dagster_configuration() -> None:
    from dagster._core.instance.config import dagster_instance_config

    config = yaml.safe_load((ROOT / "deploy" / "dagster.yaml").read_text())
    assert config["concurrency"]["runs"]["tag_concurrency_limits"][0]["key"] == ("ez/projection")
    assert config["concurrency"]["pools"]["default_limit"] == 1
    validated, _ = dagster_instance_config(str(ROOT / "deploy"), "dagster.yaml")
    assert "postgres" in validated["storage"]
    graph = defs.resolve_asset_graph()
    pools = {key.to_user_string(): graph.get(key).pools for key in graph.get_all_asset_keys()}
    assert pools["netsuite/customers"] == {"netsuite"}
    assert pools["hubspot/contacts"] == {"hubspot"}


def test_canonical_and_projection_assets_carry_freshness_policies() -> None:
    graph = defs.resolve_asset_graph()
    fresh = {
        key.to_user_string()
        for key in graph.get_all_asset_keys()
        if graph.get(key).freshness_policy is not None
    }

    assert fresh >= {
        "canonical/customers",
        "canonical/bookings",
        "canonical/payments",
        "netsuite/customers",
        "hubspot/contacts",
        "checkout/payments",
        "checkout/refunds",
        "netsuite/payment_actions",
    }


def test_the_slack_token_reaches_its_resource_as_an_env_var(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("EZ_SLACK_TOKEN", "xoxb-from-the-vault")

    slack = (build_definitions(Settings.from_env()).resources or {})["slack"]

    assert slack.token == "EZ_SLACK_TOKEN"  # type: ignore[attr-defined]
    assert isinstance(slack.token, dg.EnvVar)  # type: ignore[attr-defined]
    assert "xoxb-from-the-vault" not in repr(slack)
