"""HubSpot CRM: customers out as contacts (client, rate limit, contract v1, projection)."""
