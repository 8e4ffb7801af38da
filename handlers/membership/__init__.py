"""Membership: /start and invites, /help, /language, group binding, /cancel and what answers when
nothing else does.
"""
