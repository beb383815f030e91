import datetime as dt
import re

import pytest

from plugins.survei.models import SurveiDeskSurvey, SurveiRoster
from portal.core.models import Desk
from portal.extensions import db

NONCE_RE = re.compile(r'name="nonce" value="([^"]+)"')
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def all_week(desk_id, officer_id):
    return [
        SurveiRoster(
            desk_id=desk_id, officer_id=officer_id, weekday=d, start=dt.time(0, 0), end=dt.time(23, 59, 59)
        )
        for d in range(7)
    ]


@pytest.fixture
def desk(app, world):
    """Alpha's desk: quick survey, staff on duty all week. Returns its QR token."""
    with app.app_context():
        d = db.session.get(Desk, world["alpha"]["desk"])
        db.session.add_all(all_week(d.id, world["alpha"]["staff"]))
        db.session.commit()
        return d.qr_token


def set_kind(app, desk_id, kind):
    with app.app_context():
        row = db.session.get(SurveiDeskSurvey, desk_id) or SurveiDeskSurvey(desk_id=desk_id)
        row.kind = kind
        db.session.add(row)
        db.session.commit()


def open_form(client, url):
    page = client.get(url)
    html = page.get_data(as_text=True)
    nonce = NONCE_RE.search(html)
    assert page.status_code == 200 and nonce, html[:2000]
    # The signed single-use nonce is the form's CSRF token: no session needed.
    assert not CSRF_RE.search(html) and "Set-Cookie" not in page.headers
    return {"nonce": nonce.group(1)}, html


SKM_GOOD = {f"u{n}": "4" for n in range(1, 10)} | {"u6": "3", "u7": "4"}
