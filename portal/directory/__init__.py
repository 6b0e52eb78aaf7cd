"""The one package that talks to the directory (ldap3): login (``base``) and provisioning
(``provisioning``), for OpenLDAP and Active Directory."""

from portal.directory.base import (
    ATTRIBUTE_MAPS,
    DISABLED_LOCK_TIME,
    REQUIRED_ATTRIBUTES,
    AuthResult,
    AuthStatus,
    Directory,
    DirectoryAccount,
    DirectoryPerson,
    DirectorySettings,
    DirectoryUnavailable,
)

__all__ = [
    "ATTRIBUTE_MAPS",
    "DISABLED_LOCK_TIME",
    "REQUIRED_ATTRIBUTES",
    "AuthResult",
    "AuthStatus",
    "Directory",
    "DirectoryAccount",
    "DirectoryPerson",
    "DirectorySettings",
    "DirectoryUnavailable",
]
