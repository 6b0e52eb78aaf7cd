"""The state machine of access requests (SPEC §3): the only code that changes them.

- ``filing``: the form's data and its checks, drafts, filing a request, withdrawing it, its comments
  and attachments.
- ``decisions``: where a request is approved: its approval chain, approving, rejecting or returning
  a step, and the Secretario's exception.
- ``execution``: starting the execution of an approved request, resolving it and closing it.
- ``delegations``: an approver's delegation of their approvals to someone else for a date range.
- ``admin``: the approval policies, the systems catalogue and the default catalogue of a first setup.
- ``common``: loading and locking a request, its history and audit events, the ANS hooks and the
  requester's e-mail.
"""
