"""The domain exception services raise; its message is safe to show to the user."""


class DomainError(Exception):
    """A business rule refused the request; ``message`` is shown to the user as it is."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = str(message)
        self.field = field
