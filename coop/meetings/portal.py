"""The ALV in the member portal: the agenda and its documents, giving or withdrawing a
proxy, attending online and voting (for oneself and for the members whose proxy one
holds). Every page starts from the logged-in account's own Person."""

import io

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from coop.accounts.forms import ConfirmForm
from coop.extensions import db
from coop.forms import row_id, show_error
from coop.meetings import services
from coop.meetings.forms import MemberRefForm
from coop.meetings.models import (
    AgendaDocument,
    AgendaItem,
    AttendanceMode,
    GeneralMeeting,
    MeetingStatus,
    Proposal,
    ProxySource,
    VoteParticipation,
)
from coop.meetings.services import MeetingError
from coop.meetings.views import labels
from coop.members.models import Membership, Person
from coop.permissions import Permission, require
from coop.portal.services import person_for_user
from coop.timeutil import utcnow

bp = Blueprint("member_meetings", __name__, url_prefix="/portal/meetings")

VISIBLE = (MeetingStatus.CONVENED, MeetingStatus.OPEN, MeetingStatus.CLOSED)


def _own_person() -> Person | None:
    return person_for_user(current_user._get_current_object())


def _no_person():
    flash(_("Your account is not linked to an entry in the member register yet."), "info")
    return redirect(url_for("portal.index"))


def _visible_meeting(meeting_id: int) -> GeneralMeeting:
    meeting = db.get_or_404(GeneralMeeting, meeting_id)
    if meeting.status not in VISIBLE:
        abort(404)
    return meeting


@bp.get("/")
@require(Permission.PORTAL_OWN)
def index():
    person = _own_person()
    if person is None:
        return _no_person()
    meetings = db.session.scalars(
        select(GeneralMeeting).where(GeneralMeeting.status.in_([s.value for s in VISIBLE]))
        .order_by(GeneralMeeting.starts_at.desc()).limit(20)
    ).all()
    return render_template("meetings/portal_index.html", meetings=meetings,
                           has_vote=services.has_vote(person), **labels())


def _render(meeting, person, *, proxy_form=None, status=200):
    items = services.agenda(meeting)
    proposals = services.proposals_of(meeting)
    now = utcnow()
    held = services.proxies_held(meeting, person)
    grantors = {p.grantor_id: db.session.get(Person, p.grantor_id) for p in held}
    voters = [person, *grantors.values()]
    voted = {
        (row.proposal_id, row.voter_id)
        for row in db.session.execute(
            select(VoteParticipation.proposal_id, VoteParticipation.voter_id).where(
                VoteParticipation.proposal_id.in_([p.id for p in proposals] or [0]),
                VoteParticipation.voter_id.in_([v.id for v in voters]),
            )
        ).all()
    }
    given = services.active_proxy_of(meeting, person)
    return render_template(
        "meetings/portal_meeting.html",
        meeting=meeting, person=person, items=items,
        proposals={item.id: [p for p in proposals if p.agenda_item_id == item.id]
                   for item in items},
        candidates={p.id: services.candidates_of(p) for p in proposals
                    if p.kind == "election"},
        documents=services.documents_of(items),
        has_vote=services.has_vote(person),
        online_voting=services.online_voting_possible(meeting, now),
        voters=voters, voted=voted, given=given,
        given_holder=db.session.get(Person, given.holder_id) if given else None,
        held=grantors, attendance=services.attendance_of(meeting, person),
        voting_started=services.voting_started(meeting),
        proxy_form=proxy_form or MemberRefForm(formdata=None),
        confirm_form=ConfirmForm(), **labels(),
    ), status


@bp.get("/<int:meeting_id>")
@require(Permission.PORTAL_OWN)
def meeting(meeting_id: int):
    person = _own_person()
    if person is None:
        return _no_person()
    return _render(_visible_meeting(meeting_id), person)


@bp.get("/documents/<int:document_id>")
@require(Permission.PORTAL_OWN)
def document(document_id: int):
    document = db.get_or_404(AgendaDocument, document_id)
    item = db.session.get(AgendaItem, document.agenda_item_id)
    _visible_meeting(item.meeting_id)
    return send_file(io.BytesIO(document.content), mimetype=document.content_type,
                     as_attachment=True, download_name=document.filename, max_age=0)


