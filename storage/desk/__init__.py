"""The staff desk's storage: case actions, follow-ups, inbox lists and the staff-chat cards."""
