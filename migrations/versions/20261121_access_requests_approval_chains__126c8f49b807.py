"""access requests, approval chains, delegations

Revision ID: 126c8f49b807
Revises: 571414778811
Create Date: 2026-11-21 06:56:59.831527

"""
from alembic import op
import sqlalchemy as sa
import portal.db  # noqa: F401  (UTCDateTime)


# revision identifiers, used by Alembic.
revision = '126c8f49b807'
down_revision = '571414778811'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('approval_policies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('form', sa.Enum('FO-M11-P2-05', 'FO-M11-P2-12', 'FO-M11-P2-13', name='request_form', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('steps', sa.JSON(), nullable=False),
    sa.Column('updated_at', portal.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_approval_policies')),
    sa.UniqueConstraint('form', name=op.f('uq_approval_policies_form'))
    )
    op.create_table('request_counters',
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('last_value', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('year', name=op.f('pk_request_counters'))
    )
    op.create_table('target_systems',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('connector', sa.Enum('ldap', 'manual', name='connector', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('role_map', sa.JSON(), nullable=False),
    sa.Column('instructions', sa.Text(), nullable=True),
    sa.Column('is_active', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_target_systems')),
    sa.UniqueConstraint('code', name=op.f('uq_target_systems_code'))
    )
    op.create_table('access_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=20), nullable=True),
    sa.Column('form', sa.Enum('FO-M11-P2-05', 'FO-M11-P2-12', 'FO-M11-P2-13', name='request_form', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('action', sa.Enum('crear', 'activar', 'retirar', 'desbloquear', 'inicializar', 'modificar_roles', name='request_action', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('state', sa.Enum('borrador', 'radicada', 'en_aprobacion', 'devuelta', 'aprobada', 'en_ejecucion', 'resuelta', 'cerrada', 'rechazada', 'cancelada', name='request_state', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('priority', sa.Enum('normal', 'alta', name='priority', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('system_id', sa.Integer(), nullable=False),
    sa.Column('requester_id', sa.Integer(), nullable=False),
    sa.Column('dependency_id', sa.Integer(), nullable=False),
    sa.Column('beneficiary_user_id', sa.Integer(), nullable=True),
    sa.Column('beneficiary_name', sa.String(length=200), nullable=True),
    sa.Column('beneficiary_document_type', sa.Enum('CC', 'CE', 'PA', name='document_type', native_enum=False, create_constraint=True, length=40), nullable=True),
    sa.Column('beneficiary_document', sa.String(length=20), nullable=True),
    sa.Column('beneficiary_email', sa.String(length=254), nullable=True),
    sa.Column('beneficiary_position', sa.String(length=200), nullable=True),
    sa.Column('beneficiary_username', sa.String(length=120), nullable=True),
    sa.Column('link_type', sa.Enum('planta', 'contratista', name='link_type', native_enum=False, create_constraint=True, length=40), nullable=True),
    sa.Column('contract_end_date', sa.Date(), nullable=True),
    sa.Column('justification', sa.Text(), nullable=True),
    sa.Column('roles_to_add', sa.JSON(), nullable=False),
    sa.Column('roles_to_remove', sa.JSON(), nullable=False),
    sa.Column('roles_end_date', sa.Date(), nullable=True),
    sa.Column('is_exception', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('exception_justification', sa.Text(), nullable=True),
    sa.Column('exception_by_id', sa.Integer(), nullable=True),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.Column('created_at', portal.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', portal.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('filed_at', portal.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('approved_at', portal.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('resolved_at', portal.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('closed_at', portal.db.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint("(filed_at IS NULL) OR (link_type <> 'contratista') OR (contract_end_date IS NOT NULL)", name=op.f('ck_access_requests_contractor_end_date')),
    sa.CheckConstraint("(filed_at IS NULL) OR (beneficiary_name IS NOT NULL AND beneficiary_document IS NOT NULL AND beneficiary_email IS NOT NULL AND link_type IS NOT NULL AND justification IS NOT NULL)", name=op.f('ck_access_requests_filed_is_complete')),
    sa.CheckConstraint("(filed_at IS NULL) OR (number IS NOT NULL)", name=op.f('ck_access_requests_filed_has_number')),
    sa.CheckConstraint('(NOT is_exception) OR (exception_justification IS NOT NULL)', name=op.f('ck_access_requests_exception_justified')),
    sa.ForeignKeyConstraint(['beneficiary_user_id'], ['users.id'], name=op.f('fk_access_requests_beneficiary_user_id_users')),
    sa.ForeignKeyConstraint(['dependency_id'], ['dependencies.id'], name=op.f('fk_access_requests_dependency_id_dependencies')),
    sa.ForeignKeyConstraint(['exception_by_id'], ['users.id'], name=op.f('fk_access_requests_exception_by_id_users')),
    sa.ForeignKeyConstraint(['requester_id'], ['users.id'], name=op.f('fk_access_requests_requester_id_users')),
    sa.ForeignKeyConstraint(['system_id'], ['target_systems.id'], name=op.f('fk_access_requests_system_id_target_systems')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_access_requests')),
    sa.UniqueConstraint('number', name=op.f('uq_access_requests_number'))
    )
    with op.batch_alter_table('access_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_access_requests_requester_id'), ['requester_id'], unique=False)
        batch_op.create_index('ix_access_requests_state_dependency', ['state', 'dependency_id'], unique=False)

    op.create_table('delegations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('delegator_id', sa.Integer(), nullable=False),
    sa.Column('delegate_id', sa.Integer(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('reason', sa.String(length=300), nullable=True),
    sa.Column('created_at', portal.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', portal.db.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint('delegator_id <> delegate_id', name=op.f('ck_delegations_not_self')),
    sa.CheckConstraint('ends_on >= starts_on', name=op.f('ck_delegations_range_ordered')),
    sa.ForeignKeyConstraint(['delegate_id'], ['users.id'], name=op.f('fk_delegations_delegate_id_users')),
    sa.ForeignKeyConstraint(['delegator_id'], ['users.id'], name=op.f('fk_delegations_delegator_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_delegations'))
    )
    with op.batch_alter_table('delegations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_delegations_delegate_id'), ['delegate_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_delegations_delegator_id'), ['delegator_id'], unique=False)

    op.create_table('approval_steps',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('jefe', 'seguridad', 'aprobador', name='step_kind', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('state', sa.Enum('pendiente', 'aprobado', 'rechazado', 'devuelto', 'excepcion', 'anulado', name='step_state', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('on_behalf_of_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', portal.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('started_at', portal.db.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint("(state IN ('pendiente', 'anulado')) OR (decided_by_id IS NOT NULL AND decided_at IS NOT NULL)", name=op.f('ck_approval_steps_decided_has_decider')),
    sa.CheckConstraint("(state NOT IN ('rechazado', 'devuelto')) OR (comment IS NOT NULL)", name=op.f('ck_approval_steps_refusal_has_reason')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_approval_steps_decided_by_id_users')),
    sa.ForeignKeyConstraint(['on_behalf_of_id'], ['users.id'], name=op.f('fk_approval_steps_on_behalf_of_id_users')),
    sa.ForeignKeyConstraint(['request_id'], ['access_requests.id'], name=op.f('fk_approval_steps_request_id_access_requests')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_approval_steps')),
    sa.UniqueConstraint('request_id', 'round', 'position', name='uq_approval_steps_request_round_position')
    )
    with op.batch_alter_table('approval_steps', schema=None) as batch_op:
        batch_op.create_index('ix_approval_steps_pending', ['state', 'kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_approval_steps_request_id'), ['request_id'], unique=False)

    op.create_table('request_attachments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=False),
    sa.Column('uploaded_at', portal.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['request_id'], ['access_requests.id'], name=op.f('fk_request_attachments_request_id_access_requests')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_request_attachments_uploaded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_request_attachments'))
    )
    with op.batch_alter_table('request_attachments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_request_attachments_request_id'), ['request_id'], unique=False)

    op.create_table('request_comments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('is_internal', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('created_at', portal.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_request_comments_author_id_users')),
    sa.ForeignKeyConstraint(['request_id'], ['access_requests.id'], name=op.f('fk_request_comments_request_id_access_requests')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_request_comments'))
    )
    with op.batch_alter_table('request_comments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_request_comments_request_id'), ['request_id'], unique=False)

    op.create_table('request_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('at', portal.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('on_behalf_of_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('from_state', sa.String(length=20), nullable=True),
    sa.Column('to_state', sa.String(length=20), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_request_events_actor_id_users')),
    sa.ForeignKeyConstraint(['on_behalf_of_id'], ['users.id'], name=op.f('fk_request_events_on_behalf_of_id_users')),
    sa.ForeignKeyConstraint(['request_id'], ['access_requests.id'], name=op.f('fk_request_events_request_id_access_requests')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_request_events'))
    )
    with op.batch_alter_table('request_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_request_events_request_id'), ['request_id'], unique=False)



def downgrade():
    with op.batch_alter_table('request_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_request_events_request_id'))

    op.drop_table('request_events')
    with op.batch_alter_table('request_comments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_request_comments_request_id'))

    op.drop_table('request_comments')
    with op.batch_alter_table('request_attachments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_request_attachments_request_id'))

    op.drop_table('request_attachments')
    with op.batch_alter_table('approval_steps', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_approval_steps_request_id'))
        batch_op.drop_index('ix_approval_steps_pending')

    op.drop_table('approval_steps')
    with op.batch_alter_table('delegations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_delegations_delegator_id'))
        batch_op.drop_index(batch_op.f('ix_delegations_delegate_id'))

    op.drop_table('delegations')
    with op.batch_alter_table('access_requests', schema=None) as batch_op:
        batch_op.drop_index('ix_access_requests_state_dependency')
        batch_op.drop_index(batch_op.f('ix_access_requests_requester_id'))

    op.drop_table('access_requests')
    op.drop_table('target_systems')
    op.drop_table('request_counters')
    op.drop_table('approval_policies')
