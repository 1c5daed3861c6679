"""Volunteer pages, by what they show: `volunteers` (registration, the list, a volunteer's
record, teams)."""
