"""Leads: normalisation, matching, clustering and the review queue. Never imports dagster."""
