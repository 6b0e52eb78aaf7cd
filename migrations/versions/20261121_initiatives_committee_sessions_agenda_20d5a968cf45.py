"""initiatives, committee members, sessions, agenda, guests and convocations

Revision ID: 20d5a968cf45
Revises: 79b32327577b
Create Date: 2026-11-21 07:37:05.318646

"""
from alembic import op
import sqlalchemy as sa
import portal.db  # noqa: F401  (UTCDateTime)

# revision identifiers, used by Alembic.
revision = '20d5a968cf45'
down_revision = '79b32327577b'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('initiative_counters',
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('last_value', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('year', name=op.f('pk_initiative_counters'))
    )
    op.create_table('committee_members',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.String(length=200), nullable=False),
    sa.Column('is_voting', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column('dependency_id', sa.Integer(), nullable=True),
    sa.Column('is_chair', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('is_technical_secretariat', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('is_active', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column('created_at', portal.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', portal.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('(NOT is_chair) OR is_voting', name=op.f('ck_committee_members_chair_votes')),
    sa.ForeignKeyConstraint(['dependency_id'], ['dependencies.id'], name=op.f('fk_committee_members_dependency_id_dependencies')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_committee_members_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_committee_members'))
    )
    with op.batch_alter_table('committee_members', schema=None) as batch_op:
        batch_op.create_index('uq_committee_members_active_chair', ['is_chair'], unique=True, postgresql_where=sa.text('is_chair AND is_active'), sqlite_where=sa.text('is_chair AND is_active'))
        batch_op.create_index('uq_committee_members_active_user', ['user_id'], unique=True, postgresql_where=sa.text('is_active'), sqlite_where=sa.text('is_active'))

    op.create_table('committee_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('ordinaria', 'extraordinaria', name='session_kind', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('state', sa.Enum('programada', 'convocada', 'realizada', 'cancelada', name='session_state', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('starts_at', portal.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ends_at', portal.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('place', sa.String(length=300), nullable=True),
    sa.Column('virtual_link', sa.String(length=500), nullable=True),
    sa.Column('requested_inputs', sa.Text(), nullable=True),
    sa.Column('requested_by_member_id', sa.Integer(), nullable=True),
    sa.Column('extraordinary_reason', sa.Text(), nullable=True),
    sa.Column('ics_uid', sa.String(length=200), nullable=False),
    sa.Column('ics_sequence', sa.Integer(), nullable=True),
    sa.Column('convened_at', portal.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_convened_at', portal.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('has_unsent_changes', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('cancelled_at', portal.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('cancel_reason', sa.Text(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', portal.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', portal.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("(kind <> 'extraordinaria') OR (requested_by_member_id IS NOT NULL AND extraordinary_reason IS NOT NULL)", name=op.f('ck_committee_sessions_extraordinary_requested')),
    sa.CheckConstraint("(state <> 'cancelada') OR (cancelled_at IS NOT NULL AND cancel_reason IS NOT NULL)", name=op.f('ck_committee_sessions_cancel_reason')),
    sa.CheckConstraint("(state <> 'convocada') OR (convened_at IS NOT NULL)", name=op.f('ck_committee_sessions_convened_has_time')),
    sa.CheckConstraint('(place IS NOT NULL) OR (virtual_link IS NOT NULL)', name=op.f('ck_committee_sessions_has_place_or_link')),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_committee_sessions_ends_after_start')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_committee_sessions_created_by_id_users')),
    sa.ForeignKeyConstraint(['requested_by_member_id'], ['committee_members.id'], name=op.f('fk_committee_sessions_requested_by_member_id_committee_members')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_committee_sessions')),
    sa.UniqueConstraint('ics_uid', name=op.f('uq_committee_sessions_ics_uid')),
    sa.UniqueConstraint('year', 'number', name='uq_committee_sessions_year_number')
    )
    with op.batch_alter_table('committee_sessions', schema=None) as batch_op:
        batch_op.create_index('ix_committee_sessions_starts_at', ['starts_at'], unique=False)

    op.create_table('initiatives',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('dependency_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('objective', sa.Text(), nullable=False),
    sa.Column('is_in_peti', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('estimated_budget', sa.BigInteger(), nullable=True),
    sa.Column('funding_source', sa.Enum('recursos_propios', 'sgp', 'sgr', 'cofinanciacion', 'cooperacion', 'credito', 'otra', name='funding_source', native_enum=False, create_constraint=True, length=40), nullable=True),
    sa.Column('start_date', sa.Date(), nullable=True),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('sponsor', sa.String(length=200), nullable=True),
    sa.Column('state', sa.Enum('registrada', 'postulada', 'en_agenda', 'aprobada', 'rechazada', 'aplazada', 'en_ejecucion', 'finalizada', name='initiative_state', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('registered_by_id', sa.Integer(), nullable=False),
    sa.Column('postulation_requested_at', portal.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('postulation_requested_by_id', sa.Integer(), nullable=True),
    sa.Column('postulated_at', portal.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('postulation_confirmed_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', portal.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('decision_note', sa.Text(), nullable=True),
    sa.Column('decision_session_id', sa.Integer(), nullable=True),
    sa.Column('execution_started_at', portal.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('finished_at', portal.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('progress_percent', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('created_at', portal.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', portal.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("(state <> 'finalizada') OR (finished_at IS NOT NULL)", name=op.f('ck_initiatives_finished_has_time')),
    sa.CheckConstraint("(state = 'registrada') OR (postulated_at IS NOT NULL AND postulation_confirmed_by_id IS NOT NULL)", name=op.f('ck_initiatives_postulated_is_confirmed')),
    sa.CheckConstraint("(state NOT IN ('aprobada', 'rechazada', 'aplazada', 'en_ejecucion', 'finalizada')) OR (decided_at IS NOT NULL)", name=op.f('ck_initiatives_decided_has_time')),
    sa.CheckConstraint("(state NOT IN ('en_ejecucion', 'finalizada')) OR (execution_started_at IS NOT NULL)", name=op.f('ck_initiatives_execution_has_start')),
    sa.CheckConstraint('(estimated_budget IS NULL) OR (estimated_budget >= 0)', name=op.f('ck_initiatives_budget_not_negative')),
    sa.CheckConstraint('(postulation_requested_at IS NULL) = (postulation_requested_by_id IS NULL)', name=op.f('ck_initiatives_postulation_request_complete')),
    sa.CheckConstraint('(start_date IS NULL) OR (end_date IS NULL) OR (end_date >= start_date)', name=op.f('ck_initiatives_dates_ordered')),
    sa.CheckConstraint('progress_percent BETWEEN 0 AND 100', name=op.f('ck_initiatives_progress_range')),
    sa.ForeignKeyConstraint(['decision_session_id'], ['committee_sessions.id'], name=op.f('fk_initiatives_decision_session_id_committee_sessions')),
    sa.ForeignKeyConstraint(['dependency_id'], ['dependencies.id'], name=op.f('fk_initiatives_dependency_id_dependencies')),
    sa.ForeignKeyConstraint(['postulation_confirmed_by_id'], ['users.id'], name=op.f('fk_initiatives_postulation_confirmed_by_id_users')),
    sa.ForeignKeyConstraint(['postulation_requested_by_id'], ['users.id'], name=op.f('fk_initiatives_postulation_requested_by_id_users')),
    sa.ForeignKeyConstraint(['registered_by_id'], ['users.id'], name=op.f('fk_initiatives_registered_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_initiatives')),
    sa.UniqueConstraint('code', name=op.f('uq_initiatives_code'))
    )
    with op.batch_alter_table('initiatives', schema=None) as batch_op:
        batch_op.create_index('ix_initiatives_state_dependency', ['state', 'dependency_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_initiatives_year'), ['year'], unique=False)

    op.create_table('session_convocations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('method', sa.String(length=10), nullable=False),
    sa.Column('sent_at', portal.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('sent_by_id', sa.Integer(), nullable=False),
    sa.Column('session_starts_at', portal.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('days_before', sa.Integer(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('recipients', sa.JSON(), nullable=False),
    sa.Column('ics', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['sent_by_id'], ['users.id'], name=op.f('fk_session_convocations_sent_by_id_users')),
    sa.ForeignKeyConstraint(['session_id'], ['committee_sessions.id'], name=op.f('fk_session_convocations_session_id_committee_sessions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_session_convocations')),
    sa.UniqueConstraint('session_id', 'sequence', name='uq_session_convocations_session_sequence')
    )
    with op.batch_alter_table('session_convocations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_session_convocations_session_id'), ['session_id'], unique=False)

    op.create_table('session_guests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('organization', sa.String(length=200), nullable=True),
    sa.Column('created_at', portal.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['session_id'], ['committee_sessions.id'], name=op.f('fk_session_guests_session_id_committee_sessions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_session_guests')),
    sa.UniqueConstraint('session_id', 'email', name='uq_session_guests_session_email')
    )
    with op.batch_alter_table('session_guests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_session_guests_session_id'), ['session_id'], unique=False)

    op.create_table('agenda_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('verificacion_quorum', 'acta_anterior', 'seguimiento_compromisos', 'iniciativa', 'tema', 'proposiciones_varios', name='agenda_item_kind', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('initiative_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("(kind = 'iniciativa') = (initiative_id IS NOT NULL)", name=op.f('ck_agenda_items_initiative_item_has_initiative')),
    sa.ForeignKeyConstraint(['initiative_id'], ['initiatives.id'], name=op.f('fk_agenda_items_initiative_id_initiatives')),
    sa.ForeignKeyConstraint(['session_id'], ['committee_sessions.id'], name=op.f('fk_agenda_items_session_id_committee_sessions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agenda_items')),
    sa.UniqueConstraint('session_id', 'initiative_id', name='uq_agenda_items_session_initiative'),
    sa.UniqueConstraint('session_id', 'position', name='uq_agenda_items_session_position')
    )
    with op.batch_alter_table('agenda_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agenda_items_initiative_id'), ['initiative_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_agenda_items_session_id'), ['session_id'], unique=False)

    op.create_table('initiative_documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('initiative_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=False),
    sa.Column('uploaded_at', portal.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['initiative_id'], ['initiatives.id'], name=op.f('fk_initiative_documents_initiative_id_initiatives')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_initiative_documents_uploaded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_initiative_documents'))
    )
    with op.batch_alter_table('initiative_documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_initiative_documents_initiative_id'), ['initiative_id'], unique=False)

    op.create_table('initiative_enablers',
    sa.Column('initiative_id', sa.Integer(), nullable=False),
    sa.Column('enabler', sa.Enum('arquitectura', 'seguridad_privacidad', 'servicios_ciudadanos_digitales', 'cultura_apropiacion', name='enabler', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.ForeignKeyConstraint(['initiative_id'], ['initiatives.id'], name=op.f('fk_initiative_enablers_initiative_id_initiatives'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('initiative_id', 'enabler', name=op.f('pk_initiative_enablers'))
    )
    op.create_table('initiative_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('initiative_id', sa.Integer(), nullable=False),
    sa.Column('at', portal.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('from_state', sa.String(length=20), nullable=True),
    sa.Column('to_state', sa.String(length=20), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_initiative_events_actor_id_users')),
    sa.ForeignKeyConstraint(['initiative_id'], ['initiatives.id'], name=op.f('fk_initiative_events_initiative_id_initiatives')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_initiative_events'))
    )
    with op.batch_alter_table('initiative_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_initiative_events_initiative_id'), ['initiative_id'], unique=False)

    op.create_table('initiative_progress_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('initiative_id', sa.Integer(), nullable=False),
    sa.Column('reported_on', sa.Date(), nullable=False),
    sa.Column('percent', sa.Integer(), nullable=False),
    sa.Column('indicators', sa.Text(), nullable=False),
    sa.Column('risks', sa.Text(), nullable=True),
    sa.Column('reported_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', portal.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('percent BETWEEN 0 AND 100', name=op.f('ck_initiative_progress_reports_percent_range')),
    sa.ForeignKeyConstraint(['initiative_id'], ['initiatives.id'], name=op.f('fk_initiative_progress_reports_initiative_id_initiatives')),
    sa.ForeignKeyConstraint(['reported_by_id'], ['users.id'], name=op.f('fk_initiative_progress_reports_reported_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_initiative_progress_reports'))
    )
    with op.batch_alter_table('initiative_progress_reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_initiative_progress_reports_initiative_id'), ['initiative_id'], unique=False)


def downgrade():
    with op.batch_alter_table('initiative_progress_reports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_initiative_progress_reports_initiative_id'))

    op.drop_table('initiative_progress_reports')
    with op.batch_alter_table('initiative_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_initiative_events_initiative_id'))

    op.drop_table('initiative_events')
    op.drop_table('initiative_enablers')
    with op.batch_alter_table('initiative_documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_initiative_documents_initiative_id'))

    op.drop_table('initiative_documents')
    with op.batch_alter_table('agenda_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agenda_items_session_id'))
        batch_op.drop_index(batch_op.f('ix_agenda_items_initiative_id'))

    op.drop_table('agenda_items')
    with op.batch_alter_table('session_guests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_session_guests_session_id'))

    op.drop_table('session_guests')
    with op.batch_alter_table('session_convocations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_session_convocations_session_id'))

    op.drop_table('session_convocations')
    with op.batch_alter_table('initiatives', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_initiatives_year'))
        batch_op.drop_index('ix_initiatives_state_dependency')

    op.drop_table('initiatives')
    with op.batch_alter_table('committee_sessions', schema=None) as batch_op:
        batch_op.drop_index('ix_committee_sessions_starts_at')

    op.drop_table('committee_sessions')
    with op.batch_alter_table('committee_members', schema=None) as batch_op:
        batch_op.drop_index('uq_committee_members_active_user', postgresql_where=sa.text('is_active'), sqlite_where=sa.text('is_active'))
        batch_op.drop_index('uq_committee_members_active_chair', postgresql_where=sa.text('is_chair AND is_active'), sqlite_where=sa.text('is_chair AND is_active'))

    op.drop_table('committee_members')
    op.drop_table('initiative_counters')
