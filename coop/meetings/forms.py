from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    DateField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import URL, InputRequired, Length, NumberRange, Optional

from coop.forms import IntegerField
from coop.fraction import FractionField
from coop.meetings.models import LocationKind, ProposalKind
from coop.timeutil import AMSTERDAM

_REQUIRED = InputRequired(message=_l("This field is required."))
_DATE = InputRequired(message=_l("Enter a date like 2026-03-31."))

LOCATION_LABELS = {
    LocationKind.PHYSICAL: _l("In a room"),
    LocationKind.ONLINE: _l("Online"),
    LocationKind.HYBRID: _l("In a room and online (hybrid)"),
}
KIND_LABELS = {
    ProposalKind.MATTER: _l("Proposal on a matter"),
    ProposalKind.STATUTE_AMENDMENT: _l("Statute amendment"),
    ProposalKind.ANNUAL_ACCOUNTS: _l("Adoption of the annual accounts"),
    ProposalKind.DISCHARGE: _l("Discharge of the board"),
    ProposalKind.APPOINTMENT: _l("Appointment of a person"),
    ProposalKind.ELECTION: _l("Election (several candidates)"),
}
MAJORITY_HELP = _l("A share of the votes cast, like 2/3 or 75%. Half or less means more "
                   "than that share (1/2: more than half); above half, at least that share "
                   "(2/3: at least two thirds).")


class MeetingForm(FlaskForm):
    title = StringField(_l("Title"), validators=[_REQUIRED, Length(max=200)])
    date = DateField(_l("Date"), validators=[_DATE])
    time = TimeField(_l("Start time"),
                     validators=[InputRequired(message=_l("Enter a time like 19:30."))])
    location_kind = SelectField(
        _l("Where"), choices=[SelectChoice(k.value, v) for k, v in LOCATION_LABELS.items()],
        validators=[_REQUIRED],
    )
    location = StringField(_l("Address of the room"), validators=[Optional(), Length(max=300)])
    online_url = StringField(
        _l("Link of the online meeting"),
        validators=[Optional(), Length(max=500),
                    URL(require_tld=False, message=_l("Enter a web address starting with https://."))],
    )

    def values(self) -> dict:
        local = datetime.combine(self.date.data, self.time.data, tzinfo=AMSTERDAM)
        return {
            "title": self.title.data.strip(),
            "starts_at": local,
            "location_kind": self.location_kind.data,
            "location": (self.location.data or "").strip() or None,
            "online_url": (self.online_url.data or "").strip() or None,
        }


class AgendaItemForm(FlaskForm):
    title = StringField(_l("Agenda item"), validators=[_REQUIRED, Length(max=200)])
    description = TextAreaField(_l("Explanation (optional)"),
                                validators=[Optional(), Length(max=5000)])


class ProposalForm(FlaskForm):
    kind = SelectField(
        _l("Kind of proposal"), choices=[SelectChoice(k.value, v) for k, v in KIND_LABELS.items()],
        validators=[_REQUIRED],
    )
    title = StringField(_l("Proposal"), validators=[_REQUIRED, Length(max=200)])
    text = TextAreaField(_l("Text of the proposal"), validators=[_REQUIRED, Length(max=20000)])
    majority = FractionField(
        _l("Majority needed (empty: as the statutes set for this kind)"),
        description=MAJORITY_HELP, validators=[Optional()],
    )
    quorum = SelectField(
        _l("Quorum"),
        choices=[SelectChoice("statutes", _l("As the statutes set")),
                 SelectChoice("none", _l("No quorum")),
                 SelectChoice("custom", _l("Another quorum"))],
        default="statutes",
    )
    quorum_share = FractionField(
        _l("Quorum (with another quorum)"),
        description=_l("A share of the members with a vote, like 1/3 or 40%."),
        validators=[Optional()],
    )
    secrecy = SelectField(
        _l("Ballot"),
        choices=[SelectChoice("default", _l("As the statutes set (secret for persons)")),
                 SelectChoice("secret", _l("Secret")),
                 SelectChoice("open", _l("Open (by name)"))],
        default="default",
    )
    seats = IntegerField(
        _l("Seats (elections)"), default=1,
        validators=[Optional(), NumberRange(min=1, max=50, message=_l("Enter 1 to 50."))],
    )

    def values(self) -> dict:
        values = {
            "kind": self.kind.data if self.kind is not None else None,
            "title": self.title.data.strip(), "text": self.text.data,
            "majority": self.majority.data, "seats": self.seats.data or 1,
            "secret": {"secret": True, "open": False}.get(self.secrecy.data),
        }
        if self.quorum.data == "none":
            values["quorum"] = None
        elif self.quorum.data == "custom":
            values["quorum"] = self.quorum_share.data
        return values


class ProposalEditForm(ProposalForm):
    """The kind decides the vote's rules and stays as chosen."""

    kind = None


class CandidateForm(FlaskForm):
    name = StringField(_l("Candidate"), validators=[_REQUIRED, Length(max=200)])


class DocumentForm(FlaskForm):
    file = FileField(_l("Document"), validators=[_REQUIRED])


class MinutesForm(FlaskForm):
    minutes = TextAreaField(_l("Minutes"), validators=[Optional(), Length(max=50000)])


class CheckInForm(FlaskForm):
    person_id = IntegerField(validators=[_REQUIRED])
    mode = SelectField(choices=[SelectChoice("in_person", "in_person"),
                                SelectChoice("online", "online")],
                       default="in_person")


class MemberRefForm(FlaskForm):
    """A member named by number and family name (both must match)."""

    member_number = IntegerField(
        _l("Member number"),
        validators=[InputRequired(message=_l("Enter a member number.")),
                    NumberRange(min=1, max=99_999_999, message=_l("Enter a member number."))],
    )
    family_name = StringField(_l("Family name"), validators=[_REQUIRED, Length(max=200)])


class PaperProxyForm(FlaskForm):
    grantor_number = IntegerField(
        _l("Member number of the member giving the proxy"),
        validators=[InputRequired(message=_l("Enter a member number.")),
                    NumberRange(min=1, max=99_999_999, message=_l("Enter a member number."))],
    )
    holder_number = IntegerField(
        _l("Member number of the proxy holder"),
        validators=[InputRequired(message=_l("Enter a member number.")),
                    NumberRange(min=1, max=99_999_999, message=_l("Enter a member number."))],
    )


def _count_field(label):
    return IntegerField(
        label, default=0,
        validators=[Optional(), NumberRange(min=0, max=1_000_000,
                                            message=_l("Enter zero or more."))],
    )


class RoomTallyForm(FlaskForm):
    method = SelectField(
        _l("Counted by"),
        choices=[SelectChoice("hands", _l("Show of hands")),
                 SelectChoice("paper", _l("Paper ballots"))],
        validators=[_REQUIRED],
    )
    votes_for = _count_field(_l("For"))
    votes_against = _count_field(_l("Against"))
    votes_abstain = _count_field(_l("Abstain"))
    votes_blank = _count_field(_l("Blank"))
    votes_invalid = _count_field(_l("Invalid"))


class ConflictForm(FlaskForm):
    member_number = IntegerField(
        _l("Member number"),
        validators=[InputRequired(message=_l("Enter a member number.")),
                    NumberRange(min=1, max=99_999_999, message=_l("Enter a member number."))],
    )
    description = TextAreaField(_l("What is the conflict of interest"),
                                validators=[_REQUIRED, Length(max=2000)])
    since = DateField(_l("Since"), validators=[_DATE])
    proposal_id = SelectField(_l("Excluded from the vote on"), choices=[], validators=[Optional()])
