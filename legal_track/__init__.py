"""legal-track: legal-escalation document and case tracker."""

__version__ = "0.1.0"
