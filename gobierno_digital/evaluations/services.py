"""Activities 1–2: import a vigencia's scores, compare them year over year, propose and register gaps,
record the analysis session. The only code that changes evaluation data."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import delete, func, select

from gobierno_digital.common import Component, Instrument, audit
from gobierno_digital.documents import DocumentPurpose, add_document
from gobierno_digital.evaluations.importer import ParsedFile
from gobierno_digital.evaluations.models import AnalysisAttendee, AnalysisSession, Gap, Score, ScoreImport
from gobierno_digital.permissions import require_runner
from portal.db import DbSession
from portal.errors import ValidationFailed
from portal.models import User
from portal.uploads import CheckedFile


@dataclass(frozen=True)
class ImportResult:
    score_import: ScoreImport
    #: (vigencia, instrument) -> (rows imported, rows it replaced)
    scopes: dict[tuple[int, Instrument], tuple[int, int]]

    @property
    def replaced_any(self) -> bool:
        return any(old for _new, old in self.scopes.values())

    def summary(self) -> str:
        parts = [
            f"{instrument.short} {vigencia}: {new} filas" + (f" (reemplazan {old})" if old else "")
            for (vigencia, instrument), (new, old) in sorted(self.scopes.items())
        ]
        return "Importado: " + "; ".join(parts) + "."


def import_scores(session: DbSession, parsed: ParsedFile, *, actor: User | None, now: datetime) -> ImportResult:
    """Store a checked file's scores. Re-runnable: for every (vigencia, instrument) in the file, the
    scores held before are replaced by the file's, in this one transaction; other vigencias stay."""
    require_runner(actor)
    by_scope: dict[tuple[int, Instrument], list] = defaultdict(list)
    for row in parsed.rows:
        by_scope[(row.vigencia, row.instrument)].append(row)
    record = ScoreImport(
        filename=parsed.filename[:255],
        sha256=parsed.sha256,
        row_count=len(parsed.rows),
        scopes=[[v, i.value] for v, i in sorted(by_scope)],
        imported_by_id=actor.id if actor else None,
        imported_at=now,
    )
    session.add(record)
    session.flush()
    scopes: dict[tuple[int, Instrument], tuple[int, int]] = {}
    for (vigencia, instrument), rows in sorted(by_scope.items()):
        replaced = session.execute(delete(Score).where(Score.vigencia == vigencia, Score.instrument == instrument)).rowcount  # type: ignore[attr-defined]
        session.add_all(
            Score(
                vigencia=vigencia,
                instrument=instrument,
                component=row.component,
                code=row.code,
                question=row.question,
                score=row.score,
                maximum=row.maximum,
                import_id=record.id,
            )
            for row in rows
        )
        scopes[(vigencia, instrument)] = (len(rows), int(replaced or 0))
    session.flush()
    audit(
        session,
        actor,
        "calificaciones.importar",
        "importacion",
        record.id,
        after={
            "filename": record.filename,
            "sha256": record.sha256,
            "scopes": [{"vigencia": v, "instrument": i.value, "rows": n, "replaced": o} for (v, i), (n, o) in scopes.items()],
        },
    )
    return ImportResult(record, scopes)


def vigencias(session: DbSession) -> list[int]:
    return list(session.execute(select(Score.vigencia).distinct().order_by(Score.vigencia)).scalars())


def instruments_of(session: DbSession, vigencia: int | None = None) -> list[Instrument]:
    query = select(Score.instrument).distinct()
    if vigencia is not None:
        query = query.where(Score.vigencia == vigencia)
    found = set(session.execute(query).scalars())
    return [i for i in Instrument if i in found]


@dataclass
class ComparisonRow:
    component: Component
    #: vigencia -> achieved percent (sum of scores over sum of maxima), None when not evaluated
    percents: dict[int, float | None] = field(default_factory=dict)
    items: dict[int, int] = field(default_factory=dict)

    def change(self, first: int, last: int) -> float | None:
        a, b = self.percents.get(first), self.percents.get(last)
        return None if a is None or b is None else b - a


@dataclass(frozen=True)
class Comparison:
    vigencias: list[int]
    instrument: Instrument | None
    rows: list[ComparisonRow]


def component_comparison(
    session: DbSession, *, instrument: Instrument | None = None, years: list[int] | None = None
) -> Comparison:
    """Achievement per component and vigencia: Σ score / Σ maximum, in percent (year-over-year view)."""
    query = select(Score.vigencia, Score.component, func.sum(Score.score), func.sum(Score.maximum), func.count(Score.id))
    if instrument is not None:
        query = query.where(Score.instrument == instrument)
    if years:
        query = query.where(Score.vigencia.in_(years))
    grouped = session.execute(query.group_by(Score.vigencia, Score.component)).all()
    found_years = sorted({row[0] for row in grouped})
    rows = {c: ComparisonRow(c) for c in Component}
    for vigencia, component, total, maximum, count in grouped:
        rows[component].percents[vigencia] = 100 * float(total) / float(maximum) if maximum else None
        rows[component].items[vigencia] = count
    for row in rows.values():
        for year in found_years:
            row.percents.setdefault(year, None)
    return Comparison(
        found_years, instrument, [rows[c] for c in Component if any(v is not None for v in rows[c].percents.values())]
    )


