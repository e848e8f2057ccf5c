"""The private names of the libraries Formwork builds on, one adapter module per library.

Flask-AppBuilder, SQLAlchemy, Alembic, apispec and marshmallow keep a few
things Formwork needs behind underscore names. Code elsewhere in Formwork
calls the small functions here instead, and a FAB hook our views override is
listed in `fab.OVERRIDDEN_HOOKS`; tests/test_adapters.py (the upgrade canary)
checks every one of them against the installed libraries, so an upgrade that
removes or changes one fails there, naming the adapter to fix.

This package is the bottom layer: it imports the libraries, never another
Formwork package.
"""
