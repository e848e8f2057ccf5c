"""Plan and apply database changes that definitions imply (Alembic's diffing and operations)."""
