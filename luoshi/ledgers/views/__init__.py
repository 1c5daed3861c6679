"""The ledger's pages, by what they hold: `types` (activity types, configured by the office),
`records` (recording one activity, editing it, its page, delete and restore, the participants),
`lists` (the activity list, the ledger view and the per-person counts, with their exports),
`checkin` (the six-digit code), `imports` (the Excel template and import of a type) and
`filters` (the lists' GET filters and filter bar, shared by `lists`). Views parse, fetch through
the access helpers and call the services."""
