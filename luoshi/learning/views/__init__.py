"""Pages of learning, by what they show: `imports` (upload, preview and matching, confirm and
undo, the history) and `reports` (the monthly summary, rankings, a staff member's own figures,
the compliance settings and the half-year notices)."""
