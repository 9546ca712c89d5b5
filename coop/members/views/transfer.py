"""CSV import (with a preview) and CSV/XLSX exports of the member register.

The import is two requests. The upload is checked and shown as a preview; nothing is
written. The file waits on the server under a random token kept in the session, and
the confirmation reads it from there, checks it again from scratch (the register may
have changed in between) and writes every row or none.
"""

import hmac
from datetime import date
from typing import Any

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    session,
    stream_with_context,
    url_for,
)
from flask_babel import format_date, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from sqlalchemy import select
from werkzeug.utils import secure_filename
from wtforms import DateField, HiddenField, SubmitField
from wtforms.validators import Optional

from coop import audit, timeutil
from coop.args import int_arg
from coop.charts import Chart, Series, line_chart
from coop.extensions import db
from coop.members import exporting, importing, services
from coop.members.models import MembershipStatus, MembershipType
from coop.members.services import STATUS_LABELS, RegisterFilters
from coop.pagination import CountedPage
from coop.permissions import Permission, require

bp = Blueprint("member_transfer", __name__, url_prefix="/members/transfer")

SESSION_KEY = "member_import"
AS_OF_PAGE_SIZE = 100
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ImportUploadForm(FlaskForm):
    file = FileField(
        _l("CSV file"),
        description=_l("UTF-8, cells separated by ';' or ','; the first line names the "
                       "columns."),
        validators=[
            FileRequired(message=_l("Choose a CSV file.")),
            FileAllowed(["csv", "txt"], _l("Only a CSV file (.csv or .txt) can be imported.")),
        ],
    )


class ImportConfirmForm(FlaskForm):
    token = HiddenField()
    import_all = SubmitField(_l("Import all rows"))
    import_valid = SubmitField(_l("Import only the valid rows"))


class CancelForm(FlaskForm):
    pass


class AsOfForm(FlaskForm):
    class Meta:
        csrf = False  # a GET form that only reads

    day = DateField(_l("Members on"), validators=[Optional()])


# The import -------------------------------------------------------------------------


def _limits() -> tuple[int, int]:
    config = current_app.config
    return (
        config.get("MEMBER_IMPORT_MAX_BYTES", importing.DEFAULT_MAX_BYTES),
        config.get("MEMBER_IMPORT_MAX_ROWS", importing.DEFAULT_MAX_ROWS),
    )


def upload_store() -> importing.UploadStore:
    return importing.UploadStore(current_app.config["MEMBER_IMPORT_DIR"])


def _upload_page(form, status: int = 200):
    max_bytes, max_rows = _limits()
    types = db.session.scalars(
        select(MembershipType).where(MembershipType.is_active.is_(True))
        .order_by(MembershipType.code)
    ).all()
    return render_template(
        "members/transfer/import.html", form=form, columns=importing.COLUMNS, types=types,
        max_megabytes=max_bytes / (1024 * 1024), max_rows=max_rows,
    ), status


def _preview_page(checked: importing.CheckedFile, filename: str, token: str, status: int = 200):
    form = ImportConfirmForm(formdata=None, token=token)
    return render_template(
        "members/transfer/preview.html", checked=checked, filename=filename, form=form,
        cancel_form=CancelForm(formdata=None), columns=importing.COLUMNS_BY_KEY,
    ), status


@bp.get("/import")
@require(Permission.MEMBERS_WRITE)
def import_form():
    return _upload_page(ImportUploadForm(formdata=None))


