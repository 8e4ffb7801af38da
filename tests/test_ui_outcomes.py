"""handlers/ui/outcomes.py: every refusal has its own words, in Chinese and English."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from domain.cases.lifecycle import CaseStatus
from domain.cases.outcome import Outcome
from handlers.i18n import Catalogs, Translator
from handlers.ui.outcomes import Noun, outcome_text

CATALOGS = Catalogs(default_language="zh_CN", timezone=ZoneInfo("Asia/Shanghai"))
ZH, EN = CATALOGS.get("zh_CN"), CATALOGS.get("en")
REFUSALS = [o for o in Outcome if o is not Outcome.OK]


@pytest.mark.parametrize("t", [ZH, EN], ids=["zh", "en"])
@pytest.mark.parametrize("noun", list(Noun))
def test_each_refusal_has_its_own_words(t: Translator, noun: Noun) -> None:
    said = {o: outcome_text(t, o, noun) for o in REFUSALS}
    assert len(set(said.values())) == len(REFUSALS), said
    assert outcome_text(t, Outcome.OK, noun) not in said.values()


@pytest.mark.parametrize("noun", list(Noun))
@pytest.mark.parametrize("outcome", list(Outcome))
def test_chinese_words_are_translated(noun: Noun, outcome: Outcome) -> None:
    zh, en = outcome_text(ZH, outcome, noun), outcome_text(EN, outcome, noun)
    assert zh != en and any("\u4e00" <= c <= "\u9fff" for c in zh), zh


def test_an_answered_complaint_is_not_called_closed() -> None:
    """The bug of issue 21: Reject on an answered complaint said it was already closed."""
    answered = outcome_text(EN, Outcome.INVALID, Noun.COMPLAINT, status=CaseStatus.ANSWERED)
    assert "already been answered" in answered and "closed" not in answered
    assert "已答复" in outcome_text(ZH, Outcome.INVALID, Noun.COMPLAINT, status="answered")
    closed = outcome_text(EN, Outcome.FINAL, Noun.COMPLAINT, status=CaseStatus.CLOSED)
    rejected = outcome_text(EN, Outcome.FINAL, Noun.COMPLAINT, status=CaseStatus.REJECTED)
    assert closed == "This complaint is already closed."
    assert "not accepted" in rejected and rejected != closed
    assert "已办结" in outcome_text(ZH, Outcome.FINAL, Noun.COMPLAINT, status="closed")
    assert "不予受理" in outcome_text(ZH, Outcome.FINAL, Noun.COMPLAINT, status="rejected")


@pytest.mark.parametrize("t", [ZH, EN], ids=["zh", "en"])
def test_stale_gone_and_not_yours_say_so(t: Translator) -> None:
    stale = outcome_text(t, Outcome.STALE, Noun.CASE)
    gone = outcome_text(t, Outcome.GONE, Noun.CASE)
    mine = outcome_text(t, Outcome.REFUSED, Noun.CASE)
    if t is EN:
        assert "changed" in stale and "no longer exists" in gone and "not yours" in mine
    else:
        assert "刚刚" in stale and "不存在" in gone and "不由您" in mine


def test_an_invalid_move_names_the_status_it_stands_in() -> None:
    text = outcome_text(ZH, Outcome.INVALID, Noun.CASE, status=CaseStatus.RECEIVED)
    assert "已收到" in text or "待受理" in text, text
    assert "“" in outcome_text(EN, Outcome.INVALID, Noun.CASE, status=CaseStatus.ACCEPTED)
