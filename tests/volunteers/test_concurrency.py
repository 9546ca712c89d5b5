"""Two coordinators approving for the same volunteer at the same moment can never
together pass a cap: the volunteer's year is locked while the totals are counted.

On PostgreSQL this fails without `lock_row` (both approvals count € 50 and pass); on
SQLite the insert that makes sure the year's row exists already takes the database's
write lock, so there the two are serialised twice over."""

import threading
import time
from datetime import date

from coop.extensions import db
from coop.volunteers import services
from coop.volunteers.models import Allowance, Volunteer
from tests.volunteers.conftest import make_volunteer, seed_caps


def test_two_approvals_at_once_cannot_together_pass_the_month_cap(app, monkeypatch):
    seed_caps()
    volunteer, initiative = make_volunteer()
    volunteer_id, initiative_id = volunteer.id, initiative.id
    # An approval before: the year's lock row exists, so the second approval's first
    # step (making it) no longer waits and only the lock can keep the two apart.
    services.approve_allowance(volunteer, initiative_id=initiative_id, kind="allowance",
                               work_date=date(2026, 3, 2), amount_cents=5000,
                               today=date(2026, 3, 31))
    db.session.commit()
    counted = services.check_allowance

    def slow_check(*args, **kwargs):
        # Widen the window between counting and inserting, where a race would hide.
        result = counted(*args, **kwargs)
        time.sleep(0.3)
        return result

    monkeypatch.setattr(services, "check_allowance", slow_check)
    start = threading.Barrier(2)
    outcomes = []

    def approve_100():
        with app.app_context():
            start.wait()
            try:
                services.approve_allowance(
                    db.session.get(Volunteer, volunteer_id), initiative_id=initiative_id,
                    kind="allowance", work_date=date(2026, 3, 10), amount_cents=10000,
                    today=date(2026, 3, 31))
                db.session.commit()
                outcomes.append("approved")
            except services.OverCapError as error:
                db.session.rollback()
                outcomes.append(error.check.month_room_cents)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=approve_100) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    # € 220 − € 50 − € 100 = € 70 left for the second.
    assert sorted(outcomes, key=str) == [7000, "approved"]
    db.session.expire_all()
    assert db.session.scalar(db.select(db.func.sum(Allowance.amount_cents))) == 15000
