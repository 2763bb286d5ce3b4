"""Analyst dialogs: what policy staff read (reports and exports). One router per module; each
is listed in ``dialogs.staff.build_routers`` before the denial router and carries a role
filter."""
