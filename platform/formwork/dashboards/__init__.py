"""Dashboards (kind Dashboard): number cards, charts and lists over a tenant's records; a tenant's home page."""
