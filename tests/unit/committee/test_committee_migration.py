"""The migration of the committee to the letter keeps the data: down to the previous revision and up
again, existing actas are numbered per year in the order they were created, each version gets its
SHA-256 (copied to its signatures), a vote cast by the member is its own, each attendance gets its
arrival (and departure), and a decision without one says why."""

from __future__ import annotations

import json
from datetime import date, timedelta

from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from committee.actas import services as actas
from committee.actas.content import body_digest
from committee.actas.models import DeadlineKind
from portal.extensions import db
from tests.unit.catalog.factories import user
from tests.unit.committee.acta_factories import SECRETARIAT, acta_row, bogota, close, deadline_of, held_session, send, tick

PREVIOUS = "b94ec9d92013"


def rows(sql: str) -> list[tuple]:  # type: ignore[type-arg]
    return [tuple(row) for row in db.session.execute(text(sql)).all()]


def test_down_and_up_again_keeps_and_completes_the_committees_data(app) -> None:
    with app.app_context():
        later = close(held_session(date(2026, 3, 20), programmed_at=bogota(2026, 3, 1, 9, 0)))
        earlier = close(held_session(date(2026, 12, 9)))
        send(earlier, bogota(2026, 12, 14, 10, 0))
        tick(deadline_of(earlier, DeadlineKind.OBSERVACIONES).due_at + timedelta(seconds=1))
        actas.sign(db.session, acta_row(earlier), actor=user(SECRETARIAT), now=bogota(2026, 12, 18, 9, 0))
        db.session.commit()
        db.session.remove()

        downgrade(revision=PREVIOUS)
        assert rows("SELECT kind FROM acta_versions ORDER BY id") == [("borrador",), ("borrador",), ("definitiva",)]
        # what the portal recorded before: a vote the member cast itself, a voting without decision
        db.session.execute(
            text(
                "UPDATE agenda_votes SET cast_by_id = (SELECT user_id FROM committee_members "
                "WHERE committee_members.id = agenda_votes.member_id) WHERE id = (SELECT min(id) FROM agenda_votes)"
            )
        )
        db.session.execute(
            text(
                "UPDATE agenda_item_decisions SET outcome = 'sin_decision', casting_decision = NULL, casting_by_id = NULL, "
                "casting_at = NULL, casting_note = NULL WHERE outcome = 'empate'"
            )
        )
        db.session.commit()
        db.session.remove()
        upgrade()

        assert dict(rows("SELECT id, number FROM committee_actas")) == {later: 1, earlier: 2}
        assert rows("SELECT year, last_value FROM acta_counters") == [(2026, 2)]
        for body, digest in rows("SELECT body, sha256 FROM acta_versions"):
            assert digest == body_digest(body if isinstance(body, dict) else json.loads(body))
        assert rows("SELECT version_sha256 FROM acta_signatures") == rows(
            f"SELECT sha256 FROM acta_versions WHERE acta_id = {earlier} AND number = 2"
        )
        (attendance,) = rows("SELECT count(*) FROM session_attendance")[0]
        assert rows("SELECT count(*) FROM session_attendance_movements WHERE kind = 'llegada'") == [(attendance,)]
        # the guest of each session left
        assert rows("SELECT count(*) FROM session_attendance_movements WHERE kind = 'salida'") == [(2,)]
        assert rows("SELECT count(*) FROM agenda_votes WHERE is_own_vote") == [(1,)]
        # 5 of 7 present: there was quorum, so what was missing was a majority
        assert set(rows("SELECT no_decision_reason FROM agenda_item_decisions WHERE outcome = 'sin_decision'")) == {
            ("sin_mayoria",)
        }
