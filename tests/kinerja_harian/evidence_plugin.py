"""A test module that reports work through ``portal_daily_evidence``: what
``WORK`` holds for an officer's day (its own agency's officers only, as
every module must)."""

from __future__ import annotations

from portal.plugin import Evidence, hookimpl

NAME = "bukti_uji"
#: (officer id, day) -> [(id, title, quantity, minutes)]
WORK: dict = {}


@hookimpl
def portal_daily_evidence(officer, day):
    return [
        Evidence(
            key=f"{NAME}:selesai:{item_id}",
            source=NAME,
            title=title,
            output="berkas",
            quantity=quantity,
            minutes=minutes,
            url=f"/kelola/{officer.agency.slug}/bukti/{item_id}",
        )
        for item_id, title, quantity, minutes in WORK.get((officer.id, day), [])
    ]
