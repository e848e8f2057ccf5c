"""Compile effective definitions into models, schemas, views and APIs."""
