"""delegation rules, suplencia, scheduled designations

- ``delegations.step_kind``: a delegation now covers one step kind (SPEC §3). Each existing row
  becomes one row per kind its delegator held; a row whose delegate is not eligible for that kind
  (e.g. Control Interno, a committee member, someone of another dependency) is ended at once with
  the reason recorded, as is a row whose delegator decides no step at all. The column arrives with
  a server default for the rows being rewritten, and loses it afterwards: a new delegation names
  its kind. ``revoked_by_id`` and ``revoke_reason`` record an early end.
- ``approval_steps.is_suplencia``: a step decided by the secretario because every holder was
  excluded (not the Secretario's exception).
- ``designations``: status ``programada`` for a future "rige a partir de", at most one per
  dependency; ``handovers.removal_request_id``: the FO-M11-P2-13 the handover waits for.

Revision ID: a9fbaf8735c5
Revises: ec1b992793e4
Create Date: 2026-12-07 04:42:38.563151

"""
from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa
import portal.db  # noqa: F401  (UTCDateTime)


# revision identifiers, used by Alembic.
revision = 'a9fbaf8735c5'
down_revision = 'ec1b992793e4'
branch_labels = None
depends_on = None

OLD_STATUS = ('vigente', 'reemplazada', 'revocada')
NEW_STATUS = ('programada', 'vigente', 'reemplazada', 'revocada')
NON_DECIDING = {'control_interno', 'integrante'}
DELEGATE_ROLES = {'aprobador': {'aprobador', 'secretario'}, 'seguridad': {'seguridad'}}
NOT_ELIGIBLE = 'Terminada al aplicar las reglas de delegación: la persona delegada no puede recibir este paso.'
NOT_A_DECIDER = 'Terminada al aplicar las reglas de delegación: quien delegó no decide pasos de solicitudes.'


def _status_check(values):
    return "status IN (" + ", ".join(f"'{v}'" for v in values) + ")"


def _split_delegations(conn):
    """One row per step kind held by the delegator; ineligible delegates ended (SPEC §3)."""
    users = {row.id: row for row in conn.execute(sa.text('SELECT id, dependency_id, is_active_account FROM users'))}
    roles = {}
    for row in conn.execute(sa.text('SELECT user_id, role, dependency_id FROM role_assignments')):
        roles.setdefault(row.user_id, []).append((row.role, row.dependency_id))
    now = datetime.now(timezone.utc)
    delegations = sa.table(
        'delegations',
        sa.column('id', sa.Integer), sa.column('delegator_id', sa.Integer), sa.column('delegate_id', sa.Integer),
        sa.column('step_kind', sa.String), sa.column('starts_on', sa.Date), sa.column('ends_on', sa.Date),
        sa.column('reason', sa.String), sa.column('created_at', portal.db.UTCDateTime(timezone=True)),
        sa.column('revoked_at', portal.db.UTCDateTime(timezone=True)), sa.column('revoke_reason', sa.String),
    )
    rows = conn.execute(sa.select(delegations)).all()
    for row in rows:
        held = roles.get(row.delegator_id, [])
        jefe_deps = {dep for role, dep in held if role == 'jefe' and dep is not None}
        kinds = [k for k in ('jefe', 'seguridad', 'aprobador') if (jefe_deps if k == 'jefe' else any(r == k for r, _ in held))]
        delegate_roles = roles.get(row.delegate_id, [])
        delegate_role_names = {r for r, _ in delegate_roles}
        delegate = users.get(row.delegate_id)

        def problem(kind):
            if delegate is None or not delegate.is_active_account:
                return NOT_ELIGIBLE
            if delegate_role_names and delegate_role_names <= NON_DECIDING:
                return NOT_ELIGIBLE
            if kind == 'jefe':
                deps = {dep for _, dep in delegate_roles if dep is not None} | {delegate.dependency_id}
                return None if deps & jefe_deps else NOT_ELIGIBLE
            return None if delegate_role_names & DELEGATE_ROLES[kind] else NOT_ELIGIBLE

        if not kinds:
            ended = {'step_kind': 'aprobador'}
            if row.revoked_at is None:
                ended |= {'revoked_at': now, 'revoke_reason': NOT_A_DECIDER}
            conn.execute(delegations.update().where(delegations.c.id == row.id).values(**ended))
            continue
        for position, kind in enumerate(kinds):
            values = {'step_kind': kind}
            why = problem(kind)
            if why and row.revoked_at is None:
                values |= {'revoked_at': now, 'revoke_reason': why}
            if position == 0:
                conn.execute(delegations.update().where(delegations.c.id == row.id).values(**values))
            else:
                copy = {c: getattr(row, c) for c in ('delegator_id', 'delegate_id', 'starts_on', 'ends_on', 'reason', 'created_at', 'revoked_at', 'revoke_reason')}
                conn.execute(delegations.insert().values(**(copy | values)))
    conn.execute(
        sa.text("UPDATE delegations SET revoke_reason = 'Terminada antes de tiempo.' WHERE revoked_at IS NOT NULL AND revoke_reason IS NULL")
    )


