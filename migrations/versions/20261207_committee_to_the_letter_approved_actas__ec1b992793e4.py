"""committee to the letter: approved actas, acta numbers, heads, movements, decisions

Actas get a yearly number (acta_counters) and their versions a SHA-256, the code signatures print;
approval writes a version of kind "aprobada" (created by nobody when the portal approves tacitly).
The room records heads of dependencies as such (attendance kind "jefe", with their account), the
delegate's account, every arrival, departure and return, whose vote each vote is, who was present
when each voting closed and why an item has no decision.

Existing rows are completed: actas numbered per year in the order they were created, each version's
SHA-256 computed and copied to its signatures, a vote cast by the member marked as its own, one
arrival (and the departure, if any) per attendance, and the reason of each "sin_decision" (no
quorum when fewer than half plus one were present, else no majority).

Revision ID: ec1b992793e4
Revises: 5f3c2a9d1e47
Create Date: 2026-12-07 04:23:56.268602

"""
import hashlib
import json
from datetime import UTC
from zoneinfo import ZoneInfo

from alembic import op
import sqlalchemy as sa
import portal.db  # noqa: F401  (UTCDateTime)


# revision identifiers, used by Alembic.
revision = 'ec1b992793e4'
down_revision = '5f3c2a9d1e47'
branch_labels = None
depends_on = None

BOGOTA = ZoneInfo("America/Bogota")


def _kind_check(values):
    return "kind IN (" + ", ".join(f"'{v}'" for v in values) + ")"


