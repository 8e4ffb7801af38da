"""Which reminders are due, when they may go out, how they are grouped, the working-day calendar,
overdue checks.
"""
