"""Publishing: the honour roll and exposure board (/publish) and broadcasts."""
