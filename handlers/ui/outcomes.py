"""What a refused change says: the one place that turns an `Outcome` into words.

Every feature whose storage returns `domain.cases.outcome.Outcome` (a case's move, a ledger
item's, a publication's) answers a refusal through `outcome_text`, so that each refusal says
what actually happened: gone, changed meanwhile (stale), not the presser's to do, closed
already, or not possible from where the thing stands now — never one sentence for all.
"""

from __future__ import annotations

from enum import StrEnum

from domain.cases.lifecycle import CaseStatus
from domain.cases.outcome import Outcome
from handlers.i18n import Html, Translator
from handlers.ui.labels import status_label


class Noun(StrEnum):
    """What was being changed (the words differ per noun, in Chinese most of all)."""

    CASE = "case"
    COMPLAINT = "complaint"
    ITEM = "item"  # a ledger item
    PUBLICATION = "publication"


def outcome_text(t: Translator, outcome: Outcome, noun: Noun, *, status: str | None = None) -> Html:
    """The words for `outcome` on `noun` (`status`: where it stands now, when known).

    REFUSED here is the generic "not yours"; a caller that knows its rule's reason (the desk's
    `Refusal`) says that instead.
    """
    match outcome:
        case Outcome.OK:
            return t.gettext("Done.")
        case Outcome.GONE:
            return _gone(t, noun)
        case Outcome.STALE:
            return _stale(t, noun)
        case Outcome.REFUSED:
            return t.gettext("This is not yours to do: someone else is responsible for it.")
        case Outcome.FINAL:
            return _final(t, noun, status)
    return _invalid(t, noun, status)


def _gone(t: Translator, noun: Noun) -> Html:
    match noun:
        case Noun.COMPLAINT:
            return t.gettext("This complaint no longer exists.")
        case Noun.ITEM:
            return t.gettext("This ledger item no longer exists.")
        case Noun.PUBLICATION:
            return t.gettext("This item is no longer there.")
    return t.gettext("This case no longer exists.")


def _stale(t: Translator, noun: Noun) -> Html:
    match noun:
        case Noun.COMPLAINT:
            return t.gettext("Someone else changed this complaint just now. Look at it again.")
        case Noun.ITEM:
            return t.gettext("This item has changed meanwhile. Open it again.")
        case Noun.PUBLICATION:
            return t.gettext("Someone else changed this item just now. Open it again.")
    return t.gettext("Someone else changed this case just now. Open it again.")


def _final(t: Translator, noun: Noun, status: str | None) -> Html:
    if noun is Noun.COMPLAINT:
        if status == CaseStatus.REJECTED:
            return t.gettext("This complaint was already not accepted; it is closed.")
        return t.gettext("This complaint is already closed.")
    if noun is Noun.ITEM:
        return t.gettext("This item is verified already; it can no longer change.")
    if noun is Noun.PUBLICATION:
        return t.gettext("This item is withdrawn or discarded already.")
    if status == CaseStatus.REJECTED:
        return t.gettext("This case was already not accepted; it is closed.")
    return t.gettext("This case is already closed.")


def _invalid(t: Translator, noun: Noun, status: str | None) -> Html:
    if noun is Noun.COMPLAINT and status == CaseStatus.ANSWERED:
        # The card's one move an answered complaint refuses is Reject.
        return t.gettext(
            "This complaint has already been answered, so it can no longer be rejected: "
            "close it instead."
        )
    if status is not None and noun in (Noun.CASE, Noun.COMPLAINT):
        return t.gettext(
            "This is not possible while the case is “{status}”; this button no longer applies.",
            status=status_label(t, status),
        )
    return t.gettext("This is not possible where it stands now; this button no longer applies.")
