"""Publications (honour roll, exposure board) and broadcasts."""
