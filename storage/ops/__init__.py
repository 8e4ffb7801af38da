"""Running the bot: conversation persistence, handled updates, the leader lock, health probes,
backup.
"""
