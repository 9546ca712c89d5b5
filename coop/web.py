"""The request commits once.

A view calls services (which add and flush, never commit) inside `refusal()`; the app
factory registers `commit_request()`, which commits a request that succeeded (status
below 400; any other is rolled back when its session is removed) and then sends the
mails queued on that commit (`coop.mail.send_after_commit`): mail only ever leaves after
its change is stored.

    form = InitiativeForm()
    if form.validate():
        with refusal(form) as refused:
            initiative = services.create_initiative(values)
        if not refused:
            flash(_("Initiative saved."), "success")
            return redirect(...)
    return render_template(...), 422

A refused change (`coop.errors.ServiceError`) is rolled back at once, so the page that
shows the refusal reads the rows as they were; its message goes to its field of `form`
(or is flashed: no form, or a field the form does not have). Code that must commit on
its own (the Mollie webhook, which answers Mollie by its commit; CLI commands; the demo
loader) says why where it does.
"""

from collections.abc import Callable, Mapping

from flask import Flask, Response, flash

from coop.errors import ServiceError
from coop.extensions import db
from coop.forms import show_error
from coop.mail import send_queued


class refusal:  # lower case: it reads as a statement, `with refusal(form) as refused:`
    """Run a change; on a `ServiceError` roll back, show its message and go on.

    The context manager is true once a refusal was caught; `error` holds it. `fields`
    renames the service's field names to the form's: a dict, or a function of the
    service's field name (None: flashed). `show`, when given, shows the refusal instead
    (a form whose messages go elsewhere than one field)."""

    def __init__(self, form=None, fields: Mapping[str | None, str | None]
                 | Callable[[str | None], str | None] | None = None,
                 show: Callable[[ServiceError], None] | None = None):
        self.form = form
        self.fields = fields
        self.show = show
        self.error: ServiceError | None = None

    def __bool__(self) -> bool:
        return self.error is not None

    def __enter__(self) -> "refusal":
        return self

    def __exit__(self, exc_type, error, traceback) -> bool:
        if error is None or not isinstance(error, ServiceError):
            return False
        db.session.rollback()
        self.error = error
        if callable(self.fields):
            error.field = self.fields(error.field)
        elif self.fields:
            error.field = self.fields.get(error.field, error.field)
        if self.show is not None:
            self.show(error)
        elif self.form is None:
            flash(str(error.message), "error")
        else:
            show_error(self.form, error)
        return True


def commit_request(response: Response) -> Response:
    """`after_request` hook: commit a successful request (status below 400), then send
    the mails the commit released. Any other request is not committed: the session's
    removal when the app context ends rolls it back."""
    if response.status_code < 400 and db.session.registry.has():
        db.session.commit()
        send_queued()
    return response


def register(app: Flask) -> None:
    app.after_request(commit_request)
