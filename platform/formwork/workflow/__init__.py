"""Approval chains: the ApprovalChain and Role kinds, the engine's tables, approver resolution and the engine.

`definition` (typed chains, snapshots), `roles` (the Role kind, FAB roles),
`checks` (semantic checks with file:line), `tables` (instances, tasks, events,
delegations in the tenant's storage), `directory` (users, roles, employees),
`approvers` (one resolver per source, then the policies), `delegation` (out of
office), `rows` (the engine's reads and writes, and the safe decision),
`engine` (`Approvals`: every action). docs/workflow.md is the guide for chain authors.
"""
