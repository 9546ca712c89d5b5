"""The demo's KPIs: targets from the municipality's 2026 grant decision, the half-year
report (its narrative, the theory of change of the huiskamer) published to Gemeente
Utrecht, whose contact (gemeente@oosterlicht.example) reads it."""

from datetime import date

from sqlalchemy import select

from coop.accounts.models import User
from coop.activities.models import TheoryOfChange
from coop.extensions import db
from coop.funders.models import Funder
from coop.kpis import reports
from coop.kpis import services as kpis
from coop.kpis.models import KpiDefinition

AGREEMENT = "Beschikking 2026-0102"
CONTACT = "gemeente@oosterlicht.example"
# KPI code → the year's target in the grant decision's appendix (euros for money).
TARGETS = {
    "activities": "400", "participants": "5000", "new_participants": "600",
    "activities_by_residents": "150", "volunteers_active": "30", "volunteer_hours": "3000",
    "allowances_used": "10", "jobs_coop": "2", "jobs_partners": "4", "meeting_places": "4",
    "events": "8",
}
NARRATIVE = (
    "In het eerste halfjaar van 2026 was de huiskamer vijf dagen per week open. Bewoners "
    "organiseerden zelf een groot deel van de activiteiten: koffieochtenden, de "
    "kookgroep en het taalcafé.\n\n"
    "De buurtbanen in de huiskamer en via Welzijn Oost lopen volgens plan. Het aantal "
    "vrijwilligersuren blijft achter bij het schema: in de zomer zoeken we nieuwe "
    "vrijwilligers via de buurtapp en het buurtfeest.")


def load(users: dict, agreements: dict) -> str:
    treasurer = users["penningmeester@oosterlicht.example"]
    agreement = agreements[AGREEMENT]
    kpis.ensure_predefined()
    by_code = {k.code: k for k in db.session.scalars(select(KpiDefinition))}
    for code, target in TARGETS.items():
        kpis.add_target(agreement, by_code[code], agreement.start_date, agreement.end_date,
                        target, actor=treasurer)
    contact = db.session.scalar(select(User).where(User.email == CONTACT))
    reports.link_contact(contact, db.session.get(Funder, agreement.funder_id), actor=treasurer)
    initiative_id = db.session.scalar(
        select(TheoryOfChange.initiative_id).order_by(TheoryOfChange.id).limit(1))
    report = reports.open_report(agreement, date(2026, 1, 1), date(2026, 6, 30),
                                 actor=treasurer, initiative_id=initiative_id)
    reports.save_narrative(report, NARRATIVE, actor=treasurer)
    version = reports.publish(report, actor=treasurer)
    db.session.commit()
    return (f"KPIs: {len(TARGETS)} targets for {AGREEMENT}; the report January–June 2026 "
            f"published (version {version.version}) to {CONTACT}")
