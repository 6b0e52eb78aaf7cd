"""The committee's periodic check (SPEC §6, seed Mesa §6): warnings, missed deadlines, tacit approval of actas, overdue commitments; each notice once."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import and_, or_, select, update

from catalog.services import users_with_role
from committee.actas.models import ActaState, CommitteeActa, CommitteeDeadline, DeadlineKind, DeadlineOutcome
from committee.commitments.models import Commitment, CommitmentState
from committee.deadlines import COMMITMENTS_PATH, acta_path, audit_deadline, chair_user, deadline_text, notify, secretariat_users
from portal.audit import record_event
from portal.clock import BOGOTA
from portal.db import DbSession
from portal.models import User
from portal.roles import Role


@dataclass
class MesaTickReport:
    """What one run of the committee's check did (deadline ids, acta ids, commitment ids, e-mails)."""

    now: datetime
    warned: list[int] = field(default_factory=list)
    missed: list[int] = field(default_factory=list)
    tacit: list[int] = field(default_factory=list)
    overdue_commitments: list[int] = field(default_factory=list)
    mails: int = 0

    @property
    def total(self) -> int:
        return len(self.warned) + len(self.missed) + len(self.tacit)

    def summary(self) -> str:
        return (
            f"Comité {self.now.isoformat()}: {len(self.warned)} avisos de vencimiento, {len(self.missed)} plazos vencidos "
            f"({len(self.overdue_commitments)} compromisos), {len(self.tacit)} actas aprobadas tácitamente; "
            f"{self.mails} correos."
        )


def _warning_due(now: datetime) -> Any:
    c = CommitteeDeadline.__table__.c
    return and_(c.closed_at.is_(None), c.warned_at.is_(None), c.warn_at <= now, c.due_at >= now)


def _period_ended(now: datetime) -> Any:
    """Observation periods that ended, strictly after 23:59:59 of the last day."""
    c = CommitteeDeadline.__table__.c
    return and_(c.closed_at.is_(None), c.kind == DeadlineKind.OBSERVACIONES, c.due_at < now)


def _passed(now: datetime) -> Any:
    """Other open deadlines that passed (strictly after ``due_at``) and are not recorded yet."""
    c = CommitteeDeadline.__table__.c
    return and_(c.closed_at.is_(None), c.missed_at.is_(None), c.kind != DeadlineKind.OBSERVACIONES, c.due_at < now)


@dataclass
class _Claimed:
    warned: list[int]
    ended: list[int]
    passed: list[int]


def _claim(session: DbSession, now: datetime) -> _Claimed:
    """Take the notices that are due, each once.

    Locks go in the order the services take them — the acta or the commitment, then its deadlines —
    so a check never deadlocks with a member answering or the secretariat closing at that moment:
    first the parents of the candidate deadlines (in id order), then one conditional UPDATE …
    RETURNING per kind of notice over those candidates. On PostgreSQL a concurrent check waits for
    the same parent locks and then finds the rows already marked (the WHERE is evaluated again).
    """
    c = CommitteeDeadline.__table__.c
    candidates = session.execute(
        select(c.id, c.acta_id, c.commitment_id).where(or_(_warning_due(now), _period_ended(now), _passed(now)))
    ).all()
    if not candidates:
        return _Claimed([], [], [])
    acta_ids = sorted({row.acta_id for row in candidates if row.acta_id is not None})
    commitment_ids = sorted({row.commitment_id for row in candidates if row.commitment_id is not None})
    if acta_ids:
        session.execute(
            select(CommitteeActa.id).where(CommitteeActa.id.in_(acta_ids)).order_by(CommitteeActa.id).with_for_update()
        ).all()
    if commitment_ids:
        session.execute(
            select(Commitment.id).where(Commitment.id.in_(commitment_ids)).order_by(Commitment.id).with_for_update()
        ).all()
    ids = [row.id for row in candidates]
    table = CommitteeDeadline.__table__

    def mark(condition: Any, **values: Any) -> list[int]:
        return sorted(session.execute(update(table).where(c.id.in_(ids), condition).values(**values).returning(c.id)).scalars())

    return _Claimed(
        warned=mark(_warning_due(now), warned_at=now),
        ended=mark(_period_ended(now), closed_at=now, outcome=DeadlineOutcome.CERRADO),
        passed=mark(_passed(now), missed_at=now),
    )


