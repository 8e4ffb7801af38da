"""Shared chat UI: labels, keyboards, callback data, local dates and message edits that every
feature uses.
"""
