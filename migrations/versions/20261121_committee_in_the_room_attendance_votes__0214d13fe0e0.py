"""committee in the room: attendance, votes, actas, commitments, deadlines

Revision ID: 0214d13fe0e0
Revises: dc7e37f53a2e
Create Date: 2026-11-21 09:11:19.890496

"""
from alembic import op
import sqlalchemy as sa
import portal.db  # noqa: F401  (UTCDateTime)


# revision identifiers, used by Alembic.
revision = '0214d13fe0e0'
down_revision = 'dc7e37f53a2e'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('committee_actas',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.Enum('borrador', 'enviada', 'con_observaciones', 'aprobada', 'suscrita', name='acta_state', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('current_version', sa.Integer(), nullable=False),
    sa.Column('sent_at', portal.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('sent_by_id', sa.Integer(), nullable=True),
    sa.Column('last_observation_at', portal.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('approval', sa.Enum('expresa', 'tacita', 'version_definitiva', name='acta_approval', native_enum=False, create_constraint=True, length=40), nullable=True),
    sa.Column('approved_at', portal.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('signed_at', portal.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', portal.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', portal.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("(state <> 'suscrita') OR (signed_at IS NOT NULL)", name=op.f('ck_committee_actas_signed_has_time')),
    sa.CheckConstraint("(state = 'borrador') OR (sent_at IS NOT NULL)", name=op.f('ck_committee_actas_sent_has_time')),
    sa.CheckConstraint("(state NOT IN ('aprobada', 'suscrita')) OR (approved_at IS NOT NULL AND approval IS NOT NULL)", name=op.f('ck_committee_actas_approved_has_time')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_committee_actas_created_by_id_users')),
    sa.ForeignKeyConstraint(['sent_by_id'], ['users.id'], name=op.f('fk_committee_actas_sent_by_id_users')),
    sa.ForeignKeyConstraint(['session_id'], ['committee_sessions.id'], name=op.f('fk_committee_actas_session_id_committee_sessions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_committee_actas')),
    sa.UniqueConstraint('session_id', name=op.f('uq_committee_actas_session_id'))
    )
    op.create_table('committee_documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('purpose', sa.String(length=40), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=False),
    sa.Column('uploaded_at', portal.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['session_id'], ['committee_sessions.id'], name=op.f('fk_committee_documents_session_id_committee_sessions')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_committee_documents_uploaded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_committee_documents'))
    )
    with op.batch_alter_table('committee_documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_committee_documents_session_id'), ['session_id'], unique=False)

    op.create_table('acta_responses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('acta_id', sa.Integer(), nullable=False),
    sa.Column('version_number', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('aprobacion', 'observaciones', name='acta_response_kind', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('text', sa.Text(), nullable=True),
    sa.Column('at', portal.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("(kind <> 'observaciones') OR (text IS NOT NULL)", name=op.f('ck_acta_responses_observations_have_text')),
    sa.ForeignKeyConstraint(['acta_id'], ['committee_actas.id'], name=op.f('fk_acta_responses_acta_id_committee_actas')),
    sa.ForeignKeyConstraint(['member_id'], ['committee_members.id'], name=op.f('fk_acta_responses_member_id_committee_members')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_acta_responses_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_acta_responses'))
    )
    with op.batch_alter_table('acta_responses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_acta_responses_acta_id'), ['acta_id'], unique=False)

    op.create_table('acta_signatures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('acta_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('version_number', sa.Integer(), nullable=False),
    sa.Column('signed_at', portal.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['acta_id'], ['committee_actas.id'], name=op.f('fk_acta_signatures_acta_id_committee_actas')),
    sa.ForeignKeyConstraint(['member_id'], ['committee_members.id'], name=op.f('fk_acta_signatures_member_id_committee_members')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_acta_signatures_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_acta_signatures')),
    sa.UniqueConstraint('acta_id', 'member_id', name='uq_acta_signatures_acta_member')
    )
    with op.batch_alter_table('acta_signatures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_acta_signatures_acta_id'), ['acta_id'], unique=False)

    op.create_table('acta_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('acta_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('borrador', 'definitiva', name='acta_version_kind', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('body', sa.JSON(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', portal.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['acta_id'], ['committee_actas.id'], name=op.f('fk_acta_versions_acta_id_committee_actas')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_acta_versions_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_acta_versions')),
    sa.UniqueConstraint('acta_id', 'number', name='uq_acta_versions_acta_number')
    )
    with op.batch_alter_table('acta_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_acta_versions_acta_id'), ['acta_id'], unique=False)

    op.create_table('session_attendance',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('integrante', 'delegado', 'invitado', name='attendance_kind', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=True),
    sa.Column('guest_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('position', sa.String(length=200), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('communication_id', sa.Integer(), nullable=True),
    sa.Column('arrived_at', portal.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('left_at', portal.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', portal.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("(kind <> 'delegado') OR (communication_id IS NOT NULL)", name=op.f('ck_session_attendance_delegate_has_communication')),
    sa.CheckConstraint("(kind = 'invitado') = (member_id IS NULL)", name=op.f('ck_session_attendance_member_unless_guest')),
    sa.CheckConstraint('(left_at IS NULL) OR (left_at >= arrived_at)', name=op.f('ck_session_attendance_leaves_after_arrival')),
    sa.ForeignKeyConstraint(['communication_id'], ['committee_documents.id'], name=op.f('fk_session_attendance_communication_id_committee_documents')),
    sa.ForeignKeyConstraint(['guest_id'], ['session_guests.id'], name=op.f('fk_session_attendance_guest_id_session_guests')),
    sa.ForeignKeyConstraint(['member_id'], ['committee_members.id'], name=op.f('fk_session_attendance_member_id_committee_members')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_session_attendance_recorded_by_id_users')),
    sa.ForeignKeyConstraint(['session_id'], ['committee_sessions.id'], name=op.f('fk_session_attendance_session_id_committee_sessions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_session_attendance')),
    sa.UniqueConstraint('session_id', 'guest_id', name='uq_session_attendance_guest'),
    sa.UniqueConstraint('session_id', 'member_id', name='uq_session_attendance_member')
    )
    with op.batch_alter_table('session_attendance', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_session_attendance_session_id'), ['session_id'], unique=False)

    op.create_table('agenda_item_decisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('voting_members', sa.Integer(), nullable=False),
    sa.Column('present_voting', sa.Integer(), nullable=False),
    sa.Column('votes_for', sa.Integer(), nullable=False),
    sa.Column('votes_against', sa.Integer(), nullable=False),
    sa.Column('abstentions', sa.Integer(), nullable=False),
    sa.Column('not_voted', sa.Integer(), nullable=False),
    sa.Column('outcome', sa.Enum('aprobada', 'rechazada', 'empate', 'sin_decision', name='item_outcome', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('casting_decision', sa.Enum('aprobada', 'rechazada', 'empate', 'sin_decision', name='item_casting_decision', native_enum=False, create_constraint=True, length=40), nullable=True),
    sa.Column('casting_by_id', sa.Integer(), nullable=True),
    sa.Column('casting_at', portal.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('casting_note', sa.Text(), nullable=True),
    sa.Column('closed_by_id', sa.Integer(), nullable=False),
    sa.Column('closed_at', portal.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("(outcome = 'empate') OR (casting_decision IS NULL)", name=op.f('ck_agenda_item_decisions_casting_only_on_tie')),
    sa.CheckConstraint('(casting_decision IS NULL) = (casting_by_id IS NULL)', name=op.f('ck_agenda_item_decisions_casting_has_author')),
    sa.CheckConstraint('votes_for + votes_against + abstentions + not_voted = present_voting', name=op.f('ck_agenda_item_decisions_counts_add_up')),
    sa.ForeignKeyConstraint(['casting_by_id'], ['users.id'], name=op.f('fk_agenda_item_decisions_casting_by_id_users')),
    sa.ForeignKeyConstraint(['closed_by_id'], ['users.id'], name=op.f('fk_agenda_item_decisions_closed_by_id_users')),
    sa.ForeignKeyConstraint(['item_id'], ['agenda_items.id'], name=op.f('fk_agenda_item_decisions_item_id_agenda_items')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agenda_item_decisions')),
    sa.UniqueConstraint('item_id', name=op.f('uq_agenda_item_decisions_item_id'))
    )
    op.create_table('agenda_votes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('choice', sa.Enum('a_favor', 'en_contra', 'abstencion', name='vote_choice', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('cast_by_id', sa.Integer(), nullable=False),
    sa.Column('cast_at', portal.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['cast_by_id'], ['users.id'], name=op.f('fk_agenda_votes_cast_by_id_users')),
    sa.ForeignKeyConstraint(['item_id'], ['agenda_items.id'], name=op.f('fk_agenda_votes_item_id_agenda_items')),
    sa.ForeignKeyConstraint(['member_id'], ['committee_members.id'], name=op.f('fk_agenda_votes_member_id_committee_members')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agenda_votes')),
    sa.UniqueConstraint('item_id', 'member_id', name='uq_agenda_votes_item_member')
    )
    with op.batch_alter_table('agenda_votes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agenda_votes_item_id'), ['item_id'], unique=False)

    op.create_table('committee_commitments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=True),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('responsible_id', sa.Integer(), nullable=True),
    sa.Column('responsible_name', sa.String(length=200), nullable=False),
    sa.Column('dependency_id', sa.Integer(), nullable=True),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('state', sa.Enum('pendiente', 'cumplido', 'cancelado', name='commitment_state', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('closed_at', portal.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('closing_note', sa.Text(), nullable=True),
    sa.Column('overdue_notified_at', portal.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', portal.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("(state = 'pendiente') OR (closed_at IS NOT NULL)", name=op.f('ck_committee_commitments_closed_has_time')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_committee_commitments_created_by_id_users')),
    sa.ForeignKeyConstraint(['dependency_id'], ['dependencies.id'], name=op.f('fk_committee_commitments_dependency_id_dependencies')),
    sa.ForeignKeyConstraint(['item_id'], ['agenda_items.id'], name=op.f('fk_committee_commitments_item_id_agenda_items')),
    sa.ForeignKeyConstraint(['responsible_id'], ['users.id'], name=op.f('fk_committee_commitments_responsible_id_users')),
    sa.ForeignKeyConstraint(['session_id'], ['committee_sessions.id'], name=op.f('fk_committee_commitments_session_id_committee_sessions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_committee_commitments'))
    )
    with op.batch_alter_table('committee_commitments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_committee_commitments_session_id'), ['session_id'], unique=False)
        batch_op.create_index('ix_committee_commitments_state_due', ['state', 'due_date'], unique=False)

    op.create_table('commitment_followups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('commitment_id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('state', sa.Enum('pendiente', 'cumplido', 'cancelado', name='followup_commitment_state', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('at', portal.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['commitment_id'], ['committee_commitments.id'], name=op.f('fk_commitment_followups_commitment_id_committee_commitments')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_commitment_followups_recorded_by_id_users')),
    sa.ForeignKeyConstraint(['session_id'], ['committee_sessions.id'], name=op.f('fk_commitment_followups_session_id_committee_sessions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_commitment_followups'))
    )
    with op.batch_alter_table('commitment_followups', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_commitment_followups_commitment_id'), ['commitment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_commitment_followups_session_id'), ['session_id'], unique=False)

    op.create_table('committee_deadlines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('envio_acta', 'observaciones', 'version_definitiva', 'compromiso', name='deadline_kind', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('acta_id', sa.Integer(), nullable=True),
    sa.Column('commitment_id', sa.Integer(), nullable=True),
    sa.Column('counted_from', sa.Date(), nullable=False),
    sa.Column('business_days', sa.Integer(), nullable=True),
    sa.Column('due_at', portal.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('warn_at', portal.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('warned_at', portal.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('missed_at', portal.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('closed_at', portal.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('outcome', sa.Enum('cumplido', 'cumplido_tarde', 'cerrado', 'reemplazado', 'anulado', name='deadline_outcome', native_enum=False, create_constraint=True, length=40), nullable=True),
    sa.Column('created_at', portal.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('(acta_id IS NULL) <> (commitment_id IS NULL)', name=op.f('ck_committee_deadlines_acta_or_commitment')),
    sa.CheckConstraint('(closed_at IS NULL) = (outcome IS NULL)', name=op.f('ck_committee_deadlines_closed_has_outcome')),
    sa.CheckConstraint('warn_at <= due_at', name=op.f('ck_committee_deadlines_warns_before_due')),
    sa.ForeignKeyConstraint(['acta_id'], ['committee_actas.id'], name=op.f('fk_committee_deadlines_acta_id_committee_actas')),
    sa.ForeignKeyConstraint(['commitment_id'], ['committee_commitments.id'], name=op.f('fk_committee_deadlines_commitment_id_committee_commitments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_committee_deadlines'))
    )
    with op.batch_alter_table('committee_deadlines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_committee_deadlines_acta_id'), ['acta_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_committee_deadlines_commitment_id'), ['commitment_id'], unique=False)
        batch_op.create_index('ix_committee_deadlines_open_due', ['due_at'], unique=False, postgresql_where=sa.text('closed_at IS NULL'), sqlite_where=sa.text('closed_at IS NULL'))
        batch_op.create_index('ix_committee_deadlines_open_warn', ['warn_at'], unique=False, postgresql_where=sa.text('closed_at IS NULL'), sqlite_where=sa.text('closed_at IS NULL'))

    with op.batch_alter_table('agenda_items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('notes', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('voting_opened_at', portal.db.UTCDateTime(timezone=True), nullable=True))

    with op.batch_alter_table('committee_sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('opened_at', portal.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('closed_at', portal.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.drop_constraint(op.f('ck_committee_sessions_session_state'), type_='check')
        batch_op.create_check_constraint('session_state', "state IN ('programada', 'convocada', 'en_curso', 'realizada', 'cancelada')")
        batch_op.create_check_constraint('held_has_opening', "(state NOT IN ('en_curso', 'realizada')) OR (opened_at IS NOT NULL)")
        batch_op.create_check_constraint('held_has_closing', "(state <> 'realizada') OR (closed_at IS NOT NULL)")



def downgrade():
    with op.batch_alter_table('committee_sessions', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_committee_sessions_held_has_closing'), type_='check')
        batch_op.drop_constraint(op.f('ck_committee_sessions_held_has_opening'), type_='check')
        batch_op.drop_constraint(op.f('ck_committee_sessions_session_state'), type_='check')
        batch_op.create_check_constraint('session_state', "state IN ('programada', 'convocada', 'realizada', 'cancelada')")
        batch_op.drop_column('closed_at')
        batch_op.drop_column('opened_at')

    with op.batch_alter_table('agenda_items', schema=None) as batch_op:
        batch_op.drop_column('voting_opened_at')
        batch_op.drop_column('notes')

    with op.batch_alter_table('committee_deadlines', schema=None) as batch_op:
        batch_op.drop_index('ix_committee_deadlines_open_warn', postgresql_where=sa.text('closed_at IS NULL'), sqlite_where=sa.text('closed_at IS NULL'))
        batch_op.drop_index('ix_committee_deadlines_open_due', postgresql_where=sa.text('closed_at IS NULL'), sqlite_where=sa.text('closed_at IS NULL'))
        batch_op.drop_index(batch_op.f('ix_committee_deadlines_commitment_id'))
        batch_op.drop_index(batch_op.f('ix_committee_deadlines_acta_id'))

    op.drop_table('committee_deadlines')
    with op.batch_alter_table('commitment_followups', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_commitment_followups_session_id'))
        batch_op.drop_index(batch_op.f('ix_commitment_followups_commitment_id'))

    op.drop_table('commitment_followups')
    with op.batch_alter_table('committee_commitments', schema=None) as batch_op:
        batch_op.drop_index('ix_committee_commitments_state_due')
        batch_op.drop_index(batch_op.f('ix_committee_commitments_session_id'))

    op.drop_table('committee_commitments')
    with op.batch_alter_table('agenda_votes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agenda_votes_item_id'))

    op.drop_table('agenda_votes')
    op.drop_table('agenda_item_decisions')
    with op.batch_alter_table('session_attendance', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_session_attendance_session_id'))

    op.drop_table('session_attendance')
    with op.batch_alter_table('acta_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_acta_versions_acta_id'))

    op.drop_table('acta_versions')
    with op.batch_alter_table('acta_signatures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_acta_signatures_acta_id'))

    op.drop_table('acta_signatures')
    with op.batch_alter_table('acta_responses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_acta_responses_acta_id'))

    op.drop_table('acta_responses')
    with op.batch_alter_table('committee_documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_committee_documents_session_id'))

    op.drop_table('committee_documents')
    op.drop_table('committee_actas')
