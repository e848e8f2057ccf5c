"""Per-tenant secrets derived from the platform secret.

A tenant's session cookies and JWTs are signed with keys only that tenant's
app knows, so a cookie or token from one tenant is worthless in another.
"""

from __future__ import annotations

import hashlib
import hmac


def derive_secret(platform_secret: str, scope: str, purpose: str) -> str:
    """HMAC-SHA256 of `scope:purpose` under the platform secret, hex encoded."""
    message = f"formwork:{scope}:{purpose}".encode()
    return hmac.new(platform_secret.encode(), message, hashlib.sha256).hexdigest()
