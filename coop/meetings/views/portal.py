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
from coop.forms import row_id
from coop.meetings import services
from coop.meetings.forms import MemberRefForm
from coop.meetings.models import (
    AgendaDocument,
    AgendaItem,
    GeneralMeeting,
    MeetingStatus,
    Proposal,
    ProxySource,
    VoteParticipation,
)
from coop.meetings.views import labels
from coop.members.models import Person
from coop.members.services import person_for_user
from coop.permissions import Permission, require
from coop.timeutil import utcnow
from coop.web import refusal

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


def _confirmed_at(meeting_id: int) -> tuple[Person, GeneralMeeting]:
    """For a confirmed POST about a meeting: the portal user's register entry (without
    one they are sent to the portal's start) and the meeting (404 when not visible);
    400 without a valid confirmation."""
    person = _own_person()
    if person is None:
        abort(_no_person())
    meeting = _visible_meeting(meeting_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    return person, meeting


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


def _refused(meeting_id: int):
    """The meeting page again after a refusal (flashed by `refusal()`, which kept
    nothing of the request)."""
    return _render(_visible_meeting(meeting_id), _own_person(), status=422)


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
    with refusal(form) as refused:
        holder = services.proxy_holder(form.member_number.data, form.family_name.data)
    if refused:
        return _render(_visible_meeting(meeting_id), _own_person(), proxy_form=form,
                       status=422)
    with refusal(form, fields=lambda field: "member_number" if field == "holder_id"
                 else None) as refused:
        services.grant_proxy(meeting, person, holder, ProxySource.PORTAL)
    if refused:
        return _render(_visible_meeting(meeting_id), _own_person(), proxy_form=form, status=422)
    flash(_("Your proxy is registered: %(name)s votes for you.", name=holder.display_name),
          "success")
    return redirect(url_for("member_meetings.meeting", meeting_id=meeting_id))


@bp.post("/<int:meeting_id>/proxy/withdraw")
@require(Permission.PORTAL_OWN)
def proxy_withdraw(meeting_id: int):
    person, meeting = _confirmed_at(meeting_id)
    proxy = services.active_proxy_of(meeting, person)
    if proxy is None:
        flash(_("You have no active proxy for this meeting."), "info")
        return redirect(url_for("member_meetings.meeting", meeting_id=meeting_id))
    with refusal() as refused:
        services.withdraw_proxy(proxy)
    if refused:
        return _refused(meeting_id)
    flash(_("Your proxy is withdrawn."), "success")
    return redirect(url_for("member_meetings.meeting", meeting_id=meeting_id))


@bp.post("/<int:meeting_id>/attend")
@require(Permission.PORTAL_OWN)
def attend(meeting_id: int):
    person, meeting = _confirmed_at(meeting_id)
    with refusal() as refused:
        services.join_online(meeting, person)
    if refused:
        return _refused(meeting_id)
    flash(_("You are registered as present online."), "success")
    return redirect(url_for("member_meetings.meeting", meeting_id=meeting_id))


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
    with refusal() as refused:
        voter = services.voter_for(meeting, person, request.form.get("voter", ""))
        services.cast_online_vote(proposal, voter, request.form.get("choice"), candidate_ids,
                                  cast_by=person)
    if refused:
        return _refused(meeting.id)
    if voter.id == person.id:
        flash(_("Your vote on \u201c%(title)s\u201d is recorded.", title=proposal.title),
              "success")
    else:
        flash(_("Your vote for %(name)s on \u201c%(title)s\u201d is recorded.",
                name=voter.display_name, title=proposal.title), "success")
    return redirect(url_for("member_meetings.meeting", meeting_id=meeting.id))


