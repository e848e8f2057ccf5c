"""A new tenant's first admin: who create_tenant makes (built) or renames the template's admin to (copied)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FirstAdmin:
    """The CLI asks only a user name and password; the console also the person's name and e-mail. Where they are
    not given, the names FAB requires are made from the user name, as they always were."""

    username: str
    password: str
    name: str = ""
    email: str = ""

    @property
    def first_name(self) -> str:
        return self.name or self.username

    @property
    def last_name(self) -> str:
        return "" if self.name else "Admin"

    @property
    def email_address(self) -> str:
        return self.email or f"{self.username}@example.invalid"
