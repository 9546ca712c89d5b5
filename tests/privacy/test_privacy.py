"""Retention: former members past the term are anonymised; the books keep their records."""

from datetime import date

from sqlalchemy import select

from coop.accounts.models import LoginAttempt, User
from coop.audit import AuditEvent
from coop.dues.models import Invoice, InvoiceLine, Payment
from coop.extensions import db
from coop.members import services as members
from coop.members.models import ConsentEvent, Membership, MembershipStatusChange, Person
from coop.privacy import services as privacy
from coop.settings.services import get_organisation
from tests import factories
from tests.portal.helpers import create_invoice, create_member_with_account

TODAY = date(2026, 6, 1)


def _former_member(left_on: date, **person_values) -> Person:
    membership = factories.create_member(start_date=date(1995, 1, 1), **person_values)
    members.change_status(membership, "ended", left_on, "opgezegd")
    db.session.commit()
    return db.session.get(Person, membership.person_id)


def _set_retention(years: int) -> None:
    organisation = get_organisation()
    organisation.retention_years = years
    db.session.add(organisation)
    db.session.commit()


def test_only_former_members_past_the_retention_term_are_selected(app):
    _set_retention(2)
    past = _former_member(date(2024, 5, 31))  # + 2 years = 2026-05-31, before today
    on_the_day = _former_member(date(2024, 6, 1))  # + 2 years = today: not before today
    recent = _former_member(date(2025, 1, 1))
    current = factories.create_member(start_date=date(2010, 1, 1))
    never_member = factories.create_person()
    # Left long ago but rejoined: a current member, never anonymised.
    rejoined = _former_member(date(2018, 1, 1))
    members.add_membership(rejoined, factories.create_membership_type(), date(2025, 1, 1))
    db.session.commit()

    selected = {p.id for p in privacy.persons_past_retention(TODAY)}

    assert selected == {past.id}
    for kept in (on_the_day, recent, never_member, rejoined):
        assert kept.id not in selected
    assert current.person_id not in selected


def test_the_retention_term_comes_from_the_organisation_settings(app):
    left = _former_member(date(2025, 1, 1))
    assert privacy.persons_past_retention(TODAY) == []  # default: 2 years

    _set_retention(1)

    assert [p.id for p in privacy.persons_past_retention(TODAY)] == [left.id]


def test_anonymise_clears_personal_fields_and_keeps_the_books(app):
    person = _former_member(
        date(2020, 12, 31), given_name="Anna", name_prefix="van der", family_name="Berg",
        email="anna@example.org", phone="0612345678", date_of_birth=date(1970, 3, 4),
    )
    members.set_consent(person, "newsletter", True)
    invoice = create_invoice(person, total_cents=2500, paid_cents=2500, status="paid")
    board = factories.create_user(roles=["board"])

    privacy.anonymise(person, actor=board)
    db.session.commit()

    db.session.expire_all()
    person = db.session.get(Person, person.id)
    assert person.family_name == "Geanonimiseerd"
    assert person.sort_name == "geanonimiseerd"
    for field in privacy.CLEARED_FIELDS:
        assert getattr(person, field) is None, field
    assert person.anonymised_at is not None
    assert person.consent_newsletter is False
    # The books keep everything they need.
    assert db.session.scalar(select(Membership).where(Membership.person_id == person.id))
    assert db.session.scalar(select(MembershipStatusChange))
    kept = db.session.get(Invoice, invoice.id)
    assert kept.person_id == person.id and kept.total_cents == 2500
    assert kept.addressee_name == "Anna van der Berg"  # the issued invoice's snapshot
    assert db.session.scalar(select(InvoiceLine).where(InvoiceLine.invoice_id == invoice.id))
    assert db.session.scalar(select(Payment).where(Payment.invoice_id == invoice.id))
    assert db.session.scalar(select(ConsentEvent).where(ConsentEvent.person_id == person.id))


def test_anonymise_audit_entry_does_not_hold_the_personal_data(app):
    person = _former_member(date(2020, 12, 31), given_name="Anna", family_name="Berg",
                            email="anna@example.org")

    privacy.anonymise(person)
    db.session.commit()

    entry = db.session.scalar(
        select(AuditEvent).where(AuditEvent.tag == "members:person:anonymise")
    )
    assert entry.object_id == str(person.id)
    text = str(entry.details)
    assert "Anna" not in text and "Berg" not in text and "anna@example.org" not in text
    assert entry.details["member_numbers"]