@bp.post("/<int:meeting_id>/proxy")
@require(Permission.PORTAL_OWN)
def proxy_give(meeting_id: int):
    person = _own_person()
    if person is None:
        return _no_person()
    meeting = _visible_meeting(meeting_id)
    form = MemberRefForm()
    if not form.validate():
        return _render(meeting, person, proxy_form=form, status=422)
    # Number and family name must both match: members cannot browse the register.
    holder = db.session.scalar(
        select(Person).join(Membership, Membership.person_id == Person.id)
        .where(Membership.member_number == form.member_number.data)
    )
    family_name = form.family_name.data.strip().lower()
    if holder is None or holder.family_name.strip().lower() != family_name:
        form.member_number.errors = [
            _("No member with this number and family name. Ask the member for both.")
        ]
        return _render(meeting, person, proxy_form=form, status=422)
    try:
        services.grant_proxy(meeting, person, holder, ProxySource.PORTAL)
    except MeetingError as error:
        db.session.rollback()
        error.field = "member_number" if error.field == "holder_id" else None
        show_error(form, error)
        return _render(_visible_meeting(meeting_id), _own_person(), proxy_form=form, status=422)
    db.session.commit()
    flash(_("Your proxy is registered: %(name)s votes for you.", name=holder.display_name),
          "success")
    return redirect(url_for("member_meetings.meeting", meeting_id=meeting_id))


@bp.post("/<int:meeting_id>/proxy/withdraw")
@require(Permission.PORTAL_OWN)
def proxy_withdraw(meeting_id: int):
    person = _own_person()
    if person is None:
        return _no_person()
    meeting = _visible_meeting(meeting_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    proxy = services.active_proxy_of(meeting, person)
    if proxy is None:
        flash(_("You have no active proxy for this meeting."), "info")
        return redirect(url_for("member_meetings.meeting", meeting_id=meeting_id))
    try:
        services.withdraw_proxy(proxy)
    except MeetingError as error:
        db.session.rollback()
        flash(str(error.message), "error")
        return _render(_visible_meeting(meeting_id), _own_person(), status=422)
    db.session.commit()
    flash(_("Your proxy is withdrawn."), "success")
    return redirect(url_for("member_meetings.meeting", meeting_id=meeting_id))


@bp.post("/<int:meeting_id>/attend")
@require(Permission.PORTAL_OWN)
def attend(meeting_id: int):
    person = _own_person()
    if person is None:
        return _no_person()
    meeting = _visible_meeting(meeting_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        if meeting.status != MeetingStatus.OPEN:
            raise MeetingError(_("You can join online once the meeting is open."))
        services.check_in(meeting, person, AttendanceMode.ONLINE)
    except MeetingError as error:
        db.session.rollback()
        flash(str(error.message), "error")
        return _render(_visible_meeting(meeting_id), _own_person(), status=422)
    db.session.commit()
    flash(_("You are registered as present online."), "success")
    return redirect(url_for("member_meetings.meeting", meeting_id=meeting_id))


def _voter(meeting, person: Person, voter_id: str) -> Person:
    """The member the vote is for: oneself, or a member whose active proxy `person`
    holds. Any other id (another member, nobody, not a number) gets the same refusal,
    which tells nothing about whom the id belongs to."""
    if voter_id in ("", str(person.id)):
        return person
    for proxy in services.proxies_held(meeting, person):
        if str(proxy.grantor_id) == voter_id:
            return db.session.get(Person, proxy.grantor_id)
    raise MeetingError(services.NO_PROXY, "choice")


@bp.post("/proposals/<int:proposal_id>/vote")
@require(Permission.PORTAL_OWN)
def vote(proposal_id: int):
    person = _own_person()
    if person is None:
        return _no_person()
    proposal = db.get_or_404(Proposal, proposal_id)
    meeting = _visible_meeting(proposal.meeting_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    candidate_ids = [c for c in request.form.getlist("candidate") if row_id(c) is not None]
    try:
        voter = _voter(meeting, person, request.form.get("voter", ""))
        if proposal.kind != "election" and not request.form.get("choice"):
            raise MeetingError(_("Choose for, against or abstain."))
        services.cast_vote(proposal, voter, request.form.get("choice"), candidate_ids,
                           cast_by=person)
    except MeetingError as error:
        db.session.rollback()
        flash(str(error.message), "error")
        return _render(_visible_meeting(meeting.id), _own_person(), status=422)
    db.session.commit()
    if voter.id == person.id:
        flash(_("Your vote on \u201c%(title)s\u201d is recorded.", title=proposal.title),
              "success")
    else:
        flash(_("Your vote for %(name)s on \u201c%(title)s\u201d is recorded.",
                name=voter.display_name, title=proposal.title), "success")
    return redirect(url_for("member_meetings.meeting", meeting_id=meeting.id))


