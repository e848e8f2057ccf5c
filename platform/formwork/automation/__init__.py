"""Automation: what records do by themselves or at a button's press (automations, actions, webhooks)."""
