"""The recorder plugin's pages that ``AgencyBlueprint.lazy_route`` loads on
their first request (tests/core/test_plugins.py)."""

from __future__ import annotations

from flask import g, request

from portal.extensions import csrf


def index():
    return f"rekam lambat {g.agency.slug}"


def note(note_id=None):
    return f"catatan {note_id} {request.method}"


@csrf.exempt
def unsigned():
    return "tanpa token"
