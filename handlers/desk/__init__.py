"""The staff desk: /inbox, the case card and its actions (accept, reply, close, transfer,
dispatch), follow-ups (退单, notes, files, questions) and the staff-chat cards.
"""
