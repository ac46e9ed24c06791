"""Checkout.com: payments and refunds out, payment webhooks and status polls in."""
