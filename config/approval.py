"""Default approval chains and target systems (SPEC §3). Admins change them in the database."""

from __future__ import annotations

#: form -> steps, in order. FO-M11-P2-05 and -12: the beneficiary's head, then the approver;
#: FO-M11-P2-13 (role changes, "de las solicitudes más delicadas"): head, security, approver.
DEFAULT_APPROVAL_POLICIES: dict[str, list[str]] = {
    "FO-M11-P2-05": ["jefe", "aprobador"],
    "FO-M11-P2-12": ["jefe", "aprobador"],
    "FO-M11-P2-13": ["jefe", "seguridad", "aprobador"],
}


def default_systems(groups_dn: str) -> list[dict[str, object]]:
    """The demo catalogue: the institutional directory (automatic) and SAP (manual)."""
    return [
        {
            "code": "directorio",
            "name": "Directorio institucional (cuenta de red y correo)",
            "connector": "ldap",
            "role_map": {
                "correo": f"cn=correo-usuarios,{groups_dn}",
                "gestion-documental": f"cn=gestion-documental,{groups_dn}",
                "sap-consulta": f"cn=sap-consulta,{groups_dn}",
            },
            "instructions": None,
        },
        {
            "code": "sap",
            "name": "SAP (sin conector)",
            "connector": "manual",
            "role_map": {"consulta": "Z_CONSULTA", "contabilidad": "Z_FI_CONTABILIDAD", "presupuesto": "Z_PS_PRESUPUESTO"},
            "instructions": "Crear, modificar o bloquear el usuario en la transacción SU01 y asignar los roles en PFCG.",
        },
    ]
