"""The ANS engine on a real PostgreSQL server: concurrent ticks send each notice once; the report's
percentiles (``percentile_cont``) equal the hand-computed ones, as on SQLite."""

from __future__ import annotations

import threading
from collections import Counter

from sqlalchemy import select, text

from portal.audit import verify_chain
from portal.extensions import db
from portal.models import AuditEvent
from sla import services
from sla.models import SlaTimer
from sla.reports.assembly import build_report
from sla.reports.queries import ReportFilters
from tests.unit.sla import report_fixture as fx
from tests.unit.sla.flow import bogota, file, mails
from tests.unit.sla.test_reports import check_report


def _run_together(app, count, target):  # type: ignore[no-untyped-def]
    barrier = threading.Barrier(count)
    results: list[object] = [None] * count

    def run(i: int) -> None:
        with app.app_context():
            barrier.wait()
            try:
                results[i] = target()
                db.session.commit()
            except Exception as exc:
                db.session.rollback()
                results[i] = exc
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_concurrent_ticks_send_each_notice_exactly_once(pg_app, tmp_path):
    with pg_app.app_context():
        filed = bogota(2026, 3, 9, 8)
        request_ids = [file(n, filed) for n in range(1, 13)]
        timer_ids = set(db.session.execute(select(SlaTimer.id)).scalars())
        assert len(timer_ids) == 3 * len(request_ids)
        db.session.remove()

    now = bogota(2026, 3, 20, 12)  # past every threshold of every timer
    reports = _run_together(pg_app, 4, lambda: services.tick(db.session, now))
    assert not [r for r in reports if isinstance(r, Exception)], reports

    for level in ("warned", "breached", "escalated"):
        claimed = Counter(timer_id for report in reports for timer_id in getattr(report, level))
        assert set(claimed) == timer_ids, level
        assert set(claimed.values()) == {1}, level
    sent = mails(tmp_path / "mail")
    assert len(sent) == sum(report.mails for report in reports)
    per_level = Counter(m["subject"].rsplit(" (", 1)[0] for m in sent)
    listed = Counter()
    for m in sent:
        listed[m["subject"].rsplit(" (", 1)[0]] += int(m["subject"].rsplit("(", 1)[1].rstrip(")"))
    # every timer is listed once per level, whichever tick claimed it
    assert set(listed.values()) == {3 * len(request_ids)} and len(per_level) == 3

    with pg_app.app_context():
        again = services.tick(db.session, now)
        db.session.commit()
        assert again.total == 0
        audits = db.session.execute(select(AuditEvent).where(AuditEvent.action.like("ans.%"))).scalars().all()
        notified = Counter((a.action, timer_id) for a in audits for timer_id in a.after["timers"])
        assert len(notified) == 3 * len(timer_ids) and set(notified.values()) == {1}
        assert verify_chain(db.session) is None


def test_the_claim_is_a_range_over_the_index_of_pending_notices(pg_app):
    with pg_app.app_context():
        db.session.execute(text("SET LOCAL enable_seqscan = off"))
        plan = "\n".join(
            db.session.execute(
                text("EXPLAIN DELETE FROM sla_pending_notices WHERE notice_at <= now() RETURNING timer_id, level")
            ).scalars()
        )
        assert "ix_sla_pending_notices_notice_at" in plan, plan
        db.session.rollback()


def test_report_on_postgresql_equals_the_hand_computed_values(pg_app):
    with pg_app.app_context():
        ids = fx.build()
        report = build_report(db.session, ReportFilters(*fx.PERIOD), fx.REPORT_NOW)
        check_report(report, ids)