def _digest(body):
    """committee.actas.content.body_digest, as it is today (a migration keeps its own copy)."""
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def upgrade():
    op.create_table('acta_counters',
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('last_value', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('year', name=op.f('pk_acta_counters'))
    )
    op.create_table('session_attendance_movements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('attendance_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('llegada', 'salida', 'regreso', name='attendance_movement_kind', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('at', portal.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['attendance_id'], ['session_attendance.id'], name=op.f('fk_session_attendance_movements_attendance_id_session_attendance')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_session_attendance_movements_recorded_by_id_users')),
    sa.ForeignKeyConstraint(['session_id'], ['committee_sessions.id'], name=op.f('fk_session_attendance_movements_session_id_committee_sessions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_session_attendance_movements'))
    )
    with op.batch_alter_table('session_attendance_movements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_session_attendance_movements_attendance_id'), ['attendance_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_session_attendance_movements_session_id'), ['session_id'], unique=False)

    with op.batch_alter_table('acta_signatures', schema=None) as batch_op:
        batch_op.add_column(sa.Column('version_sha256', sa.String(length=64), server_default='', nullable=False))

    with op.batch_alter_table('acta_versions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sha256', sa.String(length=64), server_default='', nullable=False))
        batch_op.alter_column('created_by_id',
               existing_type=sa.INTEGER(),
               nullable=True)
        batch_op.drop_constraint(op.f('ck_acta_versions_acta_version_kind'), type_='check')
        batch_op.create_check_constraint('acta_version_kind', _kind_check(('borrador', 'definitiva', 'aprobada')))

    with op.batch_alter_table('agenda_item_decisions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('no_decision_reason', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('present_at_close', sa.JSON(), server_default=sa.text("'[]'"), nullable=False))
    op.execute(
        "UPDATE agenda_item_decisions SET no_decision_reason = CASE WHEN present_voting * 2 > voting_members "
        "THEN 'sin_mayoria' ELSE 'sin_quorum' END WHERE outcome = 'sin_decision'"
    )
    with op.batch_alter_table('agenda_item_decisions', schema=None) as batch_op:
        batch_op.create_check_constraint(
            'no_decision_reason', "no_decision_reason IN ('sin_quorum', 'empate_no_dirimido', 'sin_mayoria')"
        )
        batch_op.create_check_constraint(
            'no_decision_has_reason',
            "(outcome <> 'sin_decision') OR (no_decision_reason IS NOT NULL AND no_decision_reason <> 'empate_no_dirimido')",
        )
        batch_op.create_check_constraint(
            'reason_only_without_decision',
            "(no_decision_reason IS NULL) OR (outcome = 'sin_decision') "
            "OR (outcome = 'empate' AND no_decision_reason = 'empate_no_dirimido' AND casting_decision IS NULL)",
        )

    with op.batch_alter_table('agenda_items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('head_absence_confirmed_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('head_absence_confirmed_at', portal.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_agenda_items_head_absence_confirmed_by_id_users'), 'users', ['head_absence_confirmed_by_id'], ['id'])
        batch_op.create_check_constraint(
            'head_absence_confirmed', "(head_absence_confirmed_at IS NULL) = (head_absence_confirmed_by_id IS NULL)"
        )

    with op.batch_alter_table('agenda_votes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('is_own_vote', sa.Boolean(), server_default=sa.false(), nullable=False))
    votes = sa.table('agenda_votes', sa.column('member_id', sa.Integer), sa.column('cast_by_id', sa.Integer), sa.column('is_own_vote', sa.Boolean))
    members = sa.table('committee_members', sa.column('id', sa.Integer), sa.column('user_id', sa.Integer))
    op.execute(
        votes.update()
        .where(votes.c.cast_by_id == sa.select(members.c.user_id).where(members.c.id == votes.c.member_id).scalar_subquery())
        .values(is_own_vote=sa.true())
    )

    with op.batch_alter_table('committee_actas', schema=None) as batch_op:
        batch_op.add_column(sa.Column('year', sa.Integer(), server_default=sa.text('0'), nullable=False))
        batch_op.add_column(sa.Column('number', sa.Integer(), server_default=sa.text('0'), nullable=False))
    _number_actas()
    with op.batch_alter_table('committee_actas', schema=None) as batch_op:
        batch_op.create_unique_constraint('uq_committee_actas_year_number', ['year', 'number'])
    _digest_versions()

    with op.batch_alter_table('session_attendance', schema=None) as batch_op:
        batch_op.add_column(sa.Column('user_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('dependency_id', sa.Integer(), nullable=True))
        batch_op.create_unique_constraint('uq_session_attendance_user', ['session_id', 'user_id'])
        batch_op.create_foreign_key(batch_op.f('fk_session_attendance_dependency_id_dependencies'), 'dependencies', ['dependency_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_session_attendance_user_id_users'), 'users', ['user_id'], ['id'])
        batch_op.drop_constraint(op.f('ck_session_attendance_attendance_kind'), type_='check')
        batch_op.drop_constraint(op.f('ck_session_attendance_member_unless_guest'), type_='check')
        batch_op.create_check_constraint('attendance_kind', _kind_check(('integrante', 'delegado', 'invitado', 'jefe')))
        batch_op.create_check_constraint('member_unless_guest_or_head', "(kind IN ('invitado', 'jefe')) = (member_id IS NULL)")
        batch_op.create_check_constraint(
            'head_has_account', "(kind <> 'jefe') OR (user_id IS NOT NULL AND dependency_id IS NOT NULL)"
        )
    op.execute(
        "INSERT INTO session_attendance_movements (session_id, attendance_id, kind, at, recorded_by_id) "
        "SELECT session_id, id, 'llegada', arrived_at, recorded_by_id FROM session_attendance"
    )
    op.execute(
        "INSERT INTO session_attendance_movements (session_id, attendance_id, kind, at, recorded_by_id) "
        "SELECT session_id, id, 'salida', left_at, recorded_by_id FROM session_attendance WHERE left_at IS NOT NULL"
    )


def _number_actas():
    """Number the existing actas per year (Bogotá) in the order they were created, and keep the counters."""
    actas = sa.table(
        'committee_actas',
        sa.column('id', sa.Integer),
        sa.column('created_at', portal.db.UTCDateTime()),
        sa.column('year', sa.Integer),
        sa.column('number', sa.Integer),
    )
    counters = sa.table('acta_counters', sa.column('year', sa.Integer), sa.column('last_value', sa.Integer))
    conn = op.get_bind()
    last: dict[int, int] = {}
    for acta_id, created_at in conn.execute(sa.select(actas.c.id, actas.c.created_at).order_by(actas.c.created_at, actas.c.id)):
        if created_at.tzinfo is None:
            created_at = created_at.replace(tzinfo=UTC)
        year = created_at.astimezone(BOGOTA).year
        last[year] = last.get(year, 0) + 1
        conn.execute(actas.update().where(actas.c.id == acta_id).values(year=year, number=last[year]))
    if last:
        conn.execute(counters.insert(), [{"year": year, "last_value": value} for year, value in sorted(last.items())])


def _digest_versions():
    """The SHA-256 of every version, copied to the signatures of that version."""
    versions = sa.table(
        'acta_versions',
        sa.column('id', sa.Integer),
        sa.column('acta_id', sa.Integer),
        sa.column('number', sa.Integer),
        sa.column('body', sa.JSON),
        sa.column('sha256', sa.String),
    )
    signatures = sa.table(
        'acta_signatures',
        sa.column('acta_id', sa.Integer),
        sa.column('version_number', sa.Integer),
        sa.column('version_sha256', sa.String),
    )
    conn = op.get_bind()
    for version_id, acta_id, number, body in conn.execute(
        sa.select(versions.c.id, versions.c.acta_id, versions.c.number, versions.c.body)
    ).all():
        digest = _digest(body)
        conn.execute(versions.update().where(versions.c.id == version_id).values(sha256=digest))
        conn.execute(
            signatures.update()
            .where(signatures.c.acta_id == acta_id, signatures.c.version_number == number)
            .values(version_sha256=digest)
        )


def downgrade():
    """Back to the previous schema: what it cannot hold goes (heads in the attendance and their
    movements); approved versions become final versions, and a version the portal wrote is
    attributed to whoever created the acta."""
    op.execute("DELETE FROM session_attendance_movements")
    op.execute("DELETE FROM session_attendance WHERE kind = 'jefe'")
    with op.batch_alter_table('session_attendance', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_session_attendance_head_has_account'), type_='check')
        batch_op.drop_constraint(op.f('ck_session_attendance_member_unless_guest_or_head'), type_='check')
        batch_op.drop_constraint(op.f('ck_session_attendance_attendance_kind'), type_='check')
        batch_op.create_check_constraint('attendance_kind', _kind_check(('integrante', 'delegado', 'invitado')))
        batch_op.create_check_constraint('member_unless_guest', "(kind = 'invitado') = (member_id IS NULL)")
        batch_op.drop_constraint(batch_op.f('fk_session_attendance_user_id_users'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_session_attendance_dependency_id_dependencies'), type_='foreignkey')
        batch_op.drop_constraint('uq_session_attendance_user', type_='unique')
        batch_op.drop_column('dependency_id')
        batch_op.drop_column('user_id')

    with op.batch_alter_table('committee_actas', schema=None) as batch_op:
        batch_op.drop_constraint('uq_committee_actas_year_number', type_='unique')
        batch_op.drop_column('number')
        batch_op.drop_column('year')

    with op.batch_alter_table('agenda_votes', schema=None) as batch_op:
        batch_op.drop_column('is_own_vote')

    with op.batch_alter_table('agenda_items', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_agenda_items_head_absence_confirmed'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_agenda_items_head_absence_confirmed_by_id_users'), type_='foreignkey')
        batch_op.drop_column('head_absence_confirmed_at')
        batch_op.drop_column('head_absence_confirmed_by_id')

    with op.batch_alter_table('agenda_item_decisions', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_agenda_item_decisions_reason_only_without_decision'), type_='check')
        batch_op.drop_constraint(op.f('ck_agenda_item_decisions_no_decision_has_reason'), type_='check')
        batch_op.drop_constraint(op.f('ck_agenda_item_decisions_no_decision_reason'), type_='check')
        batch_op.drop_column('present_at_close')
        batch_op.drop_column('no_decision_reason')

    op.execute("UPDATE acta_versions SET kind = 'definitiva' WHERE kind = 'aprobada'")
    op.execute(
        "UPDATE acta_versions SET created_by_id = "
        "(SELECT created_by_id FROM committee_actas WHERE committee_actas.id = acta_versions.acta_id) "
        "WHERE created_by_id IS NULL"
    )
    with op.batch_alter_table('acta_versions', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_acta_versions_acta_version_kind'), type_='check')
        batch_op.create_check_constraint('acta_version_kind', _kind_check(('borrador', 'definitiva')))
        batch_op.alter_column('created_by_id',
               existing_type=sa.INTEGER(),
               nullable=False)
        batch_op.drop_column('sha256')

    with op.batch_alter_table('acta_signatures', schema=None) as batch_op:
        batch_op.drop_column('version_sha256')

    with op.batch_alter_table('session_attendance_movements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_session_attendance_movements_session_id'))
        batch_op.drop_index(batch_op.f('ix_session_attendance_movements_attendance_id'))

    op.drop_table('session_attendance_movements')
    op.drop_table('acta_counters')
