"""Statistics: /stats with its charts, /export."""
