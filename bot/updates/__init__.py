"""How updates come in: polling that confirms an update once handled, the webhook server, the per-
user ordered processor.
"""
