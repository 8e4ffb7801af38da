"""The audit log's codes in the office's words: every action and subject the code base writes has
a label in both languages, the codes are written only through `domain.audit`, a status set by
hand names both statuses, and a code the table does not know reads as itself."""

from __future__ import annotations

import ast
import re
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from domain.audit import (
    CASE_STATUS_VALUES,
    LEDGER_STATUS_VALUES,
    STATUS_CHANGES,
    AuditAction,
    AuditSubject,
    desk_move,
    loop_move,
)
from domain.cases.lifecycle import CaseAction
from domain.cases.loop import case_action
from domain.desk.followup import OwnerAct
from domain.desk.rules import Action
from domain.ledger.rules import LedgerStatus
from handlers.i18n import Catalogs, Translator
from handlers.stats.audit import AuditLabels, action_names, subject_names
from storage.audit import AuditRow

ROOT = Path(__file__).resolve().parent.parent
CJK = re.compile(r"[\u3400-\u9fff]")
CATALOGS = Catalogs(default_language="zh_CN", timezone=ZoneInfo("Asia/Shanghai"))


def _t(language: str) -> Translator:
    return CATALOGS.get(language)


def _row(action: str, before: str | None = None, after: str | None = None) -> AuditRow:
    return AuditRow(
        at=datetime(2027, 3, 10, 2, 0, tzinfo=UTC),
        actor="刘干事",
        actor_kind="member",
        action=action,
        subject_type="case",
        subject="R-0001",
        unit_name=None,
        from_value=before,
        to_value=after,
    )


@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_every_action_and_subject_has_a_label(language: str) -> None:
    actions, subjects = action_names(_t(language)), subject_names(_t(language))
    assert set(actions) == set(AuditAction)
    assert set(subjects) == set(AuditSubject)
    for code, name in [*actions.items(), *subjects.items()]:
        assert name, code
        if language == "zh_CN":
            assert name != code.value and CJK.search(name), (code, name)
    # Two actions never read the same: the office could not tell them apart.
    assert len(set(actions.values())) == len(actions)


def test_the_families_built_from_other_rules_are_all_in_the_catalogue() -> None:
    assert {desk_move(a) for a in (*Action, *OwnerAct)} <= set(AuditAction)
    carried = {case_action(a, b) for a in LedgerStatus for b in LedgerStatus} - {None}
    assert carried == {CaseAction.RECTIFY, CaseAction.VERIFY, CaseAction.SEND_BACK}
    assert {loop_move(a) for a in carried if a is not None} <= set(AuditAction)
    assert STATUS_CHANGES <= CASE_STATUS_VALUES | LEDGER_STATUS_VALUES


def _literal(node: ast.expr | None) -> bool:
    """A string spelled out (None is no code: a complainant's own move has no audit row)."""
    spelled = isinstance(node, ast.Constant) and isinstance(node.value, str)
    return (
        spelled
        or isinstance(node, ast.JoinedStr | ast.BinOp)
        or (isinstance(node, ast.IfExp) and (_literal(node.body) or _literal(node.orelse)))
    )


def _bypasses(source: str) -> list[int]:
    """The lines where an audit event's action or subject is spelled as a string, not as a
    member of `domain.audit` (a code no label table would know)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        name = node.func.attr if isinstance(node.func, ast.Attribute) else ""
        name = node.func.id if isinstance(node.func, ast.Name) else name
        spelled: list[ast.expr | None] = []
        if name == "record":
            spelled += [k.value for k in node.keywords if k.arg in ("action", "subject_type")]
        if name == "Step":  # the audit action of a case's move: its second argument
            spelled += [node.args[1] if len(node.args) > 1 else None]
            spelled += [k.value for k in node.keywords if k.arg == "audit"]
        if name == "set_mark":
            spelled += [k.value for k in node.keywords if k.arg == "actions"]
            spelled = [e for s in spelled if isinstance(s, ast.Tuple) for e in s.elts] or spelled
        if name == "_edit_unverified":
            spelled += [k.value for k in node.keywords if k.arg == "action"]
        found += [node.lineno for s in spelled if _literal(s)]
    return found


def test_audit_codes_are_written_only_through_the_catalogue() -> None:
    offenders = []
    for top in ("storage", "handlers", "bot"):
        for path in sorted((ROOT / top).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            lines = _bypasses(path.read_text(encoding="utf-8"))
            offenders += [f"{path.relative_to(ROOT)}:{line}" for line in lines]
    assert offenders == []


def test_the_scan_catches_a_spelled_code() -> None:
    source = (
        'audit.record(session, action="x.y", subject_type=AuditSubject.CASE)\n'
        'Step(KINDS, f"desk.{act}")\n'
        "audit.record(session, action=AuditAction.DESK_NOTE, subject_type=AuditSubject.CASE)\n"
    )
    assert _bypasses(source) == [1, 2]


def test_labels_read_in_chinese_and_fall_back_to_the_code() -> None:
    labels = AuditLabels(_t("zh_CN"))
    assert labels.action(_row(AuditAction.DESK_ACCEPT, "received", "accepted")) == "受理"
    assert labels.action(_row(AuditAction.DESK_TRANSFER)) == "转办"
    assert labels.action(_row(AuditAction.LEDGER_SIGNOFF, "1", "2:3")) == "签字确认台账"
    assert labels.action(_row(AuditAction.CASE_VERIFY)) == "销号核验"
    # a status set by hand: both statuses, in words
    assert (
        labels.action(_row(AuditAction.REPORT_STATUS, "accepted", "closed"))
        == "实名反映状态变更：已受理 → 已办结"
    )
    assert (
        labels.action(_row(AuditAction.LEDGER_STATUS, "in_progress", "rectified"))
        == "台账事项状态变更：整改中 → 已整改"
    )
    # the same code, two meanings: a file to the reporter, or one for staff only
    assert labels.action(_row(AuditAction.DESK_FILE, "accepted", "accepted")) == "向反映人发送文件"
    assert labels.action(_row(AuditAction.DESK_FILE, None, "internal")) == "添加内部文件"
    # statuses in the 原值/新值 columns; other values as they are
    assert labels.value(AuditAction.DESK_CLOSE, "answered") == "已答复"
    assert labels.value(AuditAction.LEDGER_RETURNED, "returned") == "已退单"
    assert labels.value(AuditAction.LEDGER_DEADLINE, "2027-04-30") == "2027-04-30"
    assert labels.value(AuditAction.MEMBER_ROLE, "closed") == "closed"  # not a status there
    assert labels.subject(AuditSubject.LEDGER_ITEM) == "台账事项"
    assert labels.subject(AuditSubject.COMPLAINT) == "投诉"
    # a code written by a later version, or a status it does not know: as it is, no error
    assert labels.action(_row("desk.teleport", "accepted", "closed")) == "desk.teleport"
    assert labels.action(_row(AuditAction.REPORT_STATUS, "accepted", "limbo")).endswith(
        "已受理 → limbo"
    )
    assert labels.subject("spaceship") == "spaceship"
    assert labels.value(AuditAction.LEDGER_STATUS, "limbo") == "limbo"


def test_a_status_change_is_not_escaped_as_html() -> None:
    labels = AuditLabels(_t("en"))
    row = _row(AuditAction.COMPLAINT_STATUS, "answered", "<closed>")
    assert labels.action(row) == "Complaint status changed: answered → <closed>"
