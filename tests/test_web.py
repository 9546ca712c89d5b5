"""The request commits once (coop/web.py): a refusal is rolled back and shown at its
field; a successful request commits, then sends the mail queued on that commit."""

from flask import Response, get_flashed_messages
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from wtforms import StringField

from coop.errors import ServiceError
from coop.extensions import db
from coop.mail import send_after_commit
from coop.members import services as members
from coop.members.models import Person
from coop.web import commit_request, refusal


class NameForm(FlaskForm):
    class Meta:
        csrf = False

    name = StringField()


def _people() -> int:
    return db.session.scalar(select(func.count()).select_from(Person))


def test_a_refusal_is_rolled_back_and_shown_at_its_field(app):
    with app.test_request_context(method="POST", data={"name": "x"}):
        form = NameForm()
        with refusal(form) as refused:
            members.create_person({"given_name": "Ada", "family_name": "Refused"})
            raise ServiceError("Not like this.", "name")
        assert refused
        assert form.name.errors == ["Not like this."]
        assert _people() == 0


def test_a_refusal_for_no_field_of_the_form_is_flashed_and_fields_rename(app):
    with app.test_request_context(method="POST"):
        form = NameForm()
        with refusal(form) as refused:
            raise ServiceError("Elsewhere.", "holder_id")
        assert refused.error.field == "holder_id"
        with refusal(form, fields={"holder_id": "name"}) as renamed:
            raise ServiceError("Here.", "holder_id")
        assert renamed
        assert form.name.errors == ["Here."]
        assert get_flashed_messages(with_categories=True) == [("error", "Elsewhere.")]


def test_no_refusal_leaves_the_change_for_the_request_to_commit(app):
    with app.test_request_context(method="POST"):
        with refusal() as refused:
            members.create_person({"given_name": "Ada", "family_name": "Kept"})
        assert not refused
        commit_request(Response(status=302))
        db.session.rollback()  # nothing left to undo: it is committed
        assert _people() == 1


def test_a_refused_request_is_not_committed(app):
    with app.test_request_context(method="POST"):
        members.create_person({"given_name": "Ada", "family_name": "Unsaved"})
        commit_request(Response(status=422))
        db.session.rollback()
        assert _people() == 0


def test_mail_queued_in_the_request_leaves_after_its_commit(app, outbox):
    with app.test_request_context(method="POST"):
        send_after_commit("ada@example.org", "Hello", "donation_thanks", locale="nl",
                          name="Ada", amount_cents=1000, organisation_name="Coop",
                          monthly=False, stop_url=None, anbi=False)
        assert outbox() == []
        commit_request(Response(status=302))
        assert [mail.recipient for mail in outbox()] == ["ada@example.org"]
