"""Settings from the environment, read once per process."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from .uploads import DEFAULT_MAX_UPLOAD_MB, DEFAULT_UPLOAD_TYPES


@dataclass(frozen=True)
class Settings:
    instance: Path
    database_url: str
    secret_key: str
    max_tenant_apps: int
    #: PostgreSQL schema tenants work under a role of their own that can reach only their schema (tenancy/storage.py)
    tenant_db_roles: bool = False
    #: uploads: the largest file (MB), the file name endings accepted where a field does not say, the file store
    max_upload_mb: float = DEFAULT_MAX_UPLOAD_MB
    upload_types: tuple[str, ...] = DEFAULT_UPLOAD_TYPES
    file_store: str = "local"
    #: where the worker sends notification e-mails (notify/mail.py); empty: they are written to the log
    smtp_url: str = ""
    site_url: str = ""
    #: sign-in throttling (tenancy/throttle.py): failures allowed per user name of a tenant and per address within
    #: `login_window` seconds, the first delay once over (doubling with each further failure) and its cap, in seconds
    login_user_limit: int = 5
    login_address_limit: int = 20
    login_window: int = 900
    login_first_delay: int = 30
    login_max_delay: int = 900
    #: cookies only over HTTPS (`Secure`): on when the platform is served behind a TLS proxy
    secure_cookies: bool = False
    #: webhooks may reach these hosts, addresses or networks (CIDR) even when loopback or private
    #: (automation/webhooks.py); every public address is allowed, every other refused unless listed
    webhook_allow: tuple[str, ...] = ()
    #: scheduled and date automations missed while no worker ran are caught up this far back (automation/timed)
    automation_catch_up_hours: int = 24
    #: companies may sign up for a tenant of their own at /signup (console/signup.py); off: /signup is a 404
    signup: bool = False

    @property
    def is_postgres(self) -> bool:
        return self.database_url.startswith("postgresql")

    @classmethod
    def from_env(cls) -> Settings:
        instance = Path(os.environ.get("FORMWORK_INSTANCE", "instance")).resolve()
        instance.mkdir(parents=True, exist_ok=True)
        url = os.environ.get("FORMWORK_DATABASE_URL") or f"sqlite:///{instance / 'platform.sqlite'}"
        if url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
        return cls(
            instance=instance,
            database_url=url,
            secret_key=os.environ.get("FORMWORK_SECRET_KEY") or _instance_secret(instance),
            max_tenant_apps=int(os.environ.get("FORMWORK_MAX_TENANT_APPS", "32")),
            tenant_db_roles=os.environ.get("FORMWORK_TENANT_DB_ROLES", "").lower() in ("1", "true", "yes", "on"),
            max_upload_mb=float(os.environ.get("FORMWORK_MAX_UPLOAD_MB", DEFAULT_MAX_UPLOAD_MB)),
            upload_types=_endings(os.environ.get("FORMWORK_UPLOAD_TYPES", "")) or DEFAULT_UPLOAD_TYPES,
            file_store=os.environ.get("FORMWORK_FILE_STORE", "local"),
            smtp_url=os.environ.get("FORMWORK_SMTP_URL", ""),
            site_url=os.environ.get("FORMWORK_SITE_URL", "").rstrip("/"),
            login_user_limit=int(os.environ.get("FORMWORK_LOGIN_USER_LIMIT", "5")),
            login_address_limit=int(os.environ.get("FORMWORK_LOGIN_ADDRESS_LIMIT", "20")),
            login_window=int(os.environ.get("FORMWORK_LOGIN_WINDOW", "900")),
            login_first_delay=int(os.environ.get("FORMWORK_LOGIN_FIRST_DELAY", "30")),
            login_max_delay=int(os.environ.get("FORMWORK_LOGIN_MAX_DELAY", "900")),
            secure_cookies=os.environ.get("FORMWORK_SECURE_COOKIES", "").lower() in ("1", "true", "yes", "on"),
            automation_catch_up_hours=int(os.environ.get("FORMWORK_AUTOMATION_CATCH_UP_HOURS", "24")),
            signup=os.environ.get("FORMWORK_SIGNUP", "").lower() in ("1", "true", "yes", "on"),
            webhook_allow=tuple(
                entry.strip() for entry in os.environ.get("FORMWORK_WEBHOOK_ALLOW", "").split(",") if entry.strip()
            ),
        )


def _endings(text: str) -> tuple[str, ...]:
    """`pdf, .PNG docx` -> (".pdf", ".png", ".docx")."""
    words = text.replace(",", " ").split()
    return tuple("." + word.lower().lstrip(".") for word in words)


def _instance_secret(instance: Path) -> str:
    """A random key kept in the instance folder, so sessions survive a restart without configuration."""
    path = instance / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()
