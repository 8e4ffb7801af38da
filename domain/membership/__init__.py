"""Roles, invite tokens and unit rows."""
