"""What became of a change someone asked for — a case's move, a ledger item's, a publication's:
one vocabulary that storage returns and handlers read, each member with one meaning. Pure."""

from __future__ import annotations

from enum import StrEnum


class Outcome(StrEnum):
    OK = "ok"  # done and committed
    GONE = "gone"  # no such case, item or publication (or not of the kind the caller moves)
    STALE = "stale"  # it changed since it was read or drawn (another writer won): nothing written
    REFUSED = "refused"  # the actor may not do this now; the caller's rule says why (`refusal`)
    FINAL = "final"  # closed or rejected (a ledger item: verified) already: it moves no more
    INVALID = "invalid"  # not a valid move from the status it is in
