class ConflictError(Exception):
    """The request is valid but the record's state forbids it now (a closed client, a stale
    edit). The API answers 409; a page shows the message."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class RateLimitedError(Exception):
    """Too many requests of a kind by one user in a while (a lookup that could be walked). The
    API answers 429; a page shows the message."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
