"""Publication and broadcast rules."""
