"""The domain exception services raise; its message is safe to show to the user."""


class DomainError(Exception):
    """A business rule refused the request; ``message`` is shown to the user as it is."""

    def __init__(self, message: str, *, field: str | None = None, others: dict[str, str] | None = None) -> None:
        """``others``: more problems of the same request, field -> message, shown all at once."""
        super().__init__(message)
        self.message = str(message)
        self.field = field
        self.others = others or {}


class NotAllowed(DomainError):
    """The person may not do this (their role, their site, not theirs): the API answers 403."""
