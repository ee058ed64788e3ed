"""All SQLModel tables. Importing this package registers every table on the metadata."""

from legal_track.models.analytics import CaseCost, CaseRecovery, StageVisit
from legal_track.models.approval import ApprovalRequest
from legal_track.models.calendar import CalendarDay, CalendarYear
from legal_track.models.case import Case, CaseEvent, CaseLoan
from legal_track.models.counsel import CaseAssignment, CounselAccount, LawFirm, Lawyer
from legal_track.models.deadline import (
    Deadline,
    DeadlineCase,
    DeadlineNotice,
    DeadlineStatus,
    DeadlineText,
    NoticeKind,
    Severity,
    text_key,
)
from legal_track.models.document import DocumentTemplate, GeneratedDocument
from legal_track.models.escalation import Decision, EscalationDecision
from legal_track.models.evidence import (
    CustodyAction,
    CustodyEntry,
    EvidenceCategory,
    EvidenceItem,
    EvidenceKind,
    EvidenceLink,
    GeneratedFile,
)
from legal_track.models.limitation import LimitationClock
from legal_track.models.loan import (
    Channel,
    ContactLog,
    DeliveryStatus,
    Direction,
    LedgerEntry,
    LedgerKind,
    Loan,
    LoanParty,
    LoanStatus,
    PartyRole,
    RepaymentPlan,
)
from legal_track.models.party import Borrower, Creditor, LenderType
from legal_track.models.privacy import ContactMark, ThirdPartyConsent
from legal_track.models.reminder import (
    CalendarSequence,
    ReminderKind,
    ReminderLog,
    ReminderPreference,
    ReminderStatus,
    SchedulerLease,
)
from legal_track.models.settlement import (
    Settlement,
    SettlementInstalment,
    SettlementKind,
    SettlementStatus,
)
from legal_track.models.user import AuditChain, AuditEntry, LoginAttempt, Role, User

__all__ = [
    "CaseCost",
    "ContactMark",
    "ThirdPartyConsent",
    "Settlement",
    "SettlementInstalment",
    "SettlementKind",
    "SettlementStatus",
    "CaseRecovery",
    "StageVisit",
    "ApprovalRequest",
    "AuditChain",
    "LoginAttempt",
    "CaseAssignment",
    "CounselAccount",
    "LawFirm",
    "Lawyer",
    "Decision",
    "EscalationDecision",
    "RepaymentPlan",
    "DeadlineText",
    "text_key",
    "DocumentTemplate",
    "GeneratedDocument",
    "CalendarSequence",
    "ReminderKind",
    "ReminderLog",
    "ReminderPreference",
    "ReminderStatus",
    "SchedulerLease",
    "LimitationClock",
    "CustodyAction",
    "CustodyEntry",
    "EvidenceCategory",
    "EvidenceItem",
    "EvidenceKind",
    "EvidenceLink",
    "GeneratedFile",
    "AuditEntry",
    "Borrower",
    "CalendarDay",
    "CalendarYear",
    "Case",
    "CaseEvent",
    "CaseLoan",
    "Deadline",
    "DeadlineCase",
    "DeadlineNotice",
    "DeadlineStatus",
    "NoticeKind",
    "Channel",
    "ContactLog",
    "Creditor",
    "DeliveryStatus",
    "Direction",
    "LedgerEntry",
    "LedgerKind",
    "LenderType",
    "Loan",
    "LoanParty",
    "LoanStatus",
    "PartyRole",
    "Role",
    "Severity",
    "User",
]
