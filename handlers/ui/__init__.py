"""Shared chat UI: labels, keyboards, callback data (and the one neutral answer to a press
that is not the presser's), local dates and message edits that every feature uses.
"""
