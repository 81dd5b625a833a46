"""Storage: engine and sessions, typed ORM models, Alembic migrations, idempotent upserts.

Records from `scrapers` become rows here (`records`), keyed by (source, source_id) or AGS.
May use: config, errors, text, scrapers. Nothing above it.
"""