def upgrade():
    with op.batch_alter_table('approval_steps', schema=None) as batch_op:
        batch_op.add_column(sa.Column('is_suplencia', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.create_check_constraint(
            'suplencia_is_a_decision', "(NOT is_suplencia) OR (state IN ('aprobado', 'rechazado', 'devuelto'))"
        )

    with op.batch_alter_table('delegations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('step_kind', sa.String(length=40), server_default='jefe', nullable=False))
        batch_op.create_check_constraint('step_kind', "step_kind IN ('jefe', 'seguridad', 'aprobador')")
        batch_op.add_column(sa.Column('revoked_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('revoke_reason', sa.String(length=300), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_delegations_revoked_by_id_users'), 'users', ['revoked_by_id'], ['id'])
    _split_delegations(op.get_bind())
    with op.batch_alter_table('delegations', schema=None) as batch_op:
        batch_op.alter_column('step_kind', existing_type=sa.String(length=40), existing_nullable=False, server_default=None)
        batch_op.create_check_constraint('revoked_has_reason', '(revoked_at IS NULL) OR (revoke_reason IS NOT NULL)')

    with op.batch_alter_table('designations', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_designations_designation_status'), type_='check')
        batch_op.drop_constraint(op.f('ck_designations_ended_has_end_date'), type_='check')
    with op.batch_alter_table('designations', schema=None) as batch_op:
        batch_op.create_check_constraint('designation_status', _status_check(NEW_STATUS))
        batch_op.create_check_constraint('ended_has_end_date', "(status IN ('vigente', 'programada')) OR (end_date IS NOT NULL)")
        batch_op.create_index('uq_designations_one_programada', ['dependency_id'], unique=True, postgresql_where=sa.text("status = 'programada'"), sqlite_where=sa.text("status = 'programada'"))

    with op.batch_alter_table('handovers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('removal_request_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_handovers_removal_request_id_access_requests'), 'access_requests', ['removal_request_id'], ['id'])


def downgrade():
    with op.batch_alter_table('handovers', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_handovers_removal_request_id_access_requests'), type_='foreignkey')
        batch_op.drop_column('removal_request_id')

    # a scheduled designation never took effect: it goes back as revoked, with its reason
    op.execute(
        "UPDATE designations SET status = 'revocada', end_date = effective_date, "
        "end_reason = 'Programada; retirada al revertir la migración.' WHERE status = 'programada'"
    )
    with op.batch_alter_table('designations', schema=None) as batch_op:
        batch_op.drop_index('uq_designations_one_programada', postgresql_where=sa.text("status = 'programada'"), sqlite_where=sa.text("status = 'programada'"))
        batch_op.drop_constraint(op.f('ck_designations_ended_has_end_date'), type_='check')
        batch_op.drop_constraint(op.f('ck_designations_designation_status'), type_='check')
    with op.batch_alter_table('designations', schema=None) as batch_op:
        batch_op.create_check_constraint('designation_status', _status_check(OLD_STATUS))
        batch_op.create_check_constraint('ended_has_end_date', "(status = 'vigente') OR (end_date IS NOT NULL)")

    # a delegation covered every kind before: keep one row per (delegator, delegate, dates)
    op.execute(
        "DELETE FROM delegations WHERE id NOT IN (SELECT MIN(id) FROM delegations "
        "GROUP BY delegator_id, delegate_id, starts_on, ends_on)"
    )
    with op.batch_alter_table('delegations', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_delegations_revoked_has_reason'), type_='check')
        batch_op.drop_constraint(op.f('ck_delegations_step_kind'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_delegations_revoked_by_id_users'), type_='foreignkey')
        batch_op.drop_column('revoke_reason')
        batch_op.drop_column('revoked_by_id')
        batch_op.drop_column('step_kind')

    with op.batch_alter_table('approval_steps', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_approval_steps_suplencia_is_a_decision'), type_='check')
        batch_op.drop_column('is_suplencia')
