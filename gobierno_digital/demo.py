"""Demo data of the plan for ``make run`` (``flask demo load``): two vigencias of scores, the gaps, an
approved work plan, a project with its contract and milestones, indicators, risks and the enlaces'
checklists, so the dashboard shows something. Everything goes through the services; running it twice
changes nothing (it is skipped once scores exist)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from config.profiles import Profile
from gobierno_digital.common import Component, Instrument, Periodicity
from gobierno_digital.evaluations import services as evaluations
from gobierno_digital.evaluations.importer import ParsedFile, ScoreRow
from gobierno_digital.evaluations.models import Score
from gobierno_digital.indicators import services as indicators
from gobierno_digital.plan import services as plan
from gobierno_digital.plan.models import ActivityStatus, ResourceKind
from gobierno_digital.projects import services as projects
from gobierno_digital.risks import dafp
from gobierno_digital.risks import services as risks
from gobierno_digital.risks.models import RiskCategory, Treatment
from gobierno_digital.settings import get_settings
from gobierno_digital.supervision import services as supervision
from gobierno_digital.tick import tick
from portal import services as portal_services
from portal.clock import local_date
from portal.db import DbSession, utcnow
from portal.roles import Role
from sla.services.entity_calendar import get_calendar

#: the demo's profesional de Gobierno Digital: the líder de programa of the seed (PR-M2-P6-01 §2)
PROFESIONAL = "lider.ed"

#: (component, code, question, score of the older vigencia, of the later one, maximum)
QUESTIONS: tuple[tuple[Component, str, str, float, float, float], ...] = (
    (Component.ARQUITECTURA, "GD-ARQ-01", "Catálogo de servicios tecnológicos actualizado", 40, 55, 100),
    (Component.ARQUITECTURA, "GD-ARQ-02", "Arquitectura empresarial documentada según el MRAE", 30, 45, 100),
    (Component.ARQUITECTURA, "GD-ARQ-03", "PETI aprobado y publicado", 70, 85, 100),
    (Component.SEGURIDAD, "GD-SEG-01", "Modelo de Seguridad y Privacidad de la Información (MSPI) adoptado", 60, 72, 100),
    (Component.SEGURIDAD, "GD-SEG-02", "Plan de tratamiento de riesgos de seguridad digital", 35, 50, 100),
    (Component.SEGURIDAD, "GD-SEG-03", "Inventario de activos de información clasificado", 50, 58, 100),
    (Component.CULTURA, "GD-CUL-01", "Estrategia de uso y apropiación de TIC", 45, 65, 100),
    (Component.CULTURA, "GD-CUL-02", "Servidores capacitados en competencias digitales", 55, 62, 100),
    (Component.SERVICIOS_CIUDADANOS, "GD-SCD-01", "Trámites integrados a la Carpeta Ciudadana y GOV.CO", 20, 35, 100),
    (Component.SERVICIOS_CIUDADANOS, "GD-SCD-02", "Autenticación digital en los trámites en línea", 25, 40, 100),
    (Component.SERVICIOS_PROCESOS, "GD-SPI-01", "Trámites y OPA racionalizados y automatizados", 50, 60, 100),
    (Component.SERVICIOS_PROCESOS, "GD-SPI-02", "Procesos internos con firma y expediente electrónico", 30, 48, 100),
    (Component.DECISIONES_DATOS, "GD-DAT-01", "Gobierno de datos e inventario de datos maestros", 25, 38, 100),
    (Component.DECISIONES_DATOS, "GD-DAT-02", "Tableros de decisión con datos de la entidad", 40, 52, 100),
    (Component.ESTADO_ABIERTO, "GD-EAB-01", "Conjuntos de datos abiertos publicados y actualizados", 45, 70, 100),
    (Component.ESTADO_ABIERTO, "GD-EAB-02", "Ejercicios de participación ciudadana por medios digitales", 60, 66, 100),
)
ITD_QUESTIONS = (
    (Component.ESTADO_ABIERTO, "ITD-3.2", "Publicación de información en el sitio web (Ley 1712 de 2014)", 3, 4, 5),
    (Component.SERVICIOS_PROCESOS, "ITD-4.1", "Trámites inscritos en el SUIT", 2, 3, 5),
)


def _rows(first: int) -> ParsedFile:
    rows: list[ScoreRow] = []
    for offset, vigencia in enumerate((first, first + 1)):
        for instrument, questions in ((Instrument.FURAG, QUESTIONS), (Instrument.ITD, ITD_QUESTIONS)):
            for component, code, question, older, later, maximum in questions:
                score = (older, later)[offset]
                rows.append(
                    ScoreRow(len(rows) + 2, vigencia, instrument, component, code, question, float(score), float(maximum))
                )
    return ParsedFile(filename="demo-calificaciones.xlsx", sha256="0" * 64, rows=rows)


def load_demo(session: DbSession, profile: Profile) -> list[str]:
    """Load the plan's demo (once). Returns what it did."""
    if session.execute(select(Score.id).limit(1)).scalar() is not None:
        return []
    pro, secretario = portal_services.find_user(session, PROFESIONAL), portal_services.find_user(session, "secretario")
    enlace, salud = portal_services.find_user(session, "enlace.salud"), portal_services.find_dependency(session, "SAL")
    it_office = portal_services.find_dependency(session, profile.it_office_code)
    if pro is None or secretario is None or salud is None or it_office is None:
        return ["gobierno digital: faltan usuarios o dependencias de demostración, omitido"]
    portal_services.assign_role(session, actor=None, user=pro, role=Role.PROFESIONAL_GD, dependency=None)
    now = utcnow()
    today = local_date(now)
    year = today.year
    calendar = get_calendar(session)
    settings = get_settings(session)

    evaluations.import_scores(session, _rows(year - 2), actor=pro, now=now)
    proposals = evaluations.proposed_gaps(session, year - 1, settings.gap_threshold_percent)
    gaps = evaluations.register_gaps(
        session,
        vigencia=year - 1,
        score_ids=[p.score.id for p in proposals],
        threshold_percent=settings.gap_threshold_percent,
        actor=pro,
        now=now,
    )

    work_plan = plan.create_plan(session, vigencia=year, actor=pro, now=now)
    by_code = {g.code: g for g in gaps}
    activities = (
        (
            "GD-SCD-01",
            "Integrar tres trámites de alto volumen a GOV.CO",
            salud.id,
            enlace or pro,
            (1, 15),
            (6, 30),
            "Trámites publicados en GOV.CO",
        ),
        (
            "GD-ARQ-02",
            "Documentar la arquitectura de referencia de la sede electrónica",
            it_office.id,
            pro,
            (2, 1),
            (5, 31),
            "Documento de arquitectura",
        ),
        (
            "GD-DAT-01",
            "Levantar el inventario de datos maestros con las dependencias",
            it_office.id,
            pro,
            (3, 1),
            (9, 30),
            "Inventario de datos",
        ),
        (
            "GD-SEG-02",
            "Formular el plan de tratamiento de riesgos de seguridad digital",
            it_office.id,
            secretario,
            (1, 20),
            (4, 30),
            "Plan aprobado por el comité",
        ),
    )
    created = []
    for code, description, dependency_id, person, start, end, deliverable in activities:
        gap = by_code.get(code)
        created.append(
            plan.add_activity(
                session,
                work_plan,
                data=plan.ActivityData(
                    component=gap.component if gap else Component.ARQUITECTURA,
                    description=description,
                    dependency_id=dependency_id,
                    responsible_id=person.id,
                    start_date=date(year, *start),
                    end_date=date(year, *end),
                    deliverable=deliverable,
                    gap_id=gap.id if gap else None,
                ),
                actor=pro,
                now=now,
            )
        )
    plan.add_resource(
        session,
        work_plan,
        kind=ResourceKind.HUMANO,
        description="Dos profesionales de apoyo (contrato de prestación de servicios)",
        amount=96_000_000,
        actor=pro,
    )
    plan.add_resource(
        session,
        work_plan,
        kind=ResourceKind.TECNOLOGICO,
        description="Licencias de la plataforma de interoperabilidad",
        amount=45_000_000,
        actor=pro,
    )
    plan.add_budget_availability(
        session,
        work_plan,
        number=f"CDP-{year}-0142",
        issued_on=date(year, 1, 10),
        amount=141_000_000,
        description="Rubro de fortalecimiento de Gobierno Digital",
        actor=pro,
    )
    plan.submit_plan(session, work_plan, actor=pro, now=now)
    plan.approve_plan(session, work_plan, actor=secretario, now=now)
    if created[1].end_date < today:
        plan.set_activity_status(session, created[1], status=ActivityStatus.TERMINADA, actor=pro, now=now)

    project = projects.create_project(
        session,
        data=projects.ProjectData(
            name="Sede electrónica y trámites en línea",
            description="Poner en línea los trámites de mayor demanda de la entidad, integrados a GOV.CO, con autenticación digital.",
            component=Component.SERVICIOS_CIUDADANOS,
            dependency_id=it_office.id,
            vigencia=year,
            responsible_id=pro.id,
            start_date=today - timedelta(days=90),
            end_date=today + timedelta(days=180),
        ),
        actor=pro,
        now=now,
    )
    contract = projects.add_contract(
        session,
        project,
        data=projects.ContractData(
            number=f"CT-{year}-0087",
            object="Desarrollo e integración de la sede electrónica con GOV.CO",
            contractor="Soluciones Digitales del Pacífico S.A.S.",
            value=380_000_000,
            start_date=today - timedelta(days=80),
            end_date=today + timedelta(days=170),
        ),
        actor=pro,
        now=now,
    )
    projects.add_contract_report(
        session,
        contract,
        reported_on=today - timedelta(days=20),
        percent=35,
        deliverables="Diseño de la sede y primer trámite en pruebas",
        note=None,
        attachments=[],
        actor=pro,
        now=now,
    )
    for name, days, weight, percent in (
        ("Diseño aprobado", -60, 20, 100),
        ("Primer trámite en producción", -30, 30, 50),
        ("Integración con Carpeta Ciudadana", 45, 30, 0),
        ("Cierre y transferencia", 170, 20, 0),
    ):
        milestone = supervision.add_milestone(
            session,
            project,
            name=name,
            planned_date=today + timedelta(days=days),
            weight=weight,
            responsible_id=pro.id,
            actor=pro,
            now=now,
        )
        if percent:
            supervision.report_milestone_progress(
                session,
                milestone,
                reported_on=today + timedelta(days=min(days, 0) - 1),
                percent=percent,
                note=None,
                actor=pro,
                now=now,
            )

    for name, formula, unit, baseline, target in (
        ("Trámites en línea integrados a GOV.CO", "Trámites integrados / trámites priorizados × 100", "%", 20, 80),
        ("Conjuntos de datos abiertos actualizados", "Conjuntos actualizados en el periodo", "conjuntos", 12, 30),
    ):
        indicator = indicators.define_indicator(
            session,
            data=indicators.IndicatorData(
                name=name,
                formula=formula,
                unit=unit,
                baseline=baseline,
                target=target,
                periodicity=Periodicity.TRIMESTRAL,
                vigencia=year,
                component=Component.ESTADO_ABIERTO if "datos" in name else Component.SERVICIOS_CIUDADANOS,
                responsible_id=pro.id,
            ),
            calendar=calendar,
            due_days=settings.measurement_due_days,
            actor=pro,
            now=now,
        )
        closed = [m for m in indicator.measurements if m.period_end < today]
        for step, measurement in enumerate(closed[:-1] if len(closed) > 1 else closed, start=1):
            indicators.record_measurement(
                session,
                measurement,
                value=baseline + step * (target - baseline) / 5,
                note="Dato de demostración",
                actor=pro,
                now=now,
            )

    for name, category, p, i, controls in (
        (
            "Retraso del contratista en la integración con GOV.CO",
            RiskCategory.GESTION,
            4,
            4,
            ((dafp.ControlType.PREVENTIVO, dafp.Implementation.MANUAL),),
        ),
        (
            "Fuga de datos personales en los trámites en línea",
            RiskCategory.SEGURIDAD,
            3,
            5,
            (
                (dafp.ControlType.PREVENTIVO, dafp.Implementation.AUTOMATICO),
                (dafp.ControlType.CORRECTIVO, dafp.Implementation.MANUAL),
            ),
        ),
        (
            "Direccionamiento de la contratación de la sede electrónica",
            RiskCategory.CORRUPCION,
            2,
            4,
            ((dafp.ControlType.DETECTIVO, dafp.Implementation.MANUAL),),
        ),
    ):
        risk = risks.add_risk(
            session,
            data=risks.RiskData(
                vigencia=year,
                name=name,
                cause="Identificada en la sesión de análisis del plan.",
                consequence="Incumplimiento de las metas del plan de Gobierno Digital.",
                category=category,
                probability=p,
                impact=i,
                treatment=Treatment.REDUCIR,
                responsible_id=pro.id,
                project_id=project.id,
            ),
            actor=pro,
            now=now,
        )
        for control_type, implementation in controls:
            risks.add_control(
                session,
                risk,
                data=risks.ControlData(
                    description=f"Control {control_type.label.lower()} del riesgo",
                    control_type=control_type,
                    implementation=implementation,
                    execution=dafp.Execution.FUERTE,
                ),
                actor=pro,
                now=now,
            )

    tick(session, now)
    return [
        f"gobierno digital: calificaciones {year - 2} y {year - 1}, {len(gaps)} brechas, plan {year} aprobado, un proyecto, indicadores y riesgos"
    ]
