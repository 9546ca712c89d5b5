from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectChoice, SelectField, StringField
from wtforms.validators import (
    URL,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from coop.forms import IntegerField
from coop.fraction import FractionField
from coop.settings.models import DuesProration, LegalForm, TieOnPersons
from coop.validators import (
    Normalised,
    normalise_bic,
    normalise_creditor_id,
    normalise_kvk,
    normalise_postcode,
    normalise_rsin,
)

LEGAL_FORM_LABELS = {
    LegalForm.COOPERATIE_UA: _l("Cooperative (coöperatie U.A.)"),
    LegalForm.VERENIGING: _l("Association (vereniging)"),
    LegalForm.STICHTING: _l("Foundation (stichting)"),
}
MAJORITY_HELP = _l("A share of the votes cast, like 2/3 or 75%. Half or less means more "
                   "than that share (1/2: more than half); above half, at least that share "
                   "(2/3: at least two thirds).")
_SHARE_REQUIRED = InputRequired(message=_l("Enter a fraction like 1/3 or a percentage like 40%."))
TIE_LABELS = {
    TieOnPersons.RE_VOTE: _l("A new vote between the tied candidates"),
    TieOnPersons.LOT: _l("Drawing lots"),
}
PRORATION_LABELS = {
    DuesProration.FULL: _l("The full year's dues"),
    DuesProration.MONTHLY: _l("Pro rata per month, the month of joining included"),
    DuesProration.FREE_FIRST_YEAR: _l("Nothing in the year of joining"),
}
MONTH_NAMES = [
    _l("January"), _l("February"), _l("March"), _l("April"), _l("May"), _l("June"),
    _l("July"), _l("August"), _l("September"), _l("October"), _l("November"), _l("December"),
]
MONTHS = [SelectChoice(number, name) for number, name in enumerate(MONTH_NAMES, start=1)]
_REQUIRED = InputRequired(message=_l("This field is required."))


def _choices(labels):
    return [SelectChoice(key.value, label) for key, label in labels.items()]


class OrganisationForm(FlaskForm):
    name = StringField(_l("Name"), validators=[_REQUIRED, Length(max=200)])
    legal_form = SelectField(_l("Legal form"), choices=_choices(LEGAL_FORM_LABELS))
    kvk_number = StringField(
        _l("KvK number"), validators=[Optional(), Normalised(normalise_kvk)]
    )
    rsin = StringField(_l("RSIN"), validators=[Optional(), Normalised(normalise_rsin)])
    street = StringField(_l("Street and number"), validators=[Optional(), Length(max=200)])
    postcode = StringField(
        _l("Postcode"), validators=[Optional(), Normalised(normalise_postcode)]
    )
    city = StringField(_l("City"), validators=[Optional(), Length(max=100)])
    email = StringField(
        _l("Email address"),
        validators=[Optional(), Email(message=_l("This is not a valid email address."))],
    )
    website = StringField(
        _l("Website"),
        validators=[Optional(), URL(message=_l("Enter a full web address, like https://…"))],
    )
    fiscal_year_start_month = SelectField(
        _l("Fiscal year starts in"), choices=MONTHS, coerce=int
    )
    anbi_status = BooleanField(_l("ANBI status (public benefit organisation)"))
    sbbi_status = BooleanField(_l("SBBI status (social interest organisation)"))
    jobs_need_funding = BooleanField(
        _l("A buurtbaan needs funding: every job names the funder agreement that pays it"))

    convocation_days = IntegerField(
        _l("Convocation term for a general meeting (days)"),
        validators=[
            InputRequired(message=_l("Enter a whole number of days.")),
            NumberRange(min=1, max=90, message=_l("Between %(min)s and %(max)s days.")),
        ],
    )
    amendment_convocation_days = IntegerField(
        _l("Convocation term for a statute amendment (days)"),
        description=_l("The law requires at least 7 days (BW 2:42)."),
        validators=[
            InputRequired(message=_l("Enter a whole number of days.")),
            NumberRange(min=7, max=90, message=_l("Between %(min)s and %(max)s days.")),
        ],
    )
    amendment_inspection_days = IntegerField(
        _l("Proposal available for inspection before the meeting (days)"),
        description=_l("The law requires at least 5 days (BW 2:42)."),
        validators=[
            InputRequired(message=_l("Enter a whole number of days.")),
            NumberRange(min=5, max=90, message=_l("Between %(min)s and %(max)s days.")),
        ],
    )
    proxy_cap_per_holder = IntegerField(
        _l("Proxies one member may hold"),
        description=_l("0 means the statutes do not allow proxies."),
        validators=[
            InputRequired(message=_l("Enter a whole number.")),
            NumberRange(min=0, max=50, message=_l("Between %(min)s and %(max)s.")),
        ],
    )
    quorum = FractionField(
        _l("Quorum (share of the members with a vote present or represented)"),
        description=_l("A fraction like 1/3 or a percentage like 40%. Leave empty when the "
                       "statutes set no quorum."),
        validators=[Optional()],
    )
    default_majority = FractionField(
        _l("Majority for ordinary decisions"), description=MAJORITY_HELP,
        validators=[_SHARE_REQUIRED],
    )
    amendment_majority = FractionField(
        _l("Majority for a statute amendment"), description=MAJORITY_HELP,
        validators=[_SHARE_REQUIRED],
    )
    electronic_voting_allowed = BooleanField(
        _l("The statutes allow electronic voting before the meeting")
    )
    vote_change_allowed = BooleanField(_l("A member may change an online vote before closing"))
    persons_secret_ballot = BooleanField(_l("Votes on persons by secret ballot"))
    tie_on_persons = SelectField(
        _l("A tie in an election is resolved by"), choices=_choices(TIE_LABELS)
    )

    dues_proration = SelectField(
        _l("A member who joins during the year pays"), choices=_choices(PRORATION_LABELS)
    )
    payment_term_days = IntegerField(
        _l("Payment term of an invoice (days)"),
        validators=[
            InputRequired(message=_l("Enter a whole number of days.")),
            NumberRange(min=1, max=365, message=_l("Between %(min)s and %(max)s days.")),
        ],
    )
    reminder_after_days = IntegerField(
        _l("Send a reminder this many days after the due date"),
        validators=[
            InputRequired(message=_l("Enter a whole number of days.")),
            NumberRange(min=1, max=365, message=_l("Between %(min)s and %(max)s days.")),
        ],
    )
    retention_years = IntegerField(
        _l("Keep personal data of former members (years after the membership ended)"),
        description=_l("Invoices and payments stay 7 years for the books; names and contact "
                       "details go after this term."),
        validators=[
            InputRequired(message=_l("Enter a whole number of years.")),
            NumberRange(min=0, max=10, message=_l("Between %(min)s and %(max)s years.")),
        ],
    )

    term_years = IntegerField(
        _l("Term of office (years)"),
        description=_l("How long a board, RvT or kascommissie member is appointed for; a "
                       "body can set its own term."),
        validators=[
            InputRequired(message=_l("Enter a whole number of years.")),
            NumberRange(min=1, max=10, message=_l("Between %(min)s and %(max)s years.")),
        ],
    )
    max_terms = IntegerField(
        _l("Most consecutive terms"),
        description=_l("Terms count as consecutive unless there was a break of at least a "
                       "year."),
        validators=[
            InputRequired(message=_l("Enter a whole number.")),
            NumberRange(min=1, max=10, message=_l("Between %(min)s and %(max)s.")),
        ],
    )
    immediately_reeligible = BooleanField(
        _l("Someone whose term ends can be reappointed right away")
    )

    creditor_id = StringField(
        _l("Incassant-ID (SEPA creditor identifier)"),
        description=_l("From your bank, like NL12ZZZ123456780000: NL, check digits, ZZZ, the "
                       "KvK number and 0000."),
        validators=[Optional(), Normalised(normalise_creditor_id)],
    )
    bic = StringField(
        _l("BIC of the coop's bank"),
        description=_l("Named in the direct debit file, like INGBNL2A."),
        validators=[Optional(), Normalised(normalise_bic)],
    )
    direct_debit_notice_days = IntegerField(
        _l("Pre-notification before a direct debit (days)"),
        description=_l("Members hear the amount and date this many days before the "
                       "collection; 14 unless agreed otherwise."),
        validators=[
            InputRequired(message=_l("Enter a whole number of days.")),
            NumberRange(min=2, max=60, message=_l("Between %(min)s and %(max)s days.")),
        ],
    )

    def validate_creditor_id(self, field):
        kvk = self.kvk_number.data
        creditor_id = field.data or ""
        if (creditor_id.startswith("NL") and kvk and not self.kvk_number.errors
                and creditor_id[7:15] != kvk):
            raise ValidationError(
                _l("The KvK number in this incassant-ID (%(found)s) is not the "
                   "coop's KvK number (%(kvk)s).", found=creditor_id[7:15], kvk=kvk)
            )

    funder_share_warning_percent = IntegerField(
        _l("Warn when one funder brings in more than this share of the income (%)"),
        description=_l("Depending on a single subsidy provider is a risk; 50% is usual."),
        validators=[
            InputRequired(message=_l("Enter a whole percentage.")),
            NumberRange(min=1, max=100, message=_l("Between %(min)s and %(max)s percent.")),
        ],
    )

    def validate_anbi_status(self, field):
        if field.data and self.legal_form.data == LegalForm.COOPERATIE_UA:
            raise ValidationError(
                _l("A cooperative cannot have ANBI status; only a foundation or association can.")
            )

    def validate_amendment_inspection_days(self, field):
        days = self.amendment_convocation_days.data
        if field.data is not None and days is not None and field.data > days:
            raise ValidationError(
                _l("The inspection term cannot be longer than the convocation term.")
            )