@bp.post("/import")
@require(Permission.MEMBERS_WRITE)
def import_preview():
    """Check the upload and show every row's problems. Writes nothing to the register."""
    max_bytes, max_rows = _limits()
    # Above this the request is refused outright (413); below it, a message at the field.
    request.max_content_length = max_bytes * 4 + 64 * 1024
    form = ImportUploadForm()
    if not form.validate_on_submit():
        return _upload_page(form, 422)
    data = form.file.data.read(max_bytes + 1)
    try:
        if len(data) > max_bytes:
            raise importing.ImportFileError(
                _l("The file is larger than %(size)s MB; split it into smaller files.",
                   size=f"{max_bytes / (1024 * 1024):g}")
            )
        parsed = importing.read_csv(data, max_rows)
    except importing.ImportFileError as error:
        form.file.errors = [*form.file.errors, str(error.message)]
        return _upload_page(form, 422)
    checked = importing.check_rows(parsed)
    db.session.rollback()  # the check only read; end its transaction

    store = upload_store()
    previous = session.pop(SESSION_KEY, None)
    if previous:
        store.discard(previous.get("token", ""))
    filename = secure_filename(form.file.data.filename or "") or "import.csv"
    token = store.put(data)
    session[SESSION_KEY] = {"token": token, "filename": filename}
    return _preview_page(checked, filename, token)


def _stale_preview():
    flash(_("This preview is no longer current: upload the file again."), "error")
    return redirect(url_for("member_transfer.import_form"))


@bp.post("/import/confirm")
@require(Permission.MEMBERS_WRITE)
def import_confirm():
    """Check the stored file again and write all rows, or explicitly only the valid ones,
    in one transaction: a failure on any row leaves the register as it was."""
    form = ImportConfirmForm()
    pending = session.get(SESSION_KEY)
    if (
        not form.validate_on_submit()
        or not pending
        or not hmac.compare_digest(str(form.token.data or ""), str(pending.get("token", "")))
    ):
        return _stale_preview()
    token, filename = pending["token"], pending.get("filename", "")
    store = upload_store()
    try:
        parsed = importing.read_csv(store.get(token), _limits()[1])
    except (KeyError, importing.ImportFileError):
        session.pop(SESSION_KEY, None)
        return _stale_preview()
    checked = importing.check_rows(parsed)
    only_valid = bool(form.import_valid.data) and not form.import_all.data

    try:
        result = importing.import_rows(checked, only_valid, filename=filename)
    except importing.ImportRefused as error:
        db.session.rollback()
        flash(str(error.message), "error")
        return _preview_page(checked, filename, token, 422)
    except importing.ImportRowFailed as error:
        db.session.rollback()
        audit.record("members:import:failed", {
            "file": filename, "line": error.line, "reason": str(error.message),
            "mode": "valid" if only_valid else "all",
        })
        db.session.commit()  # the refused import is audited; the 422 below is not committed
        flash(_("Nothing was imported: line %(line)d failed: %(reason)s",
                line=error.line, reason=error.message), "error")
        return _preview_page(importing.check_rows(parsed), filename, token, 422)
    store.discard(token)
    session.pop(SESSION_KEY, None)
    flash(_("Import done. Persons added: %(persons)d; memberships started: %(memberships)d; "
            "rows skipped: %(skipped)d.", persons=result.persons,
            memberships=result.memberships, skipped=result.skipped), "success")
    return redirect(_register_url())


@bp.post("/import/cancel")
@require(Permission.MEMBERS_WRITE)
def import_cancel():
    if CancelForm().validate_on_submit():
        pending = session.pop(SESSION_KEY, None)
        if pending:
            upload_store().discard(pending.get("token", ""))
        flash(_("The import was cancelled; nothing was imported."), "info")
    return redirect(url_for("member_transfer.import_form"))


def _register_url() -> str:
    if "members.index" in current_app.view_functions:
        return url_for("members.index")
    return url_for("member_transfer.import_form")


# The register export ----------------------------------------------------------------


def _language() -> str:
    return "nl" if str(get_locale()) == "nl" else "en"


def _filters_for_audit(filters: RegisterFilters) -> dict[str, Any]:
    defaults = RegisterFilters()
    return {
        name: getattr(filters, name)
        for name in ("q", "type_id", "status", "vote", "dues_open")
        if getattr(filters, name) != getattr(defaults, name)
    }


def _audit_export(file_format: str, scope: str, query, **details) -> None:
    """Personal data leaves the app: record who took what, committed before sending."""
    audit.record("members:export", {
        "format": file_format, "scope": scope, "rows": exporting.count_rows(query), **details,
    })
    db.session.commit()


