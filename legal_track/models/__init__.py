"""All SQLModel tables. Importing this package registers every table on the metadata."""

from legal_track.models.case import Case, CaseEvent, CaseLoan
from legal_track.models.deadline import Deadline, DeadlineStatus, Severity
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
)
from legal_track.models.party import Borrower, Creditor, LenderType
from legal_track.models.user import AuditEntry, Role, User

__all__ = [
    "AuditEntry",
    "Borrower",
    "Case",
    "CaseEvent",
    "CaseLoan",
    "Deadline",
    "DeadlineStatus",
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
