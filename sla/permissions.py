"""Who may see the ANS reports and change the ANS settings (SPEC §1, §5)."""

from __future__ import annotations

from portal.models import User
from portal.roles import Role

#: The Secretario's reports, also for the approver, internal control and the administrator.
REPORT_ROLES = frozenset({Role.SECRETARIO, Role.APROBADOR, Role.CONTROL_INTERNO, Role.ADMIN})
#: Calendars and ANS targets are configuration (SPEC §1: admin).
SETTINGS_ROLES = frozenset({Role.ADMIN})
#: Control Interno reads every configuration page, without changing anything (SPEC §1).
SETTINGS_READERS = SETTINGS_ROLES | {Role.CONTROL_INTERNO}


def can_view_reports(user: User) -> bool:
    return user.has_role(*REPORT_ROLES)


def can_manage_settings(user: User) -> bool:
    return user.has_role(*SETTINGS_ROLES)
