"""Printing: print formats, Jinja2 templates rendered to HTML and PDF for a record."""
