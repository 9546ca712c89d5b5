"""the ALV: meetings, agenda, convocations, attendance, proxies, votes, decisions, conflicts of interest

Revision ID: 0006_meetings
Revises: 0005_ledger
Create Date: 2026-11-30 02:11:36.188444

"""
from alembic import op
import sqlalchemy as sa
import coop.timeutil  # custom column types


# revision identifiers, used by Alembic.
revision = '0006_meetings'
down_revision = '0005_ledger'
branch_labels = None
depends_on = None


# The database refuses changes to closed votes and to decisions (see coop/meetings/models.py).
SQLITE_TRIGGERS = [
    "CREATE TRIGGER proposal_closed_no_update BEFORE UPDATE ON proposal WHEN OLD.status = 'closed' BEGIN SELECT RAISE(ABORT, 'proposal: voting has closed'); END",
    "CREATE TRIGGER proposal_closed_no_delete BEFORE DELETE ON proposal WHEN OLD.status = 'closed' BEGIN SELECT RAISE(ABORT, 'proposal: voting has closed'); END",
    "CREATE TRIGGER candidate_closed_no_update BEFORE UPDATE ON candidate WHEN (SELECT status FROM proposal WHERE id = OLD.proposal_id) = 'closed' BEGIN SELECT RAISE(ABORT, 'candidate: voting has closed'); END",
    "CREATE TRIGGER candidate_closed_no_delete BEFORE DELETE ON candidate WHEN (SELECT status FROM proposal WHERE id = OLD.proposal_id) = 'closed' BEGIN SELECT RAISE(ABORT, 'candidate: voting has closed'); END",
    "CREATE TRIGGER ballot_tally_closed_no_update BEFORE UPDATE ON ballot_tally WHEN (SELECT status FROM proposal WHERE id = OLD.proposal_id) = 'closed' BEGIN SELECT RAISE(ABORT, 'ballot_tally: voting has closed'); END",
    "CREATE TRIGGER ballot_tally_closed_no_delete BEFORE DELETE ON ballot_tally WHEN (SELECT status FROM proposal WHERE id = OLD.proposal_id) = 'closed' BEGIN SELECT RAISE(ABORT, 'ballot_tally: voting has closed'); END",
    "CREATE TRIGGER room_tally_closed_no_insert BEFORE INSERT ON room_tally WHEN (SELECT status FROM proposal WHERE id = NEW.proposal_id) = 'closed' BEGIN SELECT RAISE(ABORT, 'room_tally: voting has closed'); END",
    "CREATE TRIGGER room_tally_closed_no_update BEFORE UPDATE ON room_tally WHEN (SELECT status FROM proposal WHERE id = OLD.proposal_id) = 'closed' BEGIN SELECT RAISE(ABORT, 'room_tally: voting has closed'); END",
    "CREATE TRIGGER room_tally_closed_no_delete BEFORE DELETE ON room_tally WHEN (SELECT status FROM proposal WHERE id = OLD.proposal_id) = 'closed' BEGIN SELECT RAISE(ABORT, 'room_tally: voting has closed'); END",
    "CREATE TRIGGER vote_participation_closed_no_insert BEFORE INSERT ON vote_participation WHEN (SELECT status FROM proposal WHERE id = NEW.proposal_id) = 'closed' BEGIN SELECT RAISE(ABORT, 'vote_participation: voting has closed'); END",
    "CREATE TRIGGER vote_participation_closed_no_update BEFORE UPDATE ON vote_participation WHEN (SELECT status FROM proposal WHERE id = OLD.proposal_id) = 'closed' BEGIN SELECT RAISE(ABORT, 'vote_participation: voting has closed'); END",
    "CREATE TRIGGER vote_participation_closed_no_delete BEFORE DELETE ON vote_participation WHEN (SELECT status FROM proposal WHERE id = OLD.proposal_id) = 'closed' BEGIN SELECT RAISE(ABORT, 'vote_participation: voting has closed'); END",
    "CREATE TRIGGER decision_no_update BEFORE UPDATE ON decision BEGIN SELECT RAISE(ABORT, 'decision is append-only'); END",
    "CREATE TRIGGER decision_no_delete BEFORE DELETE ON decision BEGIN SELECT RAISE(ABORT, 'decision is append-only'); END",
]
POSTGRES_TRIGGERS = [
    """
    CREATE OR REPLACE FUNCTION proposal_refuse_when_closed() RETURNS trigger AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN
            IF NEW.status = 'closed' THEN
                RAISE EXCEPTION 'proposal: voting has closed';
            END IF;
            RETURN NEW;
        END IF;
        IF OLD.status = 'closed' THEN
            RAISE EXCEPTION 'proposal: voting has closed';
        END IF;
        IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
        RETURN NEW;
    END;
    $$ LANGUAGE plpgsql
    """,
    'CREATE TRIGGER proposal_closed_guard BEFORE UPDATE OR DELETE ON proposal FOR EACH ROW EXECUTE FUNCTION proposal_refuse_when_closed()',
    """
    CREATE OR REPLACE FUNCTION candidate_refuse_when_closed() RETURNS trigger AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN
            IF (SELECT status FROM proposal WHERE id = NEW.proposal_id) = 'closed' THEN
                RAISE EXCEPTION 'candidate: voting has closed';
            END IF;
            RETURN NEW;
        END IF;
        IF (SELECT status FROM proposal WHERE id = OLD.proposal_id) = 'closed' THEN
            RAISE EXCEPTION 'candidate: voting has closed';
        END IF;
        IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
        RETURN NEW;
    END;
    $$ LANGUAGE plpgsql
    """,
    'CREATE TRIGGER candidate_closed_guard BEFORE UPDATE OR DELETE ON candidate FOR EACH ROW EXECUTE FUNCTION candidate_refuse_when_closed()',
    """
    CREATE OR REPLACE FUNCTION ballot_tally_refuse_when_closed() RETURNS trigger AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN
            IF (SELECT status FROM proposal WHERE id = NEW.proposal_id) = 'closed' THEN
                RAISE EXCEPTION 'ballot_tally: voting has closed';
            END IF;
            RETURN NEW;
        END IF;
        IF (SELECT status FROM proposal WHERE id = OLD.proposal_id) = 'closed' THEN
            RAISE EXCEPTION 'ballot_tally: voting has closed';
        END IF;
        IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
        RETURN NEW;
    END;
    $$ LANGUAGE plpgsql
    """,
    'CREATE TRIGGER ballot_tally_closed_guard BEFORE UPDATE OR DELETE ON ballot_tally FOR EACH ROW EXECUTE FUNCTION ballot_tally_refuse_when_closed()',
    """
    CREATE OR REPLACE FUNCTION room_tally_refuse_when_closed() RETURNS trigger AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN
            IF (SELECT status FROM proposal WHERE id = NEW.proposal_id) = 'closed' THEN
                RAISE EXCEPTION 'room_tally: voting has closed';
            END IF;
            RETURN NEW;
        END IF;
        IF (SELECT status FROM proposal WHERE id = OLD.proposal_id) = 'closed' THEN
            RAISE EXCEPTION 'room_tally: voting has closed';
        END IF;
        IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
        RETURN NEW;
    END;
    $$ LANGUAGE plpgsql
    """,
    'CREATE TRIGGER room_tally_closed_guard BEFORE INSERT OR UPDATE OR DELETE ON room_tally FOR EACH ROW EXECUTE FUNCTION room_tally_refuse_when_closed()',
    """
    CREATE OR REPLACE FUNCTION vote_participation_refuse_when_closed() RETURNS trigger AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN
            IF (SELECT status FROM proposal WHERE id = NEW.proposal_id) = 'closed' THEN
                RAISE EXCEPTION 'vote_participation: voting has closed';
            END IF;
            RETURN NEW;
        END IF;
        IF (SELECT status FROM proposal WHERE id = OLD.proposal_id) = 'closed' THEN
            RAISE EXCEPTION 'vote_participation: voting has closed';
        END IF;
        IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
        RETURN NEW;
    END;
    $$ LANGUAGE plpgsql
    """,
    'CREATE TRIGGER vote_participation_closed_guard BEFORE INSERT OR UPDATE OR DELETE ON vote_participation FOR EACH ROW EXECUTE FUNCTION vote_participation_refuse_when_closed()',
    """
    CREATE OR REPLACE FUNCTION decision_refuse_change() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION 'decision is append-only';
    END;
    $$ LANGUAGE plpgsql
    """,
    'CREATE TRIGGER decision_append_only BEFORE UPDATE OR DELETE ON decision FOR EACH ROW EXECUTE FUNCTION decision_refuse_change()',
]
POSTGRES_DROP = [
    'DROP FUNCTION IF EXISTS proposal_refuse_when_closed() CASCADE',
    'DROP FUNCTION IF EXISTS candidate_refuse_when_closed() CASCADE',
    'DROP FUNCTION IF EXISTS ballot_tally_refuse_when_closed() CASCADE',
    'DROP FUNCTION IF EXISTS room_tally_refuse_when_closed() CASCADE',
    'DROP FUNCTION IF EXISTS vote_participation_refuse_when_closed() CASCADE',
    'DROP FUNCTION IF EXISTS decision_refuse_change() CASCADE',
]
SQLITE_DROP = [
    'DROP TRIGGER IF EXISTS proposal_closed_no_update',
    'DROP TRIGGER IF EXISTS proposal_closed_no_delete',
    'DROP TRIGGER IF EXISTS candidate_closed_no_update',
    'DROP TRIGGER IF EXISTS candidate_closed_no_delete',
    'DROP TRIGGER IF EXISTS ballot_tally_closed_no_update',
    'DROP TRIGGER IF EXISTS ballot_tally_closed_no_delete',
    'DROP TRIGGER IF EXISTS room_tally_closed_no_insert',
    'DROP TRIGGER IF EXISTS room_tally_closed_no_update',
    'DROP TRIGGER IF EXISTS room_tally_closed_no_delete',
    'DROP TRIGGER IF EXISTS vote_participation_closed_no_insert',
    'DROP TRIGGER IF EXISTS vote_participation_closed_no_update',
    'DROP TRIGGER IF EXISTS vote_participation_closed_no_delete',
    'DROP TRIGGER IF EXISTS decision_no_update',
    'DROP TRIGGER IF EXISTS decision_no_delete',
]


