"""The Studio: a tenant's admins add fields to entities in the browser, as drafts published through the
same overlays, checks, plan and migration as `formwork tenant customize` (docs/studio.md)."""