@dataclass(frozen=True)
class Proposal:
    score: Score
    is_registered: bool


def proposed_gaps(session: DbSession, vigencia: int, threshold_percent: int) -> list[Proposal]:
    """Questions of the vigencia scoring under ``threshold_percent`` of their maximum, lowest first."""
    scores = session.execute(
        select(Score)
        .where(Score.vigencia == vigencia, Score.score * 100 < Score.maximum * threshold_percent)
        .order_by(Score.component, Score.score / Score.maximum, Score.code)
    ).scalars()
    registered = set(session.execute(select(Gap.instrument, Gap.code).where(Gap.vigencia == vigencia)).tuples())
    return [Proposal(s, (s.instrument, s.code) in registered) for s in scores]


def register_gaps(
    session: DbSession, *, vigencia: int, score_ids: list[int], threshold_percent: int, actor: User | None, now: datetime
) -> list[Gap]:
    """Register the chosen proposals as gaps of the vigencia (activity 2). Questions already registered
    are left as they are; choosing only those, or none, is refused."""
    require_runner(actor)
    if not score_ids:
        raise ValidationFailed("Seleccione al menos una brecha propuesta.", fields={"score_ids": ["Seleccione al menos una."]})
    scores = session.execute(select(Score).where(Score.id.in_(score_ids), Score.vigencia == vigencia)).scalars().all()
    if len(scores) != len(set(score_ids)):
        raise ValidationFailed("Alguna pregunta seleccionada no es de esta vigencia o ya no existe.")
    existing = set(session.execute(select(Gap.instrument, Gap.code).where(Gap.vigencia == vigencia)).tuples())
    created = []
    for score in scores:
        if (score.instrument, score.code) in existing:
            continue
        gap = Gap(
            vigencia=vigencia,
            instrument=score.instrument,
            component=score.component,
            code=score.code,
            question=score.question,
            score=score.score,
            maximum=score.maximum,
            threshold_percent=threshold_percent,
            identified_by_id=actor.id if actor else None,
            identified_at=now,
        )
        session.add(gap)
        created.append(gap)
    if not created:
        raise ValidationFailed("Las preguntas seleccionadas ya estaban registradas como brechas.")
    session.flush()
    audit(
        session,
        actor,
        "brechas.registrar",
        "vigencia",
        vigencia,
        after={"gaps": [f"{g.instrument.value}:{g.code}" for g in created], "threshold_percent": threshold_percent},
    )
    return created


def gaps_of(session: DbSession, vigencia: int | None = None) -> list[Gap]:
    query = select(Gap).order_by(Gap.vigencia.desc(), Gap.component, Gap.code)
    if vigencia is not None:
        query = query.where(Gap.vigencia == vigencia)
    return list(session.execute(query).scalars())


def record_analysis_session(
    session: DbSession,
    *,
    vigencia: int,
    held_on: date,
    place: str,
    notes: str | None,
    attendee_ids: list[int],
    acta: CheckedFile,
    actor: User,
    now: datetime,
) -> AnalysisSession:
    """The session that analysed the scores, with its attendance and its signed acta in PDF (activity 1:
    "Asistencias y actas")."""
    require_runner(actor)
    errors: dict[str, list[str]] = {}
    if not attendee_ids:
        errors["attendee_ids"] = ["Seleccione a los asistentes."]
    if not place.strip():
        errors["place"] = ["Escriba el lugar."]
    if acta.content_type != "application/pdf":
        errors["acta"] = ["El acta debe ser un PDF."]
    people = session.execute(select(User).where(User.id.in_(attendee_ids))).scalars().all() if attendee_ids else []
    if attendee_ids and len(people) != len(set(attendee_ids)):
        errors["attendee_ids"] = ["Algún asistente no existe."]
    if errors:
        raise ValidationFailed("Revise la sesión de análisis.", fields=errors)
    record = AnalysisSession(
        vigencia=vigencia, held_on=held_on, place=place.strip(), notes=(notes or "").strip() or None, created_by_id=actor.id
    )
    record.attendees = [AnalysisAttendee(user_id=p.id) for p in people]
    session.add(record)
    session.flush()
    add_document(session, purpose=DocumentPurpose.ACTA, file=acta, actor=actor, now=now, analysis_session_id=record.id)
    audit(
        session,
        actor,
        "sesion_analisis.registrar",
        "sesion_analisis",
        record.id,
        after={
            "vigencia": vigencia,
            "held_on": held_on.isoformat(),
            "attendees": [p.username for p in people],
            "acta": acta.sha256,
        },
    )
    return record


def analysis_sessions(session: DbSession, vigencia: int | None = None) -> list[AnalysisSession]:
    query = select(AnalysisSession).order_by(AnalysisSession.held_on.desc())
    if vigencia is not None:
        query = query.where(AnalysisSession.vigencia == vigencia)
    return list(session.execute(query).scalars())
