"""The relational store (SQLAlchemy 2): SQLite file by default, PostgreSQL by URL."""
