"""Shared form helpers."""

from flask import flash


def show_error(form, error) -> None:
    """Put a refused change's message (`error.message`) at its field (`error.field`),
    or flash it when it names no field of this form."""
    if error.field and error.field in form:
        form[error.field].errors = [*form[error.field].errors, str(error.message)]
    else:
        flash(str(error.message), "error")
