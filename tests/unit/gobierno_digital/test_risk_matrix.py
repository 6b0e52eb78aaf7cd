"""The risk matrix against the DAFP tables (``gobierno_digital/risks/dafp.py`` documents them):
probability × impact → zone on the heat map, and controls → residual level."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from gobierno_digital.risks import dafp
from gobierno_digital.risks.dafp import ControlRating, ControlType, Execution, Implementation, Zone

B, M, A, E = Zone.BAJA, Zone.MODERADA, Zone.ALTA, Zone.EXTREMA

#: the DAFP heat map as printed in the guide: rows from Muy alta (5) down to Muy baja (1),
#: columns Leve (1) … Catastrófico (5)
GUIDE_HEAT_MAP = {
    5: [A, A, A, A, E],
    4: [M, M, A, A, E],
    3: [M, M, M, A, E],
    2: [B, M, M, A, E],
    1: [B, B, M, A, E],
}


@pytest.mark.parametrize(
    ("probability", "impact", "expected"),
    [(p, i, zones[i - 1]) for p, zones in GUIDE_HEAT_MAP.items() for i in range(1, 6)],
)
def test_probability_by_impact_gives_the_heat_map_zone(probability, impact, expected):
    assert dafp.zone(probability, impact) is expected
    assert dafp.inherent(probability, impact).zone is expected


@pytest.mark.parametrize(("probability", "impact"), [(0, 3), (6, 3), (3, 0), (3, 6)])
def test_values_off_the_scales_are_refused(probability, impact):
    with pytest.raises(ValueError):
        dafp.zone(probability, impact)


@pytest.mark.parametrize(
    ("percent", "level"),
    [(0, 1), (12, 1), (20, 1), (20.01, 2), (36, 2), (40, 2), (48, 3), (60, 3), (61, 4), (80, 4), (80.5, 5), (100, 5)],
)
def test_a_percent_reads_back_on_the_scale(percent, level):
    assert dafp.level_of(percent) == level


@pytest.mark.parametrize(
    ("control", "design", "lowers_probability"),
    [
        (ControlRating(ControlType.PREVENTIVO, Implementation.AUTOMATICO), 50, True),
        (ControlRating(ControlType.PREVENTIVO, Implementation.MANUAL), 40, True),
        (ControlRating(ControlType.DETECTIVO, Implementation.AUTOMATICO), 40, True),
        (ControlRating(ControlType.DETECTIVO, Implementation.MANUAL), 30, True),
        (ControlRating(ControlType.CORRECTIVO, Implementation.AUTOMATICO), 35, False),
        (ControlRating(ControlType.CORRECTIVO, Implementation.MANUAL), 25, False),
    ],
)
def test_control_design_rating_is_type_plus_implementation(control, design, lowers_probability):
    assert control.design_percent == design
    assert control.percent == design  # executed always (fuerte)
    assert control.lowers_probability is lowers_probability


@pytest.mark.parametrize(("execution", "factor"), [(Execution.FUERTE, 1.0), (Execution.MODERADA, 0.5), (Execution.DEBIL, 0.0)])
def test_execution_scales_the_design_rating(execution, factor):
    control = ControlRating(ControlType.PREVENTIVO, Implementation.MANUAL, execution)
    assert control.percent == 40 * factor


P_MANUAL = ControlRating(ControlType.PREVENTIVO, Implementation.MANUAL)
P_AUTO = ControlRating(ControlType.PREVENTIVO, Implementation.AUTOMATICO)
D_MANUAL = ControlRating(ControlType.DETECTIVO, Implementation.MANUAL)
C_MANUAL = ControlRating(ControlType.CORRECTIVO, Implementation.MANUAL)
C_AUTO = ControlRating(ControlType.CORRECTIVO, Implementation.AUTOMATICO)
WEAK = ControlRating(ControlType.PREVENTIVO, Implementation.AUTOMATICO, Execution.DEBIL)
HALF = ControlRating(ControlType.PREVENTIVO, Implementation.AUTOMATICO, Execution.MODERADA)


@pytest.mark.parametrize(
    ("probability", "impact", "controls", "p_percent", "i_percent", "residual", "zone"),
    [
        # no control: residual = inherent
        (3, 3, [], 60, 60, (3, 3), M),
        # the guide's worked example: Media (60 %) − 60 % × 40 % = 36 % → Baja
        (3, 3, [P_MANUAL], 36, 60, (2, 3), M),
        # two controls in a row: 36 % − 36 % × 30 % = 25,2 % → still Baja
        (3, 3, [P_MANUAL, D_MANUAL], 25.2, 60, (2, 3), M),
        # Muy alta × Mayor (alta) with an automatic preventive: 100 % → 50 % Media
        (5, 4, [P_AUTO], 50, 80, (3, 4), A),
        # a corrective control lowers the impact only: Catastrófico 100 % − 25 % = 75 % → Mayor
        (2, 5, [C_MANUAL], 40, 75, (2, 4), A),
        # preventive and corrective: 80 % → 48 % (Media); 80 % → 52 % (Moderado)
        (4, 4, [P_MANUAL, C_AUTO], 48, 52, (3, 3), M),
        # an unexecuted control (débil) changes nothing
        (4, 4, [WEAK], 80, 80, (4, 4), A),
        # a control executed some times (moderada) counts half: 80 % − 80 % × 25 % = 60 % → Media
        (4, 2, [HALF], 60, 40, (3, 2), M),
        # from Muy alta to Muy baja with three strong automatic preventives: 100 → 50 → 25 → 12,5 %
        (5, 1, [P_AUTO, P_AUTO, P_AUTO], 12.5, 20, (1, 1), B),
    ],
)
def test_controls_give_the_residual_level(probability, impact, controls, p_percent, i_percent, residual, zone):
    value = dafp.residual(probability, impact, controls)
    assert value.probability_percent == pytest.approx(p_percent)
    assert value.impact_percent == pytest.approx(i_percent)
    assert (value.probability, value.impact) == residual
    assert value.zone is zone


def test_the_risk_service_computes_the_residual_from_its_controls(app, gd_empty):
    from gobierno_digital.risks import services
    from gobierno_digital.risks.models import RiskCategory, Treatment
    from portal.errors import NotAllowed, ValidationFailed
    from portal.extensions import db
    from tests.unit.gobierno_digital.conftest import user

    now = datetime(2031, 3, 3, 15, tzinfo=UTC)
    with app.app_context():
        pro = user("lider.ed")
        data = services.RiskData(
            vigencia=2031,
            name="Retraso del contratista",
            cause="Dependencia de un único proveedor",
            consequence="Metas incumplidas",
            category=RiskCategory.GESTION,
            probability=3,
            impact=3,
            treatment=Treatment.REDUCIR,
            responsible_id=pro.id,
        )
        risk = services.add_risk(db.session, data=data, actor=pro, now=now)
        services.add_control(
            db.session,
            risk,
            data=services.ControlData("Seguimiento semanal", ControlType.PREVENTIVO, Implementation.MANUAL, Execution.FUERTE),
            actor=pro,
            now=now,
        )
        db.session.commit()
        assert (risk.inherent.zone, risk.residual.probability, risk.residual.zone) == (M, 2, M)
        maps = services.heat_map([risk])
        assert maps.inherent[(3, 3)] == 1 and maps.residual[(2, 3)] == 1
        assert maps.by_zone("residual")[M] == 1

        with pytest.raises(ValidationFailed) as caught:
            services.add_risk(
                db.session,
                data=services.RiskData(**{**data.__dict__, "category": RiskCategory.CORRUPCION, "impact": 2}),
                actor=pro,
                now=now,
            )
        assert "impact" in caught.value.fields
        with pytest.raises(NotAllowed):
            services.add_risk(db.session, data=data, actor=user("control.interno"), now=now)
