"""Activity 5: projects (linked to the catalogue's initiatives when they exist), their contracts and
the contracts' progress reports. The only code that changes project data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from catalog.models import Initiative, InitiativeState
from gobierno_digital.common import Component, audit, lock
from gobierno_digital.documents import DocumentPurpose, add_document
from gobierno_digital.permissions import require_runner
from gobierno_digital.projects.models import Contract, ContractReport, Project
from portal.db import DbSession
from portal.errors import ValidationFailed, WrongState
from portal.models import Dependency, User
from portal.uploads import CheckedFile


@dataclass(frozen=True)
class ProjectData:
    name: str
    description: str
    component: Component
    dependency_id: int
    vigencia: int
    responsible_id: int
    start_date: date
    end_date: date | None = None
    initiative_id: int | None = None


def initiatives_to_link(session: DbSession) -> list[Initiative]:
    """Initiatives of the catalogue in execution that are not a project yet."""
    linked = select(Project.initiative_id).where(Project.initiative_id.is_not(None))
    return list(
        session.execute(
            select(Initiative)
            .where(Initiative.state == InitiativeState.EN_EJECUCION, Initiative.id.not_in(linked))
            .order_by(Initiative.code)
        ).scalars()
    )


def project_data_from_initiative(initiative: Initiative, *, vigencia: int, responsible_id: int) -> ProjectData:
    """A project prefilled from its initiative (the first of its habilitadores is the component)."""
    enablers = initiative.enablers
    return ProjectData(
        name=initiative.title,
        description=initiative.objective or initiative.description,
        component=Component(enablers[0].value) if enablers else Component.ARQUITECTURA,
        dependency_id=initiative.dependency_id,
        vigencia=vigencia,
        responsible_id=responsible_id,
        start_date=initiative.start_date or date(vigencia, 1, 1),
        end_date=initiative.end_date,
        initiative_id=initiative.id,
    )


def create_project(session: DbSession, *, data: ProjectData, actor: User | None, now: datetime) -> Project:
    """Register a project. Linked to an initiative, the initiative must be ``en_ejecucion`` (SPEC §6)
    and not be a project already."""
    require_runner(actor)
    errors: dict[str, list[str]] = {}
    if not data.name.strip():
        errors["name"] = ["Escriba el nombre del proyecto."]
    if not data.description.strip():
        errors["description"] = ["Describa el proyecto."]
    if data.end_date is not None and data.end_date < data.start_date:
        errors["end_date"] = ["La fecha de finalización no puede ser anterior a la de inicio."]
    if session.get(Dependency, data.dependency_id) is None:
        errors["dependency_id"] = ["Seleccione la dependencia."]
    person = session.get(User, data.responsible_id)
    if person is None or not person.is_active_account:
        errors["responsible_id"] = ["Seleccione una persona activa."]
    if errors:
        raise ValidationFailed("Revise el proyecto.", fields=errors)
    if data.initiative_id is not None:
        initiative = session.get(Initiative, data.initiative_id)
        if initiative is None:
            raise ValidationFailed("La iniciativa no existe.", fields={"initiative_id": ["No existe."]})
        if initiative.state is not InitiativeState.EN_EJECUCION:
            raise WrongState(
                f"La iniciativa {initiative.code} está {initiative.state.label.lower()}: solo una iniciativa en ejecución es un proyecto."
            )
        if session.execute(select(Project.id).where(Project.initiative_id == initiative.id)).scalar() is not None:
            raise WrongState(f"La iniciativa {initiative.code} ya es un proyecto del plan.")
    project = Project(
        name=data.name.strip(),
        description=data.description.strip(),
        component=data.component,
        dependency_id=data.dependency_id,
        initiative_id=data.initiative_id,
        vigencia=data.vigencia,
        responsible_id=data.responsible_id,
        start_date=data.start_date,
        end_date=data.end_date,
        created_by_id=actor.id if actor else None,
        created_at=now,
    )
    session.add(project)
    session.flush()
    audit(session, actor, "proyecto.crear", "proyecto", project.id, after=project.snapshot())
    return project


@dataclass(frozen=True)
class ContractData:
    number: str
    object: str
    contractor: str
    value: int
    start_date: date
    end_date: date


def add_contract(session: DbSession, project: Project, *, data: ContractData, actor: User | None, now: datetime) -> Contract:
    require_runner(actor)
    project = lock(session, Project, project.id, "El proyecto")
    errors: dict[str, list[str]] = {}
    for name in ("number", "object", "contractor"):
        if not getattr(data, name).strip():
            errors[name] = ["Obligatorio."]
    if data.value is None or data.value < 0:
        errors["value"] = ["El valor no puede ser negativo."]
    if data.end_date < data.start_date:
        errors["end_date"] = ["La fecha de finalización no puede ser anterior a la de inicio."]
    if session.execute(
        select(Contract.id).where(Contract.project_id == project.id, Contract.number == data.number.strip())
    ).scalar():
        errors["number"] = ["Ese contrato ya está en el proyecto."]
    if errors:
        raise ValidationFailed("Revise el contrato.", fields=errors)
    contract = Contract(
        project_id=project.id,
        number=data.number.strip(),
        object=data.object.strip(),
        contractor=data.contractor.strip(),
        value=data.value,
        start_date=data.start_date,
        end_date=data.end_date,
        created_at=now,
    )
    session.add(contract)
    session.flush()
    audit(
        session,
        actor,
        "contrato.agregar",
        "proyecto",
        project.id,
        after={"number": contract.number, "contractor": contract.contractor, "value": contract.value},
    )
    return contract


def add_contract_report(
    session: DbSession,
    contract: Contract,
    *,
    reported_on: date,
    percent: int,
    deliverables: str,
    note: str | None,
    attachments: list[CheckedFile],
    actor: User,
    now: datetime,
) -> ContractReport:
    """A progress report of a contract, with its attachments (activity 5: "Informes de avance")."""
    require_runner(actor)
    contract = lock(session, Contract, contract.id, "El contrato")
    errors: dict[str, list[str]] = {}
    if not 0 <= percent <= 100:
        errors["percent"] = ["Entre 0 y 100."]
    if not deliverables.strip():
        errors["deliverables"] = ["Indique los entregables del periodo."]
    if reported_on < contract.start_date:
        errors["reported_on"] = ["La fecha es anterior al inicio del contrato."]
    if errors:
        raise ValidationFailed("Revise el informe de avance.", fields=errors)
    report = ContractReport(
        contract_id=contract.id,
        reported_on=reported_on,
        percent=percent,
        deliverables=deliverables.strip(),
        note=(note or "").strip() or None,
        reported_by_id=actor.id,
        created_at=now,
    )
    session.add(report)
    session.flush()
    for file in attachments:
        add_document(session, purpose=DocumentPurpose.INFORME, file=file, actor=actor, now=now, contract_report_id=report.id)
    audit(
        session,
        actor,
        "contrato.informe",
        "contrato",
        contract.id,
        after={"reported_on": reported_on.isoformat(), "percent": percent, "attachments": [f.sha256 for f in attachments]},
    )
    return report
