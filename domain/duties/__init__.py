"""The "124" duty's and inspections' rules."""
