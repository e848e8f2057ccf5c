"""Publishing or discarding one Studio draft as a page posts it, for any draft key (an entity, a dashboard).

What an editor's Publish button does beyond `publishing.publish`: refuse a draft changed since its plan was shown
(the page posts the `edits` it showed) or one whose overlays someone published since it started (409: publishing
would apply what the admin did not read, or overwrite), and drop the draft once applied. The answer is the message
to flash and the status the page answers with, so each editor only says where it goes next.
"""

from __future__ import annotations

from flask import request
from flask_login import current_user

from ..i18n import localized
from ..meta.errors import DefinitionsInvalid
from ..tenancy.drafting import Outcome
from ..tenancy.errors import TenantError
from .drafts import discard_draft, draft_of, draft_state
from .labels import TEXT
from .publishing import PublishConflict, publish, refusal_words, tenant_session


def publish_posted_draft(key: str) -> Outcome | None:
    """Publish the draft `key` with the posted comment, as the signed-in admin; None when there is no draft."""
    session = tenant_session()
    draft, state = draft_of(session, key), draft_state(session, key)
    if draft is None or state is None:
        return None
    session.commit()  # the migration takes the tenant's storage: this request holds no transaction on it
    if request.form.get("edits", type=int) not in (None, state.edits):
        return Outcome(409, TEXT["draft_changed"].localized().format(author=state.author))
    comment = request.form.get("comment", "").strip()
    try:
        changed = publish(draft, key, current_user.username, comment, state.base_revision)
    except PublishConflict as conflict:
        return Outcome(409, f"{TEXT['conflict'].localized()} {conflict}")
    except (DefinitionsInvalid, TenantError) as refused:
        return Outcome(400, f"{TEXT['not_published'].localized()} {refusal_words(refused)}")
    discard_draft(session, key)
    session.commit()
    return Outcome(200, f"{TEXT['published'].localized()} {'; '.join(localized(line) for line in changed)}")


def discard_posted_draft(key: str) -> str:
    """Drop the draft `key`; the message saying so."""
    session = tenant_session()
    discard_draft(session, key)
    session.commit()
    return TEXT["discarded"].localized()