def _csv_response(filename: str, query) -> Response:
    language = _language()
    chunks = exporting.csv_chunks(
        exporting.headers(language), exporting.rows_of(query, language)
    )
    return Response(
        stream_with_context(chunks),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )


def _xlsx_response(filename: str, title: str, query) -> Response:
    language = _language()
    output = exporting.xlsx_file(
        title, exporting.headers(language), exporting.rows_of(query, language)
    )
    response = send_file(
        output, mimetype=XLSX_MIMETYPE, as_attachment=True, download_name=filename
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/export.csv")
@require(Permission.MEMBERS_READ)
def export_csv():
    filters = RegisterFilters.from_args(request.args)
    query = services.register_query(filters)
    _audit_export("csv", "register", query, filters=_filters_for_audit(filters))
    return _csv_response(f"ledenregister-{date.today():%Y-%m-%d}.csv", query)


@bp.get("/export.xlsx")
@require(Permission.MEMBERS_READ)
def export_xlsx():
    filters = RegisterFilters.from_args(request.args)
    query = services.register_query(filters)
    _audit_export("xlsx", "register", query, filters=_filters_for_audit(filters))
    return _xlsx_response(
        f"ledenregister-{date.today():%Y-%m-%d}.xlsx", _("Member register"), query
    )


# The register on a date ---------------------------------------------------------------


def _as_of_day() -> tuple[AsOfForm, date | None]:
    """The date asked for (default: 1 January of this year), or None when unreadable."""
    form = AsOfForm(request.args)
    if "day" not in request.args:
        form.day.data = date(date.today().year, 1, 1)
        return form, form.day.data
    if not form.validate() or form.day.data is None:
        form.day.errors = [_("Enter a date like 2026-01-31.")]
        return form, None
    return form, form.day.data


def members_over_time_chart(today: date) -> Chart:
    """Members on the first day of each month, the last twelve months and this one."""
    year, month = today.year, today.month
    days = []
    for _step in range(13):
        days.append(date(year, month, 1))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    days.reverse()
    return line_chart(
        _("Members over time"),
        _("Number of members on the first day of each month, from %(first)s to %(last)s.",
          first=format_date(days[0], "LLLL y"), last=format_date(days[-1], "LLLL y")),
        days, [Series(_("Members"), services.member_counts(days))], unit="count",
        period_label=_("On the first of"),
    )


@bp.get("/as-of")
@require(Permission.MEMBERS_READ)
def as_of():
    form, day = _as_of_day()
    if day is None:
        return render_template("members/transfer/as_of.html", form=form, day=None,
                               chart=members_over_time_chart(timeutil.local_today())), 422
    query = exporting.as_of_query(day)
    total = exporting.count_rows(query)
    page_number = int_arg("page", 1)
    rows = db.session.execute(
        query.offset((page_number - 1) * AS_OF_PAGE_SIZE).limit(AS_OF_PAGE_SIZE)
    ).all()
    page = CountedPage(rows, page_number, AS_OF_PAGE_SIZE, total)
    return render_template(
        "members/transfer/as_of.html", form=form, day=day, page=page,
        status_labels=STATUS_LABELS, MembershipStatus=MembershipStatus,
        chart=members_over_time_chart(timeutil.local_today()),
    )


def _as_of_export(file_format: str):
    form, day = _as_of_day()
    if day is None:
        flash(form.day.errors[0], "error")
        return redirect(url_for("member_transfer.as_of"))
    query = exporting.as_of_query(day)
    _audit_export(file_format, "as_of", query, day=day.isoformat())
    filename = f"leden-op-{day:%Y-%m-%d}.{file_format}"
    if file_format == "csv":
        return _csv_response(filename, query)
    return _xlsx_response(
        filename, _("Members on %(day)s", day=day.strftime("%d-%m-%Y")), query
    )


@bp.get("/as-of.csv")
@require(Permission.MEMBERS_READ)
def as_of_csv():
    return _as_of_export("csv")


@bp.get("/as-of.xlsx")
@require(Permission.MEMBERS_READ)
def as_of_xlsx():
    return _as_of_export("xlsx")

