"""The domain exception services raise; its message is safe to show to the user."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


class DomainError(Exception):
    """A business rule refused the request; ``message`` is shown to the user as it is."""

    def __init__(self, message: str, *, field: str | None = None, others: dict[str, str] | None = None) -> None:
        """``others``: more problems of the same request, field -> message, shown all at once."""
        super().__init__(message)
        self.message = str(message)
        self.field = field
        self.others = others or {}

    def problems(self) -> dict[str, str]:
        """Every problem found, field -> message ("" for the request as a whole)."""
        return self.others or {self.field or "": self.message}


class NotAllowed(DomainError):
    """The person may not do this (their role, their site, not theirs): the API answers 403."""


class Problems:
    """Every problem with one request, gathered so that the person sees them all at once::

    problems = Problems()
    title = problems.check(check_text, title, field="title", limit=200) or ""
    ...
    problems.raise_any()
    """

    def __init__(self) -> None:
        self.found: dict[str, str] = {}

    def add(self, message: str, field: str | None = None) -> None:
        self.found.setdefault(field or "", str(message))

    def check(self, check: Callable[..., T], *args: Any, **kwargs: Any) -> T | None:
        """``check(*args, **kwargs)``, or None with its refusals noted."""
        try:
            return check(*args, **kwargs)
        except NotAllowed:
            raise
        except DomainError as exc:
            for field, message in exc.problems().items():
                self.add(message, field)
            return None

    def raise_any(self) -> None:
        if self.found:
            field, message = next(iter(self.found.items()))
            raise DomainError(message, field=field or None, others=dict(self.found))


def show_on_forms(exc: DomainError, *forms: Any) -> None:
    """Put a service's refusal (and every other problem it found) next to the fields it names,
    or at the top of the first form."""
    for field, message in exc.problems().items():
        form = next((f for f in forms if field and field in f.fields), None)
        if form is not None:
            form.add_error(field, message)
        else:
            forms[0].add_error(None, message)
