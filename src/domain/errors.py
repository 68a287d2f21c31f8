"""Domain errors. Each carries the ids it concerns and never a personal value.

    DomainError
     ├── NotFoundError          an id that names nothing (HTTP 404)
     ├── ConflictError          the command contradicts the current state (HTTP 409)
     │    └── SubmissionMismatchError  a client id reused for a different submission
     └── RuleViolationError     the command breaks a domain rule for valid input (HTTP 422)

``field`` names the input at fault where there is one, so the API can point at it.
"""

from __future__ import annotations


class DomainError(Exception):
    """Base of every error the domain raises on purpose."""

    code = "domain-error"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class NotFoundError(DomainError):
    code = "not-found"


class ConflictError(DomainError):
    code = "conflict"


class SubmissionMismatchError(ConflictError):
    code = "submission-mismatch"


class RuleViolationError(DomainError):
    code = "rule-violation"
