"""The demo: a tenant with the OA and CRM packs and sample data."""