def _run(statements):
    for statement in statements:
        op.execute(statement)


def upgrade():
    op.create_table('decision_sequence',
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('last_number', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('year', name=op.f('pk_decision_sequence'))
    )
    op.create_table('general_meeting',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('starts_at', coop.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.Column('location_kind', sa.String(length=10), nullable=False),
    sa.Column('location', sa.String(length=300), nullable=True),
    sa.Column('online_url', sa.String(length=500), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('convened_at', coop.timeutil.UTCDateTime(timezone=True), nullable=True),
    sa.Column('opened_at', coop.timeutil.UTCDateTime(timezone=True), nullable=True),
    sa.Column('closed_at', coop.timeutil.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', coop.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("location_kind = 'online' OR location IS NOT NULL", name=op.f('ck_general_meeting_room_has_address')),
    sa.CheckConstraint("location_kind = 'physical' OR online_url IS NOT NULL", name=op.f('ck_general_meeting_online_has_link')),
    sa.CheckConstraint("location_kind IN ('physical', 'online', 'hybrid')", name=op.f('ck_general_meeting_location_kind_known')),
    sa.CheckConstraint("status IN ('draft', 'convened', 'open', 'closed')", name=op.f('ck_general_meeting_status_known')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_general_meeting'))
    )
    with op.batch_alter_table('general_meeting', schema=None) as batch_op:
        batch_op.create_index('ix_general_meeting_starts_at', ['starts_at'], unique=False)

    op.create_table('agenda_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('minutes', sa.Text(), nullable=True),
    sa.CheckConstraint('position > 0', name=op.f('ck_agenda_item_position_positive')),
    sa.ForeignKeyConstraint(['meeting_id'], ['general_meeting.id'], name=op.f('fk_agenda_item_meeting_id_general_meeting')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agenda_item')),
    sa.UniqueConstraint('meeting_id', 'position', name='uq_agenda_item_meeting_position')
    )
    op.create_table('agenda_document',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agenda_item_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('uploaded_at', coop.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('size > 0', name=op.f('ck_agenda_document_size_positive')),
    sa.ForeignKeyConstraint(['agenda_item_id'], ['agenda_item.id'], name=op.f('fk_agenda_document_agenda_item_id_agenda_item')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agenda_document'))
    )
    with op.batch_alter_table('agenda_document', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agenda_document_agenda_item_id'), ['agenda_item_id'], unique=False)

    op.create_table('attendance',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('mode', sa.String(length=10), nullable=False),
    sa.Column('checked_in_at', coop.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.Column('checked_in_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("mode IN ('in_person', 'online')", name=op.f('ck_attendance_mode_known')),
    sa.ForeignKeyConstraint(['checked_in_by_id'], ['user_account.id'], name=op.f('fk_attendance_checked_in_by_id_user_account')),
    sa.ForeignKeyConstraint(['meeting_id'], ['general_meeting.id'], name=op.f('fk_attendance_meeting_id_general_meeting')),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_attendance_person_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attendance')),
    sa.UniqueConstraint('meeting_id', 'person_id', name='uq_attendance_meeting_person')
    )
    op.create_table('convocation_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('member_number', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('name', sa.String(length=330), nullable=False),
    sa.Column('address', sa.Text(), nullable=False),
    sa.Column('sent_at', coop.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("channel IN ('email', 'letter')", name=op.f('ck_convocation_log_channel_known')),
    sa.ForeignKeyConstraint(['meeting_id'], ['general_meeting.id'], name=op.f('fk_convocation_log_meeting_id_general_meeting')),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_convocation_log_person_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_convocation_log')),
    sa.UniqueConstraint('meeting_id', 'person_id', name='uq_convocation_log_meeting_person')
    )
    with op.batch_alter_table('convocation_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_convocation_log_meeting_id'), ['meeting_id'], unique=False)

    op.create_table('proposal',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agenda_item_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('majority', sa.String(length=20), nullable=False),
    sa.Column('quorum_percent', sa.Integer(), nullable=True),
    sa.Column('secret', sa.Boolean(), nullable=False),
    sa.Column('seats', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('opened_at', coop.timeutil.UTCDateTime(timezone=True), nullable=True),
    sa.Column('closed_at', coop.timeutil.UTCDateTime(timezone=True), nullable=True),
    sa.Column('votes_for', sa.Integer(), nullable=True),
    sa.Column('votes_against', sa.Integer(), nullable=True),
    sa.Column('votes_abstain', sa.Integer(), nullable=True),
    sa.Column('votes_blank', sa.Integer(), nullable=True),
    sa.Column('votes_invalid', sa.Integer(), nullable=True),
    sa.Column('represented_count', sa.Integer(), nullable=True),
    sa.Column('eligible_count', sa.Integer(), nullable=True),
    sa.Column('outcome', sa.String(length=10), nullable=True),
    sa.Column('tie_resolution', sa.Text(), nullable=True),
    sa.CheckConstraint("(status = 'closed') = (outcome IS NOT NULL)", name=op.f('ck_proposal_closed_iff_outcome')),
    sa.CheckConstraint("kind IN ('matter', 'statute_amendment', 'annual_accounts', 'discharge', 'appointment', 'election')", name=op.f('ck_proposal_kind_known')),
    sa.CheckConstraint("majority IN ('more_than_half', 'two_thirds', 'three_quarters')", name=op.f('ck_proposal_majority_known')),
    sa.CheckConstraint("outcome IS NULL OR outcome IN ('adopted', 'rejected', 'no_quorum', 're_vote')", name=op.f('ck_proposal_outcome_known')),
    sa.CheckConstraint("status IN ('draft', 'open', 'closed')", name=op.f('ck_proposal_status_known')),
    sa.CheckConstraint('quorum_percent IS NULL OR quorum_percent BETWEEN 1 AND 100', name=op.f('ck_proposal_quorum_range')),
    sa.CheckConstraint('seats BETWEEN 1 AND 50', name=op.f('ck_proposal_seats_range')),
    sa.ForeignKeyConstraint(['agenda_item_id'], ['agenda_item.id'], name=op.f('fk_proposal_agenda_item_id_agenda_item')),
    sa.ForeignKeyConstraint(['meeting_id'], ['general_meeting.id'], name=op.f('fk_proposal_meeting_id_general_meeting')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proposal'))
    )
    with op.batch_alter_table('proposal', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_proposal_agenda_item_id'), ['agenda_item_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_proposal_meeting_id'), ['meeting_id'], unique=False)

    op.create_table('proxy',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('grantor_id', sa.Integer(), nullable=False),
    sa.Column('holder_id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('created_at', coop.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ended_at', coop.timeutil.UTCDateTime(timezone=True), nullable=True),
    sa.Column('registered_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("(status = 'active') = (ended_at IS NULL)", name=op.f('ck_proxy_ended_iff_not_active')),
    sa.CheckConstraint("source IN ('portal', 'paper')", name=op.f('ck_proxy_source_known')),
    sa.CheckConstraint("status IN ('active', 'withdrawn', 'lapsed')", name=op.f('ck_proxy_status_known')),
    sa.CheckConstraint('grantor_id <> holder_id', name=op.f('ck_proxy_not_to_self')),
    sa.ForeignKeyConstraint(['grantor_id'], ['person.id'], name=op.f('fk_proxy_grantor_id_person')),
    sa.ForeignKeyConstraint(['holder_id'], ['person.id'], name=op.f('fk_proxy_holder_id_person')),
    sa.ForeignKeyConstraint(['meeting_id'], ['general_meeting.id'], name=op.f('fk_proxy_meeting_id_general_meeting')),
    sa.ForeignKeyConstraint(['registered_by_id'], ['user_account.id'], name=op.f('fk_proxy_registered_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proxy'))
    )
    with op.batch_alter_table('proxy', schema=None) as batch_op:
        batch_op.create_index('ix_proxy_meeting_holder', ['meeting_id', 'holder_id'], unique=False)
        batch_op.create_index('uq_proxy_one_active', ['meeting_id', 'grantor_id'], unique=True, sqlite_where=sa.text("status = 'active'"), postgresql_where=sa.text("status = 'active'"))

    op.create_table('candidate',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('votes', sa.Integer(), nullable=True),
    sa.Column('elected', sa.Boolean(), nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_candidate_person_id_person')),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposal.id'], name=op.f('fk_candidate_proposal_id_proposal')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_candidate')),
    sa.UniqueConstraint('proposal_id', 'name', name='uq_candidate_proposal_name')
    )
    op.create_table('conflict_of_interest',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('since', sa.Date(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', coop.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_conflict_of_interest_person_id_person')),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposal.id'], name=op.f('fk_conflict_of_interest_proposal_id_proposal')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], name=op.f('fk_conflict_of_interest_recorded_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_conflict_of_interest'))
    )
    with op.batch_alter_table('conflict_of_interest', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_conflict_of_interest_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_conflict_of_interest_proposal_id'), ['proposal_id'], unique=False)

    op.create_table('decision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=20), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('sequence_number', sa.Integer(), nullable=False),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('outcome', sa.String(length=10), nullable=False),
    sa.Column('votes_for', sa.Integer(), nullable=False),
    sa.Column('votes_against', sa.Integer(), nullable=False),
    sa.Column('votes_abstain', sa.Integer(), nullable=False),
    sa.Column('votes_blank', sa.Integer(), nullable=False),
    sa.Column('votes_invalid', sa.Integer(), nullable=False),
    sa.Column('created_at', coop.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('matter', 'statute_amendment', 'annual_accounts', 'discharge', 'appointment', 'election')", name=op.f('ck_decision_kind_known')),
    sa.CheckConstraint("outcome IN ('adopted', 'rejected', 'no_quorum', 're_vote')", name=op.f('ck_decision_outcome_known')),
    sa.ForeignKeyConstraint(['meeting_id'], ['general_meeting.id'], name=op.f('fk_decision_meeting_id_general_meeting')),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposal.id'], name=op.f('fk_decision_proposal_id_proposal')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_decision')),
    sa.UniqueConstraint('number', name=op.f('uq_decision_number')),
    sa.UniqueConstraint('proposal_id', name=op.f('uq_decision_proposal_id')),
    sa.UniqueConstraint('year', 'sequence_number', name='uq_decision_year_sequence')
    )
    with op.batch_alter_table('decision', schema=None) as batch_op:
        batch_op.create_index('ix_decision_date_id', ['date', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_decision_meeting_id'), ['meeting_id'], unique=False)

    op.create_table('room_tally',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('method', sa.String(length=10), nullable=False),
    sa.Column('votes_for', sa.Integer(), nullable=False),
    sa.Column('votes_against', sa.Integer(), nullable=False),
    sa.Column('votes_abstain', sa.Integer(), nullable=False),
    sa.Column('votes_blank', sa.Integer(), nullable=False),
    sa.Column('votes_invalid', sa.Integer(), nullable=False),
    sa.Column('candidate_votes', sa.Text(), nullable=True),
    sa.Column('recorded_at', coop.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("method IN ('hands', 'paper')", name=op.f('ck_room_tally_method_known')),
    sa.CheckConstraint('votes_for >= 0 AND votes_against >= 0 AND votes_abstain >= 0 AND votes_blank >= 0 AND votes_invalid >= 0', name=op.f('ck_room_tally_counts_nonnegative')),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposal.id'], name=op.f('fk_room_tally_proposal_id_proposal')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], name=op.f('fk_room_tally_recorded_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_room_tally')),
    sa.UniqueConstraint('proposal_id', name=op.f('uq_room_tally_proposal_id'))
    )
    op.create_table('vote_participation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('voter_id', sa.Integer(), nullable=False),
    sa.Column('cast_by_id', sa.Integer(), nullable=False),
    sa.Column('proxy_id', sa.Integer(), nullable=True),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('choice', sa.String(length=10), nullable=True),
    sa.Column('cast_at', coop.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("channel IN ('online')", name=op.f('ck_vote_participation_channel_known')),
    sa.CheckConstraint("choice IS NULL OR choice IN ('for', 'against', 'abstain', 'blank', 'invalid')", name=op.f('ck_vote_participation_choice_known')),
    sa.CheckConstraint('(proxy_id IS NULL) = (cast_by_id = voter_id)', name=op.f('ck_vote_participation_proxy_iff_cast_for_another')),
    sa.ForeignKeyConstraint(['cast_by_id'], ['person.id'], name=op.f('fk_vote_participation_cast_by_id_person')),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposal.id'], name=op.f('fk_vote_participation_proposal_id_proposal')),
    sa.ForeignKeyConstraint(['proxy_id'], ['proxy.id'], name=op.f('fk_vote_participation_proxy_id_proxy')),
    sa.ForeignKeyConstraint(['voter_id'], ['person.id'], name=op.f('fk_vote_participation_voter_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_vote_participation')),
    sa.UniqueConstraint('proposal_id', 'voter_id', name='uq_vote_participation_proposal_voter')
    )
    with op.batch_alter_table('vote_participation', schema=None) as batch_op:
        batch_op.create_index('ix_vote_participation_cast_by', ['proposal_id', 'cast_by_id'], unique=False)

    op.create_table('ballot_tally',
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('option', sa.String(length=30), nullable=False),
    sa.Column('candidate_id', sa.Integer(), nullable=True),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.CheckConstraint("(candidate_id IS NULL) = (option NOT LIKE 'candidate:%')", name=op.f('ck_ballot_tally_candidate_option_has_candidate')),
    sa.CheckConstraint('count >= 0', name=op.f('ck_ballot_tally_count_nonnegative')),
    sa.ForeignKeyConstraint(['candidate_id'], ['candidate.id'], name=op.f('fk_ballot_tally_candidate_id_candidate')),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposal.id'], name=op.f('fk_ballot_tally_proposal_id_proposal')),
    sa.PrimaryKeyConstraint('proposal_id', 'option', name=op.f('pk_ballot_tally'))
    )

    if op.get_bind().dialect.name == "postgresql":
        _run(POSTGRES_TRIGGERS)
    else:
        _run(SQLITE_TRIGGERS)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        _run(POSTGRES_DROP)
    else:
        _run(SQLITE_DROP)
    op.drop_table('ballot_tally')
    with op.batch_alter_table('vote_participation', schema=None) as batch_op:
        batch_op.drop_index('ix_vote_participation_cast_by')

    op.drop_table('vote_participation')
    op.drop_table('room_tally')
    with op.batch_alter_table('decision', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_decision_meeting_id'))
        batch_op.drop_index('ix_decision_date_id')

    op.drop_table('decision')
    with op.batch_alter_table('conflict_of_interest', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_conflict_of_interest_proposal_id'))
        batch_op.drop_index(batch_op.f('ix_conflict_of_interest_person_id'))

    op.drop_table('conflict_of_interest')
    op.drop_table('candidate')
    with op.batch_alter_table('proxy', schema=None) as batch_op:
        batch_op.drop_index('uq_proxy_one_active', sqlite_where=sa.text("status = 'active'"), postgresql_where=sa.text("status = 'active'"))
        batch_op.drop_index('ix_proxy_meeting_holder')

    op.drop_table('proxy')
    with op.batch_alter_table('proposal', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_proposal_meeting_id'))
        batch_op.drop_index(batch_op.f('ix_proposal_agenda_item_id'))

    op.drop_table('proposal')
    with op.batch_alter_table('convocation_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_convocation_log_meeting_id'))

    op.drop_table('convocation_log')
    op.drop_table('attendance')
    with op.batch_alter_table('agenda_document', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agenda_document_agenda_item_id'))

    op.drop_table('agenda_document')
    op.drop_table('agenda_item')
    with op.batch_alter_table('general_meeting', schema=None) as batch_op:
        batch_op.drop_index('ix_general_meeting_starts_at')

    op.drop_table('general_meeting')
    op.drop_table('decision_sequence')