def _load(session: DbSession, ids: list[int]) -> list[CommitteeDeadline]:
    if not ids:
        return []
    return list(
        session.execute(
            select(CommitteeDeadline)
            .where(CommitteeDeadline.id.in_(ids))
            .order_by(CommitteeDeadline.id)
            .execution_options(populate_existing=True)
        )
        .scalars()
        .unique()
    )


class _People:
    """The recipients of the check's notices, each group read once per run."""

    def __init__(self, session: DbSession) -> None:
        self.session = session
        self._cache: dict[str, list[User]] = {}

    def _get(self, key: str) -> list[User]:
        if key not in self._cache:
            if key == "secretaria":
                self._cache[key] = secretariat_users(self.session)
            elif key == "control_interno":
                self._cache[key] = users_with_role(self.session, Role.CONTROL_INTERNO)
            else:
                chair = chair_user(self.session)
                self._cache[key] = [chair] if chair is not None else []
        return self._cache[key]

    @property
    def secretariat(self) -> list[User]:
        return self._get("secretaria")

    @property
    def chair(self) -> list[User]:
        return self._get("presidente")

    @property
    def control_interno(self) -> list[User]:
        return self._get("control_interno")


def _acta_label(acta: CommitteeActa) -> str:
    return f"acta de la {acta.session.label}"


def _warn_members(session: DbSession, deadline: CommitteeDeadline, acta: CommitteeActa) -> int:
    """The business day before the observations deadline, the members who have not answered the draft
    are reminded that without observations it is approved tacitly (seed Mesa §6)."""
    from committee.actas.services import unanswered_members

    pending = unanswered_members(session, acta)
    if pending:
        audit_deadline(session, deadline, None, "aviso_integrantes", integrantes=[m.id for m in pending])
    return notify(
        session,
        [m.user for m in pending],
        subject=f"Recordatorio: observaciones al {acta.title.lower()} — vencen {deadline.due_at.astimezone(BOGOTA):%d/%m/%Y}",
        heading=f"El plazo para aprobar u observar el proyecto del {acta.title} vence {deadline_text(deadline.due_at)}.",
        message=(
            f"Aún no ha respondido el proyecto de acta de la {acta.session.label}. Apruébelo o envíe sus observaciones "
            "en el portal: si vencido este plazo no se han recibido observaciones, se entenderá que el proyecto de acta "
            "fue aprobado."
        ),
        path=acta_path(acta.id),
    )


def _warn(session: DbSession, deadline: CommitteeDeadline, people: _People) -> int:
    if deadline.acta is not None:
        acta = deadline.acta
        audit_deadline(session, deadline, None, "aviso")
        sent = notify(
            session,
            people.secretariat,
            subject=f"Plazo por vencer: {deadline.kind.label} — {acta.session.label}",
            heading=f"{deadline.kind.label}: el plazo vence {deadline_text(deadline.due_at)}.",
            message=(
                f"El plazo «{deadline.kind.label}» del {_acta_label(acta)} está por vencer. "
                f"Estado del acta: {acta.state.label.lower()}."
            ),
            path=acta_path(acta.id),
        )
        if deadline.kind is DeadlineKind.OBSERVACIONES:
            sent += _warn_members(session, deadline, acta)
        return sent
    commitment = deadline.commitment
    assert commitment is not None
    audit_deadline(session, deadline, None, "aviso")
    recipients = [commitment.responsible] if commitment.responsible and commitment.responsible.email else people.secretariat
    return notify(
        session,
        recipients,
        subject=f"Recordatorio de compromiso: vence el {commitment.due_date:%d/%m/%Y}",
        heading=f"Su compromiso con el comité vence {deadline_text(deadline.due_at)}.",
        message=f"Compromiso adquirido en la {commitment.session.label}: {commitment.description}",
        lines=[f"Responsable: {commitment.responsible_name}"],
        path=COMMITMENTS_PATH,
    )


