"""The ALV for the board: meetings, agenda, convocation, check-in, proxies, votes,
minutes and the decisions register. Reading needs MEETINGS_READ, every change
MEETINGS_WRITE. Members vote and give proxies in the portal (`coop.meetings.views.portal`)."""

import io

from flask import (
    Blueprint,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from wtforms import SelectChoice

from coop.accounts.forms import ConfirmForm
from coop.extensions import db
from coop.fraction import ENTER as ENTER_SHARE
from coop.fraction import format_fraction
from coop.meetings import convocation, services
from coop.meetings.charts import vote_chart
from coop.meetings.forms import (
    KIND_LABELS,
    LOCATION_LABELS,
    AgendaItemForm,
    CandidateForm,
    CheckInForm,
    ConflictForm,
    DocumentForm,
    MeetingForm,
    MinutesForm,
    PaperProxyForm,
    ProposalEditForm,
    ProposalForm,
    RoomTallyForm,
)
from coop.meetings.models import (
    AgendaDocument,
    AgendaItem,
    ConflictOfInterest,
    GeneralMeeting,
    MeetingStatus,
    Proposal,
    ProposalStatus,
    Proxy,
    ProxySource,
    RoomTally,
)
from coop.members.models import Membership, Person
from coop.pdf import render_pdf
from coop.permissions import Permission, require
from coop.timeutil import to_local
from coop.web import refusal

bp = Blueprint("meetings", __name__, url_prefix="/meetings")

STATUS_LABELS = {
    MeetingStatus.DRAFT.value: _l("draft"),
    MeetingStatus.CONVENED.value: _l("convened"),
    MeetingStatus.OPEN.value: _l("in session"),
    MeetingStatus.CLOSED.value: _l("closed"),
}
PROPOSAL_STATUS_LABELS = {
    ProposalStatus.DRAFT.value: _l("not yet open"),
    ProposalStatus.OPEN.value: _l("voting open"),
    ProposalStatus.CLOSED.value: _l("voting closed"),
}
OUTCOME_LABELS = {
    "adopted": _l("adopted"),
    "rejected": _l("rejected"),
    "no_quorum": _l("no quorum"),
    "re_vote": _l("tie: new vote needed"),
}
PROXY_STATUS_LABELS = {
    "active": _l("active"),
    "withdrawn": _l("withdrawn"),
    "lapsed": _l("lapsed (attends in person)"),
}


def labels() -> dict:
    return {
        "status_labels": STATUS_LABELS,
        "proposal_status_labels": PROPOSAL_STATUS_LABELS,
        "outcome_labels": OUTCOME_LABELS,
        "kind_labels": {k.value: v for k, v in KIND_LABELS.items()},
        "majority_words": services.majority_words,
        "format_fraction": format_fraction,
        "location_labels": {k.value: v for k, v in LOCATION_LABELS.items()},
        "proxy_status_labels": PROXY_STATUS_LABELS,
    }


def _save(change, form, page_again, *, fields=None):
    """Run the service call `change()` (the request commits what it did): returns (its
    result, None).

    When a rule refuses the change (a ServiceError), nothing is kept: the session is rolled
    back, the message goes to its field of `form` (flashed when it names none of the
    form's fields, or `form` is None; `fields` renames the service's field names to the
    form's) and the answer is (None, page_again()), the page shown again (re-read after
    the rollback), normally with status 422.
    """
    with refusal(form, fields=fields) as refused:
        result = change()
    if refused:
        return None, page_again()
    return result, None


def _pdf_response(pdf: bytes, filename: str):
    return send_file(io.BytesIO(pdf), mimetype="application/pdf", as_attachment=True,
                     download_name=filename, max_age=0)


# Meetings ------------------------------------------------------------------------------


@bp.get("/")
@require(Permission.MEETINGS_READ)
def index():
    meetings = db.session.scalars(
        select(GeneralMeeting).order_by(GeneralMeeting.starts_at.desc()).limit(100)
    ).all()
    return render_template("meetings/index.html", meetings=meetings,
                           decisions=services.decisions_register(limit=10), **labels())


@bp.route("/new", methods=["GET", "POST"])
@require(Permission.MEETINGS_WRITE)
def new():
    form = MeetingForm(formdata=request.form if request.method == "POST" else None,
                       title=_("General members' meeting"))
    if request.method == "POST":
        if not form.validate():
            return render_template("meetings/meeting_form.html", form=form, meeting=None), 422
        meeting, refused = _save(
            lambda: services.create_meeting(form.values()), form,
            lambda: (render_template("meetings/meeting_form.html", form=form, meeting=None),
                     422))
        if refused is not None:
            return refused
        flash(_("Meeting created. Add the agenda, then convene it."), "success")
        return redirect(url_for("meetings.meeting", meeting_id=meeting.id))
    return render_template("meetings/meeting_form.html", form=form, meeting=None)


@bp.route("/<int:meeting_id>/edit", methods=["GET", "POST"])
@require(Permission.MEETINGS_WRITE)
def edit(meeting_id: int):
    meeting = db.get_or_404(GeneralMeeting, meeting_id)
    if request.method == "GET":
        local = to_local(meeting.starts_at)
        form = MeetingForm(formdata=None, obj=meeting, date=local.date(), time=local.time())
        return render_template("meetings/meeting_form.html", form=form, meeting=meeting)
    form = MeetingForm()
    if not form.validate():
        return render_template("meetings/meeting_form.html", form=form, meeting=meeting), 422
    _result, refused = _save(
        lambda: services.update_meeting(meeting, form.values()), form,
        lambda: (render_template("meetings/meeting_form.html", form=form,
                                 meeting=db.get_or_404(GeneralMeeting, meeting_id)), 422))
    if refused is not None:
        return refused
    flash(_("Meeting saved."), "success")
    return redirect(url_for("meetings.meeting", meeting_id=meeting_id))


def _render_meeting(meeting, *, item_form=None, status=200, confirm_early=False):
    items = services.agenda(meeting)
    proposals = services.proposals_of(meeting)
    by_item: dict[int, list] = {item.id: [] for item in items}
    for proposal in proposals:
        by_item[proposal.agenda_item_id].append(proposal)
    return render_template(
        "meetings/meeting.html",
        meeting=meeting,
        confirm_early=confirm_early and services.opens_early(meeting),
        items=items,
        proposals=by_item,
        documents=services.documents_of(items),
        presence=services.presence(meeting),
        required_days=services.required_convocation_days(meeting),
        item_form=item_form or AgendaItemForm(formdata=None),
        confirm_form=ConfirmForm(),
        sent=len(convocation.convocation_log(meeting)),
        **labels(),
    ), status


@bp.get("/<int:meeting_id>")
@require(Permission.MEETINGS_READ)
def meeting(meeting_id: int):
    return _render_meeting(db.get_or_404(GeneralMeeting, meeting_id))


def _meeting_action(meeting_id: int, action, success):
    meeting = db.get_or_404(GeneralMeeting, meeting_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    result, refused = _save(
        lambda: action(meeting), None,
        lambda: _render_meeting(db.get_or_404(GeneralMeeting, meeting_id), status=422))
    if refused is not None:
        return refused
    flash(success(result), "success")
    return redirect(url_for("meetings.meeting", meeting_id=meeting_id))


@bp.post("/<int:meeting_id>/convene")
@require(Permission.MEETINGS_WRITE)
def convene(meeting_id: int):
    return _meeting_action(
        meeting_id, convocation.convene,
        lambda result: _("Convened: %(emailed)d members by email, %(letters)d by letter. "
                         "Print the letters now.", emailed=result.emailed,
                         letters=result.letters),
    )


@bp.post("/<int:meeting_id>/open")
@require(Permission.MEETINGS_WRITE)
def open_meeting(meeting_id: int):
    """Open the meeting; on a day before its planned date only after a confirmation
    (the page asks again with the warning)."""
    meeting = db.get_or_404(GeneralMeeting, meeting_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    confirmed = request.form.get("confirm_early") == "y"
    _result, refused = _save(
        lambda: services.open_meeting(meeting, confirmed_early=confirmed), None,
        lambda: _render_meeting(db.get_or_404(GeneralMeeting, meeting_id), status=422,
                                confirm_early=True))
    if refused is not None:
        return refused
    flash(_("The meeting is open."), "success")
    return redirect(url_for("meetings.meeting", meeting_id=meeting_id))


@bp.post("/<int:meeting_id>/close")
@require(Permission.MEETINGS_WRITE)
def close_meeting(meeting_id: int):
    return _meeting_action(meeting_id, services.close_meeting,
                           lambda _result: _("The meeting is closed."))


@bp.get("/<int:meeting_id>/convocations")
@require(Permission.MEETINGS_READ)
def convocations(meeting_id: int):
    meeting = db.get_or_404(GeneralMeeting, meeting_id)
    return render_template("meetings/convocations.html", meeting=meeting,
                           log=convocation.convocation_log(meeting), **labels())


@bp.get("/<int:meeting_id>/letters.pdf")
@require(Permission.MEETINGS_READ)
def letters_pdf(meeting_id: int):
    meeting = db.get_or_404(GeneralMeeting, meeting_id)
    pdf = render_pdf("pdf/convocation_letters.html", **convocation.letters_values(meeting))
    return _pdf_response(pdf, f"oproeping-brieven-{meeting.id}.pdf")


@bp.get("/<int:meeting_id>/attendance.pdf")
@require(Permission.MEETINGS_READ)
def attendance_pdf(meeting_id: int):
    meeting = db.get_or_404(GeneralMeeting, meeting_id)
    pdf = render_pdf("pdf/attendance_list.html", **convocation.attendance_values(meeting))
    return _pdf_response(pdf, f"presentielijst-{meeting.id}.pdf")


@bp.get("/<int:meeting_id>/minutes.pdf")
@require(Permission.MEETINGS_READ)
def minutes_pdf(meeting_id: int):
    meeting = db.get_or_404(GeneralMeeting, meeting_id)
    pdf = render_pdf("pdf/minutes.html", **convocation.minutes_values(meeting))
    return _pdf_response(pdf, f"notulen-{meeting.id}.pdf")


# Agenda ------------------------------------------------------------------------------


@bp.post("/<int:meeting_id>/items")
@require(Permission.MEETINGS_WRITE)
def item_add(meeting_id: int):
    meeting = db.get_or_404(GeneralMeeting, meeting_id)
    form = AgendaItemForm()
    if not form.validate():
        return _render_meeting(meeting, item_form=form, status=422)
    _result, refused = _save(
        lambda: services.add_agenda_item(meeting, form.title.data.strip(),
                                         form.description.data or None), form,
        lambda: _render_meeting(db.get_or_404(GeneralMeeting, meeting_id), item_form=form,
                                status=422))
    if refused is not None:
        return refused
    flash(_("Agenda item added."), "success")
    return redirect(url_for("meetings.meeting", meeting_id=meeting_id))


@bp.post("/items/<int:item_id>/move")
@require(Permission.MEETINGS_WRITE)
def item_move(item_id: int):
    item = db.get_or_404(AgendaItem, item_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    direction = -1 if request.form.get("direction") == "up" else 1
    meeting_id = item.meeting_id
    _result, refused = _save(lambda: services.move_agenda_item(item, direction), None,
                       lambda: redirect(url_for("meetings.meeting", meeting_id=meeting_id)))
    if refused is not None:
        return refused
    return redirect(url_for("meetings.meeting", meeting_id=meeting_id))


def _render_item(item, *, form=None, proposal_form=None, document_form=None,
                 minutes_form=None, status=200):
    meeting = db.session.get(GeneralMeeting, item.meeting_id)
    proposals = db.session.scalars(
        select(Proposal).where(Proposal.agenda_item_id == item.id).order_by(Proposal.position)
    ).all()
    return render_template(
        "meetings/item.html",
        meeting=meeting, item=item, proposals=proposals,
        documents=services.documents_of([item])[item.id],
        form=form or AgendaItemForm(formdata=None, obj=item),
        proposal_form=proposal_form or ProposalForm(formdata=None, prefix="proposal"),
        document_form=document_form or DocumentForm(formdata=None, prefix="document"),
        minutes_form=minutes_form or MinutesForm(formdata=None, obj=item, prefix="minutes"),
        **labels(),
    ), status


@bp.get("/items/<int:item_id>")
@require(Permission.MEETINGS_READ)
def item(item_id: int):
    item = db.get_or_404(AgendaItem, item_id)
    return _render_item(item)


@bp.post("/items/<int:item_id>/edit")
@require(Permission.MEETINGS_WRITE)
def item_edit(item_id: int):
    item = db.get_or_404(AgendaItem, item_id)
    form = AgendaItemForm()
    if not form.validate():
        return _render_item(item, form=form, status=422)
    _result, refused = _save(
        lambda: services.update_agenda_item(item, form.title.data.strip(),
                                            form.description.data or None), form,
        lambda: _render_item(db.get_or_404(AgendaItem, item_id), form=form, status=422))
    if refused is not None:
        return refused
    flash(_("Agenda item saved."), "success")
    return redirect(url_for("meetings.item", item_id=item_id))


@bp.post("/items/<int:item_id>/minutes")
@require(Permission.MEETINGS_WRITE)
def item_minutes(item_id: int):
    item = db.get_or_404(AgendaItem, item_id)
    form = MinutesForm(prefix="minutes")
    if not form.validate():
        return _render_item(item, minutes_form=form, status=422)
    _result, refused = _save(
        lambda: services.save_minutes(item, form.minutes.data), form,
        lambda: _render_item(db.get_or_404(AgendaItem, item_id), minutes_form=form,
                             status=422))
    if refused is not None:
        return refused
    flash(_("Minutes saved."), "success")
    return redirect(url_for("meetings.item", item_id=item_id))


@bp.post("/items/<int:item_id>/documents")
@require(Permission.MEETINGS_WRITE)
def document_add(item_id: int):
    item = db.get_or_404(AgendaItem, item_id)
    form = DocumentForm(prefix="document")
    upload = request.files.get("document-file")
    if not form.validate() or upload is None or not upload.filename:
        form.file.errors = [_("Choose a file.")]
        return _render_item(item, document_form=form, status=422)
    _result, refused = _save(
        lambda: services.add_document(item, upload.filename, upload.mimetype,
                                      upload.read(services.MAX_DOCUMENT_BYTES + 1)), form,
        lambda: _render_item(db.get_or_404(AgendaItem, item_id), document_form=form,
                             status=422))
    if refused is not None:
        return refused
    flash(_("Document added."), "success")
    return redirect(url_for("meetings.item", item_id=item_id))


@bp.get("/documents/<int:document_id>")
@require(Permission.MEETINGS_READ)
def document(document_id: int):
    document = db.get_or_404(AgendaDocument, document_id)
    return send_file(io.BytesIO(document.content), mimetype=document.content_type,
                     as_attachment=True, download_name=document.filename, max_age=0)


@bp.post("/items/<int:item_id>/proposals")
@require(Permission.MEETINGS_WRITE)
def proposal_add(item_id: int):
    item = db.get_or_404(AgendaItem, item_id)
    form = ProposalForm(prefix="proposal")
    if not form.validate():
        return _render_item(item, proposal_form=form, status=422)
    if form.quorum.data == "custom" and not form.quorum_share.data:
        form.quorum_share.errors = [str(ENTER_SHARE)]
        return _render_item(item, proposal_form=form, status=422)
    proposal, refused = _save(
        lambda: services.add_proposal(item, form.values()), form,
        lambda: _render_item(db.get_or_404(AgendaItem, item_id), proposal_form=form,
                             status=422))
    if refused is not None:
        return refused
    flash(_("Proposal added."), "success")
    return redirect(url_for("meetings.proposal", proposal_id=proposal.id))


# Attendance --------------------------------------------------------------------------


def _render_attendance(meeting, q: str = "", status=200):
    found = services.find_voting_members(q) if q else []
    present_ids = set(db.session.scalars(
        select(services.Attendance.person_id).where(
            services.Attendance.meeting_id == meeting.id)
    ).all())
    rows = convocation.attendance_values(meeting)["rows"]
    return render_template(
        "meetings/attendance.html", meeting=meeting, q=q, found=found,
        present_ids=present_ids, rows=rows, presence=services.presence(meeting),
        **labels(),
    ), status


@bp.get("/<int:meeting_id>/attendance")
@require(Permission.MEETINGS_READ)
def attendance(meeting_id: int):
    meeting = db.get_or_404(GeneralMeeting, meeting_id)
    return _render_attendance(meeting, request.args.get("q", "").strip()[:100])


@bp.get("/<int:meeting_id>/presence.json")
@require(Permission.MEETINGS_READ)
def presence_json(meeting_id: int):
    """The live count for the check-in desk (polled by static/js/presence.js)."""
    meeting = db.get_or_404(GeneralMeeting, meeting_id)
    presence = services.presence(meeting)
    return jsonify(
        members_present=presence.members_present, in_room=presence.in_room,
        online=presence.online, proxies=presence.proxies,
        votes_present=presence.votes_present, eligible=presence.eligible,
        quorum_needed=presence.quorum_needed, quorum_reached=presence.quorum_reached,
    )


@bp.post("/<int:meeting_id>/check-in")
@require(Permission.MEETINGS_WRITE)
def check_in(meeting_id: int):
    meeting = db.get_or_404(GeneralMeeting, meeting_id)
    form = CheckInForm()
    q = request.form.get("q", "").strip()[:100]
    person = db.session.get(Person, form.person_id.data) if form.validate() else None
    if person is None:
        flash(_("Choose a member to check in."), "error")
        return _render_attendance(meeting, q, 422)
    _result, refused = _save(
        lambda: services.check_in(meeting, person, form.mode.data), None,
        lambda: _render_attendance(db.get_or_404(GeneralMeeting, meeting_id), q, 422))
    if refused is not None:
        return refused
    flash(_("%(name)s is present.", name=person.display_name), "success")
    return redirect(url_for("meetings.attendance", meeting_id=meeting_id))


# Proxies -----------------------------------------------------------------------------


def _person_by_number(number: int) -> Person | None:
    return db.session.scalar(
        select(Person).join(Membership, Membership.person_id == Person.id)
        .where(Membership.member_number == number)
    )


def _render_proxies(meeting, form=None, status=200):
    return render_template(
        "meetings/proxies.html", meeting=meeting, proxies=services.meeting_proxies(meeting),
        form=form or PaperProxyForm(formdata=None), confirm_form=ConfirmForm(),
        voting_started=services.voting_started(meeting), **labels(),
    ), status


@bp.get("/<int:meeting_id>/proxies")
@require(Permission.MEETINGS_READ)
def proxies(meeting_id: int):
    return _render_proxies(db.get_or_404(GeneralMeeting, meeting_id))


@bp.post("/<int:meeting_id>/proxies")
@require(Permission.MEETINGS_WRITE)
def proxy_add(meeting_id: int):
    meeting = db.get_or_404(GeneralMeeting, meeting_id)
    form = PaperProxyForm()
    if not form.validate():
        return _render_proxies(meeting, form, 422)
    grantor = _person_by_number(form.grantor_number.data)
    holder = _person_by_number(form.holder_number.data)
    if grantor is None:
        form.grantor_number.errors = [_("No member has this number.")]
    if holder is None:
        form.holder_number.errors = [_("No member has this number.")]
    if grantor is None or holder is None:
        return _render_proxies(meeting, form, 422)
    _result, refused = _save(
        lambda: services.grant_proxy(meeting, grantor, holder, ProxySource.PAPER), form,
        lambda: _render_proxies(db.get_or_404(GeneralMeeting, meeting_id), form, 422),
        fields={"grantor_id": "grantor_number", "holder_id": "holder_number"})
    if refused is not None:
        return refused
    flash(_("Proxy registered: %(holder)s votes for %(grantor)s.",
            holder=holder.display_name, grantor=grantor.display_name), "success")
    return redirect(url_for("meetings.proxies", meeting_id=meeting_id))


@bp.post("/proxies/<int:proxy_id>/withdraw")
@require(Permission.MEETINGS_WRITE)
def proxy_withdraw(proxy_id: int):
    proxy = db.get_or_404(Proxy, proxy_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    meeting_id = proxy.meeting_id
    _result, refused = _save(
        lambda: services.withdraw_proxy(proxy), None,
        lambda: _render_proxies(db.get_or_404(GeneralMeeting, meeting_id), status=422))
    if refused is not None:
        return refused
    flash(_("Proxy withdrawn."), "success")
    return redirect(url_for("meetings.proxies", meeting_id=meeting_id))


# Votes -------------------------------------------------------------------------------


def _proposal_edit_form(proposal, formdata=None):
    quorum = "none" if proposal.quorum is None else "custom"
    return ProposalEditForm(
        formdata=formdata, prefix="edit", title=proposal.title,
        text=proposal.text, majority=proposal.majority, quorum=quorum,
        quorum_share=proposal.quorum, secrecy="secret" if proposal.secret else "open",
        seats=proposal.seats,
    )


def _render_proposal(proposal, *, tally_form=None, candidate_form=None, edit_form=None,
                     status=200):
    meeting = db.session.get(GeneralMeeting, proposal.meeting_id)
    tally = db.session.scalar(select(RoomTally).where(RoomTally.proposal_id == proposal.id))
    if tally_form is None:
        tally_form = RoomTallyForm(formdata=None, obj=tally, prefix="tally")
    conflicts = db.session.execute(
        select(ConflictOfInterest, Person).join(Person, Person.id == ConflictOfInterest.person_id)
        .where(ConflictOfInterest.proposal_id == proposal.id)
    ).all()
    participations = db.session.scalar(
        select(services.func.count()).where(
            services.VoteParticipation.proposal_id == proposal.id)
    )
    return render_template(
        "meetings/proposal.html",
        meeting=meeting, proposal=proposal,
        item=db.session.get(AgendaItem, proposal.agenda_item_id),
        candidates=services.candidates_of(proposal),
        presence=services.presence(meeting, proposal.quorum),
        totals=services.current_totals(proposal) if proposal.status != "draft" else None,
        room_available=services.room_votes_available(proposal),
        online_votes=participations,
        tally=tally, tally_form=tally_form,
        candidate_form=candidate_form or CandidateForm(formdata=None, prefix="candidate"),
        edit_form=edit_form or _proposal_edit_form(proposal),
        proxy_votes=services.proxy_votes(proposal), conflicts=conflicts,
        result_chart=vote_chart(convocation.proposal_values(proposal)),
        confirm_form=ConfirmForm(), **labels(),
    ), status


@bp.get("/proposals/<int:proposal_id>")
@require(Permission.MEETINGS_READ)
def proposal(proposal_id: int):
    return _render_proposal(db.get_or_404(Proposal, proposal_id))


@bp.post("/proposals/<int:proposal_id>/edit")
@require(Permission.MEETINGS_WRITE)
def proposal_edit(proposal_id: int):
    proposal = db.get_or_404(Proposal, proposal_id)
    form = _proposal_edit_form(proposal, request.form)
    if not form.validate():
        return _render_proposal(proposal, edit_form=form, status=422)
    if form.quorum.data == "custom" and not form.quorum_share.data:
        form.quorum_share.errors = [str(ENTER_SHARE)]
        return _render_proposal(proposal, edit_form=form, status=422)
    _result, refused = _save(
        lambda: services.update_proposal(proposal, form.values()), form,
        lambda: _render_proposal(db.get_or_404(Proposal, proposal_id), edit_form=form,
                                 status=422))
    if refused is not None:
        return refused
    flash(_("Proposal saved."), "success")
    return redirect(url_for("meetings.proposal", proposal_id=proposal_id))


@bp.post("/proposals/<int:proposal_id>/candidates")
@require(Permission.MEETINGS_WRITE)
def candidate_add(proposal_id: int):
    proposal = db.get_or_404(Proposal, proposal_id)
    form = CandidateForm(prefix="candidate")
    if not form.validate():
        return _render_proposal(proposal, candidate_form=form, status=422)
    _result, refused = _save(
        lambda: services.add_candidate(proposal, form.name.data), form,
        lambda: _render_proposal(db.get_or_404(Proposal, proposal_id), candidate_form=form,
                                 status=422))
    if refused is not None:
        return refused
    flash(_("Candidate added."), "success")
    return redirect(url_for("meetings.proposal", proposal_id=proposal_id))


def _proposal_action(proposal_id: int, action, success):
    proposal = db.get_or_404(Proposal, proposal_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    result, refused = _save(
        lambda: action(proposal), None,
        lambda: _render_proposal(db.get_or_404(Proposal, proposal_id), status=422))
    if refused is not None:
        return refused
    message, category = success(result)
    flash(message, category)
    target = result if isinstance(result, Proposal) else proposal
    return redirect(url_for("meetings.proposal", proposal_id=target.id))


@bp.post("/proposals/<int:proposal_id>/open")
@require(Permission.MEETINGS_WRITE)
def vote_open(proposal_id: int):
    def success(presence):
        if presence.quorum_reached:
            return _("Voting is open. %(votes)d votes present.",
                     votes=presence.votes_present), "success"
        return _("Voting is open, but the quorum is not reached: %(votes)d of the %(needed)d "
                 "votes needed are present.", votes=presence.votes_present,
                 needed=presence.quorum_needed), "warning"

    return _proposal_action(proposal_id, services.open_voting, success)


@bp.post("/proposals/<int:proposal_id>/close")
@require(Permission.MEETINGS_WRITE)
def vote_close(proposal_id: int):
    return _proposal_action(
        proposal_id, services.close_voting,
        lambda decision: (_("Voting closed; decision %(number)s recorded.",
                            number=decision.number), "success"),
    )


@bp.post("/proposals/<int:proposal_id>/re-vote")
@require(Permission.MEETINGS_WRITE)
def re_vote(proposal_id: int):
    return _proposal_action(
        proposal_id, services.re_vote,
        lambda new: (_("A new vote between the tied candidates is ready."), "success"),
    )


@bp.post("/proposals/<int:proposal_id>/tally")
@require(Permission.MEETINGS_WRITE)
def tally(proposal_id: int):
    proposal = db.get_or_404(Proposal, proposal_id)
    form = RoomTallyForm(prefix="tally")
    if not form.validate():
        return _render_proposal(proposal, tally_form=form, status=422)
    candidate_votes = {}
    for candidate in services.candidates_of(proposal):
        raw = request.form.get(f"candidate-{candidate.id}", "").strip() or "0"
        if not (raw.isascii() and raw.isdigit() and len(raw) <= 9):
            flash(_("Enter a count of zero or more for each candidate."), "error")
            return _render_proposal(proposal, tally_form=form, status=422)
        candidate_votes[candidate.id] = int(raw)
    counts = {name: getattr(form, f"votes_{name}").data or 0
              for name in ("for", "against", "abstain", "blank", "invalid")}
    with refusal(form, fields=lambda field: field if field in (None, "method") or (
            field or "").startswith("votes_") else None) as refused:
        services.record_room_tally(proposal, form.method.data, counts, candidate_votes)
    if refused:
        return _render_proposal(db.get_or_404(Proposal, proposal_id), tally_form=form,
                                status=422)
    flash(_("Votes in the room recorded."), "success")
    return redirect(url_for("meetings.proposal", proposal_id=proposal_id))


# Decisions and conflicts -------------------------------------------------------------


@bp.get("/decisions")
@require(Permission.MEETINGS_READ)
def decisions():
    return render_template("meetings/decisions.html",
                           decisions=services.decisions_register(limit=500), **labels())


def _conflict_form(formdata=None):
    form = ConflictForm(formdata=formdata)
    open_proposals = db.session.scalars(
        select(Proposal).where(Proposal.status != ProposalStatus.CLOSED).order_by(Proposal.id)
    ).all()
    form.proposal_id.choices = [SelectChoice("", _("No vote (register only)"))] + [
        SelectChoice(str(p.id), p.title) for p in open_proposals
    ]
    return form


def _render_conflicts(form, status=200):
    rows = db.session.execute(
        select(ConflictOfInterest, Person, Proposal.title)
        .join(Person, Person.id == ConflictOfInterest.person_id)
        .join(Proposal, Proposal.id == ConflictOfInterest.proposal_id, isouter=True)
        .order_by(ConflictOfInterest.since.desc(), ConflictOfInterest.id.desc())
    ).all()
    return render_template("meetings/conflicts.html", rows=rows, form=form), status


@bp.get("/conflicts")
@require(Permission.MEETINGS_READ)
def conflicts():
    return _render_conflicts(_conflict_form())


@bp.post("/conflicts")
@require(Permission.MEETINGS_WRITE)
def conflict_add():
    form = _conflict_form(request.form)
    if not form.validate():
        return _render_conflicts(form, 422)
    person = _person_by_number(form.member_number.data)
    if person is None:
        form.member_number.errors = [_("No member has this number.")]
        return _render_conflicts(form, 422)
    proposal = db.session.get(Proposal, int(form.proposal_id.data)) if form.proposal_id.data \
        else None
    _result, refused = _save(
        lambda: services.register_conflict(person, form.description.data, form.since.data,
                                           proposal), form,
        lambda: _render_conflicts(form, 422))
    if refused is not None:
        return refused
    flash(_("Conflict of interest of %(name)s registered.", name=person.display_name),
          "success")
    return redirect(url_for("meetings.conflicts"))
