"""Facilitator dialogs: running consultations from the chat (files, preview, schedule, open,
close, extend), broadcasts, moderation and live statistics. One router per module; each is
listed in ``dialogs.staff.build_routers`` before the denial router and carries a role filter.
"""
