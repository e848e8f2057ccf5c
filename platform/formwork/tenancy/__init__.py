"""Tenancy: the registry of tenants, their storage, their apps and the dispatcher."""
