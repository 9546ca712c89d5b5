"""2,000 members vote online on one proposal of a city-sized coop, then the result.

    python -m bench.voting --db sqlite          # generate full scale, vote, print
    python -m bench.voting --db postgres --no-generate
    python -m bench.voting --all                # both databases; writes bench/RESULTS.md

The register is the full-scale one of `bench.generate` (50,000 accounts, 20,000
memberships). A meeting in session gets one open proposal; then `--voters` voting
members each POST their vote to the portal (`/portal/meetings/proposals/<id>/vote`)
through the Flask test client, logged in as themselves, one request after the other:
the time per vote is the wall time of that request (permission check, the vote rules,
the participation row, the tally update, the audit entry, the commit). Then the
secretary closes the vote (`/meetings/proposals/<id>/close`): the result computation
counts the online votes, the members taking part and the voting members of the whole
register, and writes the decision.

CSRF protection is switched off for this app only: the test client has no form to read
a token from, and the check costs microseconds.
"""

import argparse
import os
import statistics
from datetime import timedelta

from sqlalchemy import select

from bench import generate as gen
from bench.database import BENCH_DIR, bench_config, database_url
from bench.run import NOTES_MARKER, QueryCounter, compile_translations, machine_info, p95, timed

RESULTS_FILE = BENCH_DIR / "RESULTS.md"
SECTION = "## ALV: 2,000 members vote online (issue 4)"


def _make_app(url: str):
    from coop import create_app

    class VotingConfig(bench_config(url)):
        WTF_CSRF_ENABLED = False

    return create_app(VotingConfig)


def _prepare(app, voters: int):
    """A meeting in session with one open proposal; the voters' (user id, person id)."""
    from coop.extensions import db
    from coop.meetings import services as meetings
    from coop.meetings.models import MeetingStatus
    from coop.members.models import Membership, MembershipStatus, MembershipType, Person
    from coop.timeutil import utcnow

    with app.app_context():
        meeting = meetings.create_meeting({
            "title": "ALV bench", "starts_at": utcnow() + timedelta(hours=1),
            "location_kind": "hybrid", "location": "Buurthuis",
            "online_url": "https://vergaderen.example/alv",
        })
        item = meetings.add_agenda_item(meeting, "Begroting", None)
        proposal = meetings.add_proposal(item, {"kind": "matter", "title": "Begroting 2027",
                                                "text": "De ALV stelt de begroting vast."})
        meeting.status = MeetingStatus.OPEN
        meeting.convened_at = meeting.opened_at = utcnow()
        db.session.flush()
        meetings.open_voting(proposal)
        db.session.commit()
        from sqlalchemy.orm import aliased

        from coop.accounts.models import User, UserRole

        other_role = aliased(UserRole)

        rows = db.session.execute(
            select(User, Person.id)
            .join(Person, Person.user_id == User.id)
            .join(UserRole, (UserRole.user_id == User.id) & (UserRole.role == "member"))
            .join(Membership, Membership.person_id == Person.id)
            .join(MembershipType, MembershipType.id == Membership.type_id)
            .where(Membership.status == MembershipStatus.ACTIVE,
                   MembershipType.has_vote.is_(True), User.is_active_account.is_(True),
                   # Plain members: a board role would first ask for two-factor setup.
                   ~select(other_role.user_id).where(other_role.user_id == User.id,
                                                     other_role.role != "member").exists())
            .order_by(Person.id).limit(voters)
        ).all()
        from coop.accounts.services import get_user_by_email

        board = get_user_by_email(gen.BENCH_BOARD_EMAIL).get_id()
        eligible = meetings.voting_member_count()
        ids = (proposal.id, meeting.id)
        rows = [(user.get_id(), person_id) for user, person_id in rows]
        db.session.remove()
    if len(rows) < voters:
        raise RuntimeError(f"only {len(rows)} voting members with an account")
    return ids, rows, board, eligible


