"""The compiled code of page templates, shared by every tenant app of a process.

Each tenant app is a Flask app with a Jinja environment of its own, and Jinja compiles a template once per
environment: every new app of a tenant (a published customization, an upgrade, its generation moving) parsed and
compiled FAB's and Formwork's templates again on its first pages, about a quarter of a second of CPU in each serving
process. The templates are the same files for every tenant app, and every tenant app's environment is configured
alike (`apps._build_app`), so their code is kept once per process in Jinja's bytecode cache: keyed by template name
and file, and checked against the source's checksum, so an edited template is compiled anew.
"""

from __future__ import annotations

import threading

from flask import Flask
from jinja2 import BytecodeCache
from jinja2.bccache import Bucket


class SharedTemplateCode(BytecodeCache):
    """Jinja's bytecode cache in this process's memory."""

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}
        self._lock = threading.Lock()

    def load_bytecode(self, bucket: Bucket) -> None:
        with self._lock:
            code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)  # Jinja drops it when the template's source changed since

    def dump_bytecode(self, bucket: Bucket) -> None:
        code = bucket.bytecode_to_string()
        with self._lock:
            self._code[bucket.key] = code

    def clear(self) -> None:
        with self._lock:
            self._code.clear()


TEMPLATE_CODE = SharedTemplateCode()


def share_template_code(app: Flask) -> None:
    """Let `app` use the templates other tenant apps compiled; before anything touches `app.jinja_env`."""
    app.jinja_options = {**app.jinja_options, "bytecode_cache": TEMPLATE_CODE}
