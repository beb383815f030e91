"""A plugin laid out by convention: ``models.py`` and ``migrations/`` beside
its module, and neither ``portal_models`` nor ``portal_migrations_dir``."""

from __future__ import annotations

NAME = "konvensi"
