"""Views beside lists: the KanbanView kind, a board of an entity's records in columns (docs/views.md)."""
