"""Access requests (FO-M11-P2-05/12/13), approvals and LDAP provisioning (SPEC §3, §4)."""
