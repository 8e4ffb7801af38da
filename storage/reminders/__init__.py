"""The reminder outbox, the sweep's candidate queries and /overdue's lists."""
