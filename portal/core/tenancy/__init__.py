"""Agencies, their units, desks and officers: NIP validation (``nip``) and
creating or updating officers by NIP (``officers``). The tables are in
``portal.core.models``.
"""
