"""Durable state: SQLModel models, async units of work, Alembic migrations.

Knows nothing of Telegram. Every public operation opens one session, commits once and returns
plain (detached) objects.
"""
