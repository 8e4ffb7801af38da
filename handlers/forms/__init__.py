"""Forms and evaluations (定期报送、问卷、满意度与行风评议): answering in chat (a named
audience from /forms, the public from a unit's link), /forms for staff and unit heads (who has
not answered, chase, results, export, links)."""

from __future__ import annotations

from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from handlers.features import FeatureHandlers
from handlers.forms.draft import DRAFT_KEY, ROUTE
from handlers.ui.presses import stale_button

# A named form's draft survives a restart (its conversation is persistent); the public's
# draft lives in chat_data and is never written anywhere.
PERSISTENT_KEYS: tuple[str, ...] = (DRAFT_KEY,)


def handlers() -> FeatureHandlers:
    """The two answering conversations (named, public), then their buttons pressed after they
    ended; /forms and its staff buttons."""
    # Imported when called, like the other features (no loops between feature packages).
    from handlers.forms import flow, staff

    return FeatureHandlers(
        conversations=[
            flow.build_named(),
            flow.build_public(),
            CallbackQueryHandler(stale_button, pattern=ROUTE.pattern),
        ],
        routes=[
            CommandHandler("forms", staff.show_forms, filters=filters.ChatType.PRIVATE),
            CallbackQueryHandler(staff.route, pattern=staff.STAFF.pattern),
        ],
    )