def test_anonymise_unlinks_and_deactivates_the_account(app, client):
    user, person = create_member_with_account(email="lid@example.org", start_date=date(2015, 1, 1))
    db.session.add(LoginAttempt(email="lid@example.org", ip_address="1.2.3.4", succeeded=True))
    membership = db.session.scalar(select(Membership).where(Membership.person_id == person.id))
    members.change_status(membership, "ended", date(2020, 12, 31), "verhuisd")
    db.session.commit()

    privacy.anonymise(person)
    db.session.commit()

    db.session.expire_all()
    assert db.session.get(Person, person.id).user_id is None
    account = db.session.get(User, user.id)
    assert account.is_active_account is False
    assert account.email != "lid@example.org" and account.password_hash is None
    assert account.roles == set()
    assert db.session.scalar(select(LoginAttempt).where(LoginAttempt.email == "lid@example.org")) \
        is None
    response = client.post("/login", data={"email": "lid@example.org",
                                           "password": factories.DEFAULT_PASSWORD})
    assert response.status_code != 302


def test_a_former_member_still_on_the_board_is_kept(app):
    person = _former_member(date(2020, 12, 31))
    board = factories.create_user(person.email, roles=["board", "member"])
    person.user_id = board.id
    db.session.commit()

    assert privacy.persons_past_retention(TODAY) == []


def test_anonymised_person_is_not_selected_again(app):
    person = _former_member(date(2020, 12, 31))
    privacy.anonymise(person)
    db.session.commit()

    assert privacy.persons_past_retention(TODAY) == []


def _run(app, *args):
    return app.test_cli_runner().invoke(args=["coop", "anonymise-former-members", *args])


def test_dry_run_lists_who_would_be_anonymised_and_changes_nothing(app):
    past = _former_member(date(2000, 1, 1), given_name="Oud", family_name="Lid")
    current = factories.create_member(given_name="Huidig", family_name="Lid")

    result = _run(app, "--dry-run")

    assert result.exit_code == 0, result.output
    assert f"person {past.id}" in result.output and "Oud Lid" in result.output
    assert "Huidig" not in result.output
    db.session.expire_all()
    assert db.session.get(Person, past.id).anonymised_at is None
    assert db.session.get(Person, past.id).given_name == "Oud"
    assert db.session.scalar(
        select(AuditEvent).where(AuditEvent.tag == "members:person:anonymise")) is None
    assert current.status == "active"


def test_command_anonymises_former_members_and_never_a_current_member(app):
    past = _former_member(date(2000, 1, 1), given_name="Oud", family_name="Lid")
    current = factories.create_member(given_name="Huidig", family_name="Lid",
                                      start_date=date(2000, 1, 1))

    result = _run(app)

    assert result.exit_code == 0, result.output
    assert f"anonymised person {past.id}" in result.output
    assert "Oud" not in result.output  # the real run's output may end up in logs
    assert "1 person(s) anonymised" in result.output
    db.session.expire_all()
    assert db.session.get(Person, past.id).family_name == "Geanonimiseerd"
    kept = db.session.get(Person, current.person_id)
    assert (kept.given_name, kept.anonymised_at) == ("Huidig", None)
    entry = db.session.scalar(
        select(AuditEvent).where(AuditEvent.tag == "members:person:anonymise"))
    assert entry.actor_label == "system"


def test_anonymise_erases_the_personal_values_in_the_audit_log_and_reminder_log(
        app, client, login_as):
    from coop.audit import AuditPersonalData
    from coop.dues.models import ReminderLog

    user, person = create_member_with_account(
        given_name="Greet", family_name="Oudeman", email="greet@example.org",
        street="Lindenlaan 4", start_date=date(2015, 1, 1),
    )
    members.update_person(person, {"street": "Eikenlaan 9"}, actor=user,
                          tag="members:person:self_update")
    invoice = create_invoice(person)
    db.session.add(ReminderLog(invoice_id=invoice.id, level=1, recipient="greet@example.org"))
    members.change_status(
        db.session.scalars(select(Membership).where(Membership.person_id == person.id)).one(),
        "ended", date(2020, 1, 1), "opgezegd",
    )
    other = factories.create_person(given_name="Blijft", family_name="Bewaard")
    db.session.commit()
    board = factories.create_user("bestuur@example.org", roles=["board"])
    login_as(board)
    assert "Lindenlaan" in client.get("/admin/audit").text  # the board saw the change

    privacy.anonymise(person)
    db.session.commit()

    log = client.get("/admin/audit").text
    for personal in ("Greet", "Oudeman", "greet@example.org", "Lindenlaan", "Eikenlaan"):
        assert personal not in log
    assert "members:person:self_update" in log  # the entry itself stays
    assert "Blijft Bewaard" in log  # someone else's data is not touched
    db.session.expire_all()
    remaining = db.session.scalars(select(AuditPersonalData)).all()
    assert {(r.person_id, r.user_id) for r in remaining} == {(other.id, None), (None, board.id)}
    assert db.session.scalars(select(ReminderLog.recipient)).all() == [None]
    events = db.session.scalars(select(AuditEvent)).all()
    assert not any("greet" in repr(e.details).lower() or "greet" in e.actor_label.lower()
                   for e in events)