def run(db_name: str, voters: int, generate: bool, log=print) -> dict:
    from coop.extensions import db

    url = database_url(db_name, 1.0)
    if generate:
        log(f"{db_name}: generating full scale …")
        gen.generate(url, 1.0, log=lambda line: None)
    app = _make_app(url)
    (proposal_id, meeting_id), members, board, eligible = _prepare(app, voters)
    with app.app_context():
        counter = QueryCounter(db.engine)
    client = app.test_client()
    times, per_vote_queries = [], []
    choices = ("for", "for", "against", "abstain")
    for index, (user_id, _person_id) in enumerate(members):
        with client.session_transaction() as session:
            session.clear()
            session["_user_id"] = user_id
            session["_fresh"] = True
        response, ms, statements = timed(
            counter, client.post, f"/portal/meetings/proposals/{proposal_id}/vote",
            data={"choice": choices[index % 4]})
        times.append(ms)
        per_vote_queries.append(statements)
        if response.status_code != 302 or "/portal/meetings/" not in response.location:
            raise RuntimeError(f"vote {index}: {response.status_code} {response.location}")
    with client.session_transaction() as session:
        session.clear()
        session["_user_id"] = board
        session["_fresh"] = True
    response, close_ms, close_queries = timed(
        counter, client.post, f"/meetings/proposals/{proposal_id}/close")
    if response.status_code != 302:
        raise RuntimeError(f"close: {response.status_code}")
    from coop.meetings.models import Proposal

    with app.app_context():
        proposal = db.session.get(Proposal, proposal_id)
        result = {
            "db": db_name, "voters": voters, "eligible": eligible,
            "median": statistics.median(times), "p95": p95(times), "max": max(times),
            "queries": statistics.median(per_vote_queries), "close_ms": close_ms,
            "close_queries": close_queries,
            "outcome": (proposal.votes_for, proposal.votes_against, proposal.votes_abstain,
                        proposal.outcome),
        }
        db.session.remove()
        db.engine.dispose()
    del meeting_id
    return result


def table(results: list[dict]) -> str:
    lines = [
        "| database | votes | voting members | per vote median | per vote p95 | per vote max "
        "| queries per vote | result (close) | queries to close | for/against/abstain |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in results:
        votes_for, against, abstain, outcome = r["outcome"]
        lines.append(
            f"| {r['db']} | {r['voters']:,} | {r['eligible']:,} | {r['median']:.1f} ms "
            f"| {r['p95']:.1f} ms | {r['max']:.1f} ms | {r['queries']:.0f} "
            f"| {r['close_ms']:.1f} ms | {r['close_queries']} "
            f"| {votes_for}/{against}/{abstain} ({outcome}) |"
        )
    return "\n".join(lines)


def write_results(results: list[dict], load: str) -> None:
    from datetime import UTC, datetime

    text = RESULTS_FILE.read_text(encoding="utf-8")
    head, marker, notes = text.partition(NOTES_MARKER)
    if not marker:
        raise RuntimeError("RESULTS.md has no notes marker")
    # Replace an earlier run of this section, keep every other note.
    start = notes.find(SECTION)
    if start >= 0:
        end = notes.find("\n## ", start + len(SECTION))
        notes = notes[:start] + (notes[end + 1:] if end >= 0 else "")
    section = "\n".join([
        SECTION,
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC with `python -m bench.voting --all` "
        "(full-scale register: 50,000 accounts, 20,000 memberships).",
        "",
        "Each vote is one POST to the portal by a logged-in member (sequential, test client, "
        "no network); the result is the secretary's POST that closes the vote: it counts the "
        "online and room votes, the members taking part and the voting members of the whole "
        "register, and writes the decision.",
        "",
        table(results),
        "",
        *machine_info(database_url("postgres", 1.0) if any(
            r["db"] == "postgres" for r in results) else None),
        f"- Load average during the run: {load}",
        "",
        "",
    ])
    RESULTS_FILE.write_text(head + marker + "\n\n" + section + notes.lstrip("\n"),
                            encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default="sqlite", choices=("sqlite", "postgres"))
    parser.add_argument("--all", action="store_true", help="both databases; write RESULTS.md")
    parser.add_argument("--voters", type=int, default=2000)
    parser.add_argument("--no-generate", action="store_true")
    args = parser.parse_args(argv)
    compile_translations()
    databases = ("sqlite", "postgres") if args.all else (args.db,)
    results = [run(name, args.voters, not args.no_generate) for name in databases]
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    print(table(results))
    print(f"load average: {load}")
    if args.all:
        write_results(results, load)


if __name__ == "__main__":
    main()