def _missed(session: DbSession, deadline: CommitteeDeadline, people: _People, report: MesaTickReport) -> None:
    report.missed.append(deadline.id)
    audit_deadline(session, deadline, None, "vencido")
    if deadline.acta is not None:
        acta = deadline.acta
        report.mails += notify(
            session,
            [*people.secretariat, *people.chair],
            subject=f"Plazo vencido: {deadline.kind.label} — {acta.session.label}",
            heading=f"{deadline.kind.label}: el plazo venció {deadline_text(deadline.due_at)}.",
            message=(
                f"El plazo «{deadline.kind.label}» del {_acta_label(acta)} venció sin cumplirse "
                f"(estado del acta: {acta.state.label.lower()}). Queda registrado como vencido."
            ),
            path=acta_path(acta.id),
        )
        return
    commitment = session.execute(
        select(Commitment)
        .where(Commitment.id == deadline.commitment_id)
        .with_for_update(of=Commitment)
        .execution_options(populate_existing=True)
    ).scalar_one()
    if commitment.state is not CommitmentState.PENDIENTE:
        return
    commitment.overdue_notified_at = deadline.missed_at
    report.overdue_commitments.append(commitment.id)
    record_event(
        session,
        actor=None,
        action="compromiso.vencido",
        object_type="compromiso_comite",
        object_id=commitment.id,
        after=commitment.snapshot() | {"informado_a_control_interno": True},
    )
    report.mails += notify(
        session,
        [commitment.responsible, *people.control_interno, *people.secretariat, *people.chair],
        subject=f"Compromiso vencido sin cumplir — {commitment.session.label}",
        heading=f"El compromiso venció {deadline_text(deadline.due_at)} sin cumplirse.",
        message=(
            f"Compromiso adquirido en la {commitment.session.label}: {commitment.description}\n"
            "Conforme al manual de la instancia, el incumplimiento se informa a Control Interno."
        ),
        lines=[f"Responsable: {commitment.responsible_name}", f"Fecha límite: {commitment.due_date:%d/%m/%Y}"],
        path=COMMITMENTS_PATH,
    )


def tick(session: DbSession, now: datetime) -> MesaTickReport:
    """The committee's periodic check (every minute; CLI twin ``flask mesa tick``).

    1. Warnings: the secretariat before an acta deadline passes (and, before the observations
       deadline, the members who have not answered the draft), the responsible before a
       commitment's due date (``warned_at``, once each).
    2. Observation periods that ended (strictly after 23:59:59 of the last day): an acta still
       ``enviada`` is approved tacitly ("si vencido este plazo no se han recibido observaciones, se
       entenderá que el proyecto de acta fue aprobado", seed Mesa §6) and its signatories are asked
       to sign; one with observations waits for its final version.
    3. Other deadlines that passed (``missed_at``, once each): the secretariat and the chair are told;
       an overdue commitment also goes to its responsible and to Control Interno (seed Mesa §4).
    """
    from committee.actas.services import approve_tacitly

    report = MesaTickReport(now=now)
    claimed = _claim(session, now)
    people = _People(session)
    for deadline in _load(session, claimed.warned):
        report.warned.append(deadline.id)
        report.mails += _warn(session, deadline, people)
    for deadline in _load(session, claimed.ended):
        assert deadline.acta_id is not None
        audit_deadline(session, deadline, None, "cerrado")
        acta = session.execute(
            select(CommitteeActa)
            .where(CommitteeActa.id == deadline.acta_id)
            .with_for_update(of=CommitteeActa)
            .execution_options(populate_existing=True)
        ).scalar_one()
        if acta.state is ActaState.ENVIADA:
            report.mails += approve_tacitly(session, acta, deadline=deadline, now=now)
            report.tacit.append(acta.id)
    for deadline in _load(session, claimed.passed):
        _missed(session, deadline, people, report)
    return report
