"""The member portal: own data only, contact details, consent, invoice PDFs."""

from datetime import date, timedelta

from sqlalchemy import select

from coop.audit import AuditEvent, AuditPersonalData
from coop.extensions import db
from coop.members.models import ConsentEvent, Membership, Person
from tests import factories
from tests.portal.helpers import create_invoice, create_member_with_account


def test_member_is_sent_from_home_to_the_portal(client, login_as):
    user, _person = create_member_with_account()
    login_as(user)

    response = client.get("/")

    assert response.status_code == 302
    assert response.location.endswith("/portal/")


def test_member_sees_own_data_memberships_invoices_and_consent(client, login_as):
    user, person = create_member_with_account(
        given_name="Anna", family_name="Jansen", phone="030 123 4567",
        street="Biltstraat 12", postcode="3572 AA", city="Utrecht",
    )
    number = db.session.scalar(
        select(Membership.member_number).where(Membership.person_id == person.id)
    )
    overdue = create_invoice(person, total_cents=2500, issue_date=date.today() - timedelta(60))
    paid = create_invoice(person, total_cents=1250, status="paid", paid_cents=1250)
    login_as(user)

    response = client.get("/portal/")

    assert response.status_code == 200
    page = response.text
    for text in ("Anna Jansen", "Biltstraat 12", "3572 AA", "Utrecht", person.email,
                 "030 123 4567", overdue.number, paid.number, "€\u00a025,00", "€\u00a012,50"):
        assert text in page
    assert f">{number}</td>" in page
    assert "overdue" in page or "achterstallig" in page
    assert f"/portal/invoices/{overdue.id}.pdf" in page
    assert "consent" in page.lower() or "toestemming" in page.lower()


def test_member_does_not_see_another_members_data(client, login_as):
    user, _person = create_member_with_account(family_name="Eigenaar")
    _other_user, other = create_member_with_account(family_name="Buurman", phone="0611111111")
    other_invoice = create_invoice(other, total_cents=9999)
    login_as(user)

    page = client.get("/portal/").text

    assert "Buurman" not in page
    assert other.email not in page
    assert other_invoice.number not in page
    assert "99,99" not in page


def test_member_downloads_own_invoice_pdf(client, login_as):
    user, person = create_member_with_account()
    invoice = create_invoice(person)
    login_as(user)

    response = client.get(f"/portal/invoices/{invoice.id}.pdf")

    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    assert "attachment" in response.headers["Content-Disposition"]
    assert invoice.number in response.headers["Content-Disposition"]


def test_another_members_invoice_pdf_is_not_found_not_forbidden(client, login_as):
    user, _person = create_member_with_account()
    _other_user, other = create_member_with_account()
    other_invoice = create_invoice(other)
    login_as(user)

    assert client.get(f"/portal/invoices/{other_invoice.id}.pdf").status_code == 404
    assert client.get(f"/portal/invoices/{other_invoice.id + 1000}.pdf").status_code == 404


def test_member_without_a_register_entry_gets_an_explanation(client, login_as):
    login_as(factories.create_user(roles=["member"]))

    response = client.get("/portal/")

    assert response.status_code == 200
    assert "not linked" in response.text or "niet gekoppeld" in response.text
    assert client.get("/portal/details").status_code == 302


def _details(person, **changes):
    data = {
        "email": person.email, "phone": person.phone or "", "street": person.street or "",
        "postcode": person.postcode or "", "city": person.city or "",
    }
    if person.consent_electronic_convocation:
        data["consent_electronic_convocation"] = "y"
    if person.consent_newsletter:
        data["consent_newsletter"] = "y"
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_contact_change_is_saved_and_audited_with_the_diff_for_the_board(client, login_as):
    user, person = create_member_with_account(street="Oudestraat 1", postcode="3581 AB")
    login_as(user)

    response = client.post("/portal/details", data=_details(
        person, street="Nieuwestraat 2", postcode="3572aa", phone="06 1234 5678",
    ))

    assert response.status_code == 302
    db.session.expire_all()
    person = db.session.get(Person, person.id)
    assert (person.street, person.postcode, person.phone) == (
        "Nieuwestraat 2", "3572 AA", "06 1234 5678")
    entry = db.session.scalar(
        select(AuditEvent).where(AuditEvent.tag == "members:person:self_update")
    )
    assert entry.actor_id == user.id
    assert entry.object_id == str(person.id)
    assert entry.details == {"fields": ["phone", "postcode", "street"]}
    changes = db.session.get(AuditPersonalData, entry.id).data["changes"]
    assert changes["street"] == ["Oudestraat 1", "Nieuwestraat 2"]
    assert changes["postcode"] == ["3581 AB", "3572 AA"]
    assert set(changes) == {"street", "postcode", "phone"}

    board = factories.create_user(roles=["board"])
    login_as(board)
    audit_page = client.get("/admin/audit?tag=members:person:self_update")
    assert audit_page.status_code == 200
    assert "members:person:self_update" in audit_page.text
    assert "Nieuwestraat 2" in audit_page.text
    assert user.email in audit_page.text


