"""The campaigns' pages, by what they hold: `tasks` (the task page and its moves along the chain),
`setup` (campaigns, tracks, the leading group, the task breakdown and the accountability kinds),
`dashboards` (the workbench and the campaign overview) and `lists` (the task, campaign and
supervision notice lists with their filters and exports).. The holiday calendar is the
workdays app's."""
