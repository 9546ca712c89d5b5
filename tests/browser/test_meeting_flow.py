"""The ALV in Chromium, from convocation to closing: the secretary convenes, a member
gives a proxy in the portal, members vote online (one for herself and with the proxy),
the secretary checks a member in and records the votes in the room, closes the vote and
the result and the minutes PDF appear. Every page visited passes the accessibility check."""

from datetime import timedelta
from io import BytesIO

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from coop.extensions import db
from coop.members.models import Person
from coop.timeutil import utcnow
from tests import factories
from tests.browser.conftest import TIMEOUT_MS
from tests.browser.helpers import assert_accessible, goto, log_in

pytestmark = pytest.mark.browser


def _member(live_server, given, family, email):
    """A voting member with a portal account; returns (account, member number)."""
    with live_server.app.app_context():
        membership = factories.create_member(given_name=given, family_name=family, email=email)
        number, person_id = membership.member_number, membership.person_id
        db.session.remove()
    account = live_server.create_user(email, roles=["member"])
    with live_server.app.app_context():
        db.session.get(Person, person_id).user_id = account.id
        db.session.commit()
        db.session.remove()
    return account, number


def _new_page(browser):
    context = browser.new_context(locale="nl-NL", timezone_id="Europe/Amsterdam")
    context.set_default_timeout(TIMEOUT_MS)
    return context.new_page()


def _submit(page, locator):
    with page.expect_navigation():
        locator.click()
    assert_accessible(page)


def test_a_meeting_from_convocation_to_minutes(page, browser, live_server):
    with live_server.app.app_context():
        factories.save_organisation(name="Wijkcoöperatie Test", proxy_cap_per_holder=1,
                                    electronic_voting_allowed=True)
        meeting, (proposal,) = factories.create_meeting(
            status="draft", starts_at=utcnow() + timedelta(days=21),
            proposals=(("matter", "Nieuwe moestuin"),))
        meeting_id, proposal_id = meeting.id, proposal.id
        db.session.remove()
    anna, _ = _member(live_server, "Anna", "Geeft", "anna@example.org")
    bram, bram_number = _member(live_server, "Bram", "Houdt", "bram@example.org")
    with live_server.app.app_context():
        factories.create_voter(given_name="Cas", family_name="Zaal")
        dirk_id = factories.create_voter(given_name="Dirk", family_name="Online").id
        db.session.remove()
    secretary = live_server.create_user("secretaris@example.org", roles=["board"])

    # The secretary convenes the members.
    log_in(page, live_server, secretary)
    page.locator("nav a[href='/meetings/']").click()
    assert_accessible(page)
    page.locator("main a", has_text="Algemene ledenvergadering").click()
    assert_accessible(page)
    _submit(page, page.locator("main button", has_text="Leden oproepen"))
    assert "Opgeroepen" in page.locator(".flash-success").inner_text()

    # Anna gives Bram her proxy in the portal.
    anna_page = _new_page(browser)
    log_in(anna_page, live_server, anna)
    anna_page.locator("main a[href='/portal/meetings/']").click()
    assert_accessible(anna_page)
    anna_page.locator("main a", has_text="Algemene ledenvergadering").click()
    assert_accessible(anna_page)
    anna_page.locator("#member_number").fill(str(bram_number))
    anna_page.locator("#family_name").fill("Houdt")
    _submit(anna_page, anna_page.locator("main button", has_text="Mijn volmacht geven"))
    assert "Bram Houdt stemt voor u" in anna_page.locator(".flash-success").inner_text()

    # The chair opens the meeting; the secretary checks Cas in and opens the vote.
    goto(page, live_server(f"/meetings/{meeting_id}"))
    # It is planned three weeks ahead: opening today asks for a confirmation first.
    _submit(page, page.locator("main button", has_text="Vergadering openen"))
    assert "Toch vandaag openen?" in page.locator(".flash-error").inner_text()
    _submit(page, page.locator("main button", has_text="Ja, de vergadering vandaag openen"))
    assert "De vergadering is geopend." in page.locator(".flash-success").inner_text()
    page.locator("main a", has_text="Aanmelden en aanwezigheid").click()
    assert_accessible(page)
    page.locator("#q").fill("Zaal")
    _submit(page, page.locator("main form[role=search] button"))
    _submit(page, page.locator("main button", has_text="Aanmelden"))
    assert page.locator("[data-presence='members_present']").inner_text() == "1"
    # Someone joins online: the count on the open page follows without a reload.
    with live_server.app.app_context():
        from coop.meetings import services as meetings
        from coop.meetings.models import GeneralMeeting

        meetings.check_in(db.session.get(GeneralMeeting, meeting_id),
                          db.session.get(Person, dirk_id), "online")
        db.session.commit()
        db.session.remove()
    expect(page.locator("[data-presence='members_present']")).to_have_text("2", timeout=15_000)
    expect(page.locator("[data-presence='online']")).to_have_text("1")
    goto(page, live_server(f"/meetings/proposals/{proposal_id}"))
    _submit(page, page.locator("main button", has_text="Stemming openen"))

    # Bram votes online, for himself and with Anna's proxy.
    bram_page = _new_page(browser)
    log_in(bram_page, live_server, bram)
    goto(bram_page, live_server(f"/portal/meetings/{meeting_id}"))
    forms = bram_page.locator("main form", has=bram_page.locator("input[name=choice]"))
    assert forms.count() == 2
    forms.nth(0).get_by_label("Voor").check()
    _submit(bram_page, forms.nth(0).locator("button"))
    assert "Uw stem over" in bram_page.locator(".flash-success").inner_text()
    forms = bram_page.locator("main form", has=bram_page.locator("input[name=choice]"))
    forms.nth(0).get_by_label("Tegen").check()
    _submit(bram_page, forms.nth(0).locator("button"))
    assert "Uw stem voor Anna Geeft" in bram_page.locator(".flash-success").inner_text()
    assert "U hebt voor Anna Geeft gestemd" in bram_page.locator("main").inner_text()

    # The secretary records the room's votes, closes the vote and sees the result.
    goto(page, live_server(f"/meetings/proposals/{proposal_id}"))
    assert "2 leden hebben online gestemd" in page.locator("main").inner_text()
    assert "Nog mogelijke stemmen in de zaal: 1" in page.locator("main").inner_text()
    page.locator("#tally-method").select_option("hands")
    page.locator("#tally-votes_for").fill("1")
    _submit(page, page.locator("main button", has_text="Stemmen in de zaal vastleggen"))
    _submit(page, page.locator("main button", has_text="Stemming sluiten"))
    main = page.locator("main").inner_text()
    assert "Uitslag: aangenomen" in main
    assert "Bram Houdt voor Anna Geeft" in main
    result = page.locator("#result + dl").inner_text()
    assert "Voor\n2" in result and "Tegen\n1" in result

    goto(page, live_server(f"/meetings/{meeting_id}"))
    _submit(page, page.locator("main button", has_text="Vergadering sluiten"))
    pdf_url = page.locator("main a", has_text="Notulen (PDF)").get_attribute("href")
    response = page.request.get(live_server(pdf_url))
    assert response.status == 200
    text = "\n".join(p.extract_text() for p in PdfReader(BytesIO(response.body())).pages)
    assert "Nieuwe moestuin" in text
    assert "Voor 2, tegen 1" in text

    goto(page, live_server("/meetings/decisions"))
    assert "Nieuwe moestuin: aangenomen" in page.locator("main").inner_text()
