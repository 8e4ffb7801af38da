"""Duties: the "124" boarding check-in and leave, the admins' marks, unannounced inspections and
their rounds.
"""
