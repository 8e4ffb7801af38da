"""The schema, one module per group of tables, all on one metadata.

Relationships are not declared: async sessions cannot lazy-load, so every query says what it
joins. Instants are aware UTC (`UTCDateTime`); local calendar days are `Date`.
Every table module must be imported here, so Alembic and the tests see the whole schema.
"""

from storage.models.base import metadata
from storage.models.cases import Case, CaseMessage, Evidence, ReportAuthor
from storage.models.core import AuditEvent, GroupBinding, Invite, Member, Unit

__all__ = [
    "AuditEvent",
    "Case",
    "CaseMessage",
    "Evidence",
    "GroupBinding",
    "Invite",
    "Member",
    "ReportAuthor",
    "Unit",
    "metadata",
]
