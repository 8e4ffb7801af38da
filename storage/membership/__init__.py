"""Members, invites, units and group bindings."""
