"""The one way a service says no: every write function in both apps raises `Refused`.

Pages put its message beside the field it names (`form.add_error(refused.field,
refused.message)`), or at the top when it names none; the API answers it in its one
error shape (portal.api.exception_handler): 400 beside the field, or 409 when the
refusal is about the state of the thing, not an answer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.forms import BaseForm


class Refused(Exception):
    """The change cannot be made; the message says why, in words the person can act on.

    `field` names the answer at fault when there is one; a refusal without one is
    about the state of the thing being changed.
    """

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def add_to(self, form: BaseForm) -> None:
        """Beside the answer it names, or at the top of the form when the form has no such
        answer (a refusal about the state of the thing)."""
        form.add_error(self.field if self.field in form.fields else None, self.message)


class KeyReused(Refused):
    """A request's key (an Idempotency-Key, a form's submission key) already made
    something with other answers. Nothing is saved; the API answers 409."""