def test_bad_postcode_is_refused_at_the_field_and_nothing_is_saved(client, login_as):
    user, person = create_member_with_account(street="Oudestraat 1", postcode="3581 AB")
    login_as(user)

    response = client.post("/portal/details", data=_details(
        person, street="Nieuwestraat 2", postcode="12345", consent_newsletter="y",
    ))

    assert response.status_code == 422
    assert 'id="postcode-error"' in response.text
    assert "3581 AB" in response.text or "postcode" in response.text
    db.session.expire_all()
    person = db.session.get(Person, person.id)
    assert (person.street, person.postcode, person.consent_newsletter) == (
        "Oudestraat 1", "3581 AB", False)
    assert db.session.scalar(
        select(AuditEvent).where(AuditEvent.tag.in_(
            ["members:person:self_update", "members:person:consent"]))
    ) is None


def test_email_of_another_person_is_refused_at_the_field(client, login_as):
    user, person = create_member_with_account(street="Oudestraat 1")
    other = factories.create_person(email="bezet@example.org")
    login_as(user)

    response = client.post("/portal/details", data=_details(
        person, email="Bezet@Example.org", street="Nieuwestraat 2",
    ))

    assert response.status_code == 422
    assert 'id="email-error"' in response.text
    db.session.expire_all()
    person = db.session.get(Person, person.id)
    assert person.street == "Oudestraat 1"
    assert person.email != other.email


def test_invalid_email_and_phone_are_refused_at_their_fields(client, login_as):
    user, person = create_member_with_account()
    login_as(user)

    response = client.post("/portal/details", data=_details(
        person, email="geen-adres", phone="bel me maar",
    ))

    assert response.status_code == 422
    assert 'id="email-error"' in response.text
    assert 'id="phone-error"' in response.text


def test_consent_change_is_recorded_with_its_date_and_shown(client, login_as):
    user, person = create_member_with_account()
    login_as(user)

    response = client.post("/portal/details", data=_details(
        person, consent_electronic_convocation="y",
    ))

    assert response.status_code == 302
    db.session.expire_all()
    person = db.session.get(Person, person.id)
    assert person.consent_electronic_convocation is True
    assert person.consent_newsletter is False
    event = db.session.scalar(select(ConsentEvent).where(ConsentEvent.person_id == person.id))
    assert (event.kind, event.given) == ("electronic_convocation", True)
    assert event.at.date() == date.today()
    entry = db.session.scalar(
        select(AuditEvent).where(AuditEvent.tag == "members:person:consent")
    )
    assert entry.actor_id == user.id
    page = client.get("/portal/").text
    consent_section = page.split('id="my-consent"')[1].split("</section>")[0]
    assert str(date.today().year) in consent_section

    # Withdrawing it again adds a second event; the first stays.
    client.post("/portal/details", data=_details(person, consent_electronic_convocation=None))
    events = db.session.scalars(
        select(ConsentEvent).where(ConsentEvent.person_id == person.id).order_by(ConsentEvent.id)
    ).all()
    assert [e.given for e in events] == [True, False]


def test_name_cannot_be_changed_through_the_portal(client, login_as):
    user, person = create_member_with_account(family_name="Jansen")
    login_as(user)

    client.post("/portal/details", data={**_details(person), "family_name": "Pietersen"})

    db.session.expire_all()
    assert db.session.get(Person, person.id).family_name == "Jansen"


def test_invoice_pdf_is_rendered_and_archived_when_missing(client, login_as):
    from io import BytesIO

    from pypdf import PdfReader

    user, person = create_member_with_account(family_name="Jansen")
    invoice = create_invoice(person, total_cents=2500, pdf_bytes=None)
    login_as(user)

    response = client.get(f"/portal/invoices/{invoice.id}.pdf")

    assert response.status_code == 200
    text = "".join(page.extract_text() for page in PdfReader(BytesIO(response.data)).pages)
    assert invoice.number in text
    assert "25,00" in text
