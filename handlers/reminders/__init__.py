"""Reminders' texts and /overdue."""
