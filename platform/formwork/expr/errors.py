"""The two ways an expression goes wrong: in its definition, or while it runs."""

from __future__ import annotations


class ExpressionError(ValueError):
    """The expression is wrong as written (syntax, unknown name, type error).

    Raised when a definition is validated, so that the author fixes it before
    anyone uses it. The message is complete without a location; the caller adds
    the file and line. `line` and `column` (1-based, None when unknown) point
    inside the expression's source.
    """

    def __init__(self, message: str, source: str = "", offset: int | None = None) -> None:
        super().__init__(message)
        self.message, self.source = message, source
        self.line = self.column = None
        if offset is not None:
            before = source[:offset]
            self.line = before.count("\n") + 1
            self.column = offset - (before.rfind("\n") + 1) + 1


class ExpressionFailed(Exception):
    """A valid expression could not give a result for this record (an empty field, division by zero…).

    `reason` is short and meant for the user ("close_date is empty"): a text of check_texts.py filled in (`i18n.say`),
    shown in the reader's language with `i18n.localized`, or CEL's own detail as it came; `str()` is English and adds
    the expression. The failure has already been logged, with the
    caller's `where` label, when this is raised.
    """

    def __init__(self, reason: str, source: str, where: str = "") -> None:
        super().__init__(f"Cannot evaluate `{source}`: {reason}.")
        self.reason, self.source, self.where = reason, source, where
