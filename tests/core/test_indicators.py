"""What the portal measures for targets and needs analyses, against
hand-computed values, and the day's evidence each module proposes, traced
to what it came from."""

from __future__ import annotations

import datetime as dt

import pytest

from plugins.dialog_publik.models import DialogEvent, DialogEventStatus, DialogPanelist
from plugins.pengaduan.models import PengaduanCategory, PengaduanEvent, PengaduanTicket, TicketStatus
from plugins.survei.models import SurveiKind, SurveiResponse, SurveiTicket
from portal.core.models import Agency, Officer, User
from portal.core.record.ratings import record_rating
from portal.extensions import db
from portal.plugin import daily_evidence, indicators, score_stat

DAY = dt.date(2026, 11, 18)  # a Wednesday
NOON = dt.datetime(2026, 11, 18, 5, 0)  # 12.00 in Jakarta, stored as UTC


def _officer(world, key="staff"):
    return db.session.get(Officer, world["alpha"][key])


def _rate(officer, values, at=NOON, kind=SurveiKind.QUICK, verified=False):
    for value in values:
        record_rating(
            agency=officer.agency,
            officer=officer,
            source="survei",
            kind=kind,
            value=value,
            at=at,
            verified=verified,
        )


def test_the_citizen_score_says_not_enough_below_five_ratings(app, world):
    with app.app_context():
        officer = _officer(world)
        score = indicators(officer.agency, "officer")["core.score"]
        _rate(officer, [4, 4, 3, 1])
        four = score.measure(officer, DAY, DAY)
        assert not four.known and four.count == 4 and four.value is None
        _rate(officer, [2])
        # A score is value ÷ scale maximum × 100: 100, 100, 75, 25, 50 → mean 70.
        five = score.measure(officer, DAY, DAY)
        assert five.known and five.count == 5 and five.value == pytest.approx(70.0, abs=0.01)
        assert five.low is not None and five.low < 70 < five.high
        # Outside the window nothing counts; the window is in local days.
        assert score.measure(officer, DAY + dt.timedelta(days=1), DAY + dt.timedelta(days=7)).count == 0
        late = dt.datetime(2026, 11, 18, 17, 30)  # 00.30 on the 19th in Jakarta
        _rate(officer, [4], at=late)
        assert score_stat([officer], DAY, DAY).count == 5
        assert score_stat([officer], DAY + dt.timedelta(days=1), DAY + dt.timedelta(days=1)).count == 1


def test_verified_share_and_per_source_score(app, world):
    with app.app_context():
        officer = _officer(world)
        found = indicators(officer.agency, "officer")
        _rate(officer, [4, 4, 4], verified=True)
        _rate(officer, [1, 1])  # 3 of 5 verified
        share = found["core.verified_share"].measure(officer, DAY, DAY)
        assert share.value == 60.0 and share.count == 5
        assert found["core.score.survei"].measure(officer, DAY, DAY).known
        assert not found["core.score.pengaduan"].measure(officer, DAY, DAY).known


def test_a_switched_off_module_offers_no_indicator(app, world):
    from portal.core.plugin_system import plugins

    with app.app_context():
        agency = db.session.get(Agency, world["alpha"]["agency"])
        assert "pengaduan.sla_share" in indicators(agency, "officer")
        plugins.set_enabled(agency, "pengaduan", False)
        db.session.commit()
        found = indicators(agency)
        assert "pengaduan.sla_share" not in found and "core.score.pengaduan" not in found
        assert "survei.ikm" in found


def _skm(officer, unit_id, desk_id, answers, n):
    for i in range(n):
        db.session.add(
            SurveiResponse(
                agency_id=officer.agency_id,
                unit_id=unit_id,
                desk_id=desk_id,
                officer_id=officer.id,
                kind=SurveiKind.SKM,
                nonce=f"n{officer.id}-{i}-{answers[0]}",
                created_at=NOON,
                **{f"u{k}": answers[k - 1] for k in range(1, 10)},
            )
        )
    db.session.commit()


def test_unsur_values_and_ikm_against_hand_computed_figures(app, world):
    with app.app_context():
        officer = _officer(world)
        unit_id, desk_id = world["alpha"]["unit"], world["alpha"]["desk"]
        found = indicators(officer.agency)
        # 4 respondents answering 4 to every unsur, 1 answering 2: too few for the officer (5 needed)…
        _skm(officer, unit_id, desk_id, [4] * 9, 3)
        assert not found["survei.unsur.U3"].measure(officer, DAY, DAY).known
        _skm(officer, unit_id, desk_id, [2] * 9, 2)
        # …then 3×4 and 2×2: mean answer 3.2 → converted 80.
        u3 = found["survei.unsur.U3"].measure(officer, DAY, DAY)
        assert u3.known and u3.count == 5 and u3.value == pytest.approx(80.0)
        # The unit needs 10 respondents for its IKM and its unsur values.
        unit = officer.unit
        assert not found["survei.ikm"].measure(unit, DAY, DAY).known
        _skm(officer, unit_id, desk_id, [3] * 9, 5)
        ikm = found["survei.ikm"].measure(unit, DAY, DAY)
        # NRR = (3·4 + 2·2 + 5·3) / 10 = 3.1 for every unsur → IKM 3.1 × 25 = 77.5.
        assert ikm.known and ikm.count == 10 and ikm.value == pytest.approx(77.5)
        assert found["survei.unsur.U1.unit"].measure(unit, DAY, DAY).value == pytest.approx(77.5)


def test_complaints_resolved_on_time_share(app, world):
    with app.app_context():
        officer = _officer(world)
        category = PengaduanCategory(agency_id=officer.agency_id, code="umum", name="Umum", fields_json="[]")
        db.session.add(category)
        db.session.flush()
        measure = indicators(officer.agency, "officer")["pengaduan.sla_share"].measure
        for i, due in enumerate([DAY, DAY, DAY - dt.timedelta(days=1), DAY, DAY + dt.timedelta(days=3)]):
            db.session.add(
                PengaduanTicket(
                    agency_id=officer.agency_id,
                    code=f"AAAAA-BBBBB-CCC{i:02d}",
                    reference=f"ADU-AAAA-BB{i:02d}",
                    category_id=category.id,
                    title="t",
                    description="d",
                    status=TicketStatus.SELESAI,
                    assigned_officer_id=officer.id,
                    resolved_at=NOON,
                    resolve_due=due,
                    verify_due=DAY,
                )
            )
            db.session.flush()
            if i == 3:
                assert not measure(officer, DAY, DAY).known  # 4 resolved: not enough
        db.session.commit()
        share = measure(officer, DAY, DAY)
        assert share.known and share.count == 5 and share.value == 80.0  # one resolved after its deadline


def test_each_proposed_entry_is_traced_to_its_evidence(app, world):
    with app.app_context():
        officer = _officer(world)
        agency = officer.agency
        login = db.session.execute(db.select(User).filter_by(officer_id=officer.id)).scalar_one()
        category = PengaduanCategory(agency_id=agency.id, code="umum", name="Umum", fields_json="[]")
        db.session.add(category)
        db.session.flush()
        ticket = PengaduanTicket(
            agency_id=agency.id,
            code="AAAAA-BBBBB-CCCCC",
            reference="ADU-AAAA-BBBB",
            category_id=category.id,
            title="t",
            description="d",
            status=TicketStatus.DIVERIFIKASI,
            verify_due=DAY,
        )
        db.session.add(ticket)
        db.session.flush()
        db.session.add(
            PengaduanEvent(
                ticket_id=ticket.id,
                user_id=login.id,
                from_status=TicketStatus.BARU,
                to_status=TicketStatus.DIVERIFIKASI,
                created_at=NOON,
            )
        )
        event = DialogEvent(
            agency_id=agency.id,
            title="Forum layanan",
            starts_at=NOON,
            ends_at=NOON + dt.timedelta(hours=2),
            status=DialogEventStatus.PUBLISHED,
        )
        db.session.add(event)
        db.session.flush()
        db.session.add(DialogPanelist(event_id=event.id, officer_id=officer.id))
        for _ in range(3):
            db.session.add(
                SurveiTicket(
                    desk_id=world["alpha"]["desk"],
                    officer_id=officer.id,
                    created_at=NOON,
                    expires_at=NOON + dt.timedelta(hours=1),
                )
            )
        db.session.commit()
        found = {e.key: e for e in daily_evidence(officer, DAY)}
        assert set(found) == {
            f"pengaduan:diverifikasi:{ticket.id}",
            f"dialog_publik:narasumber:{event.id}:{officer.id}",
            f"survei:layanan-qr:{officer.id}:{DAY.isoformat()}",
        }
        assert "ADU-AAAA-BBBB" in found[f"pengaduan:diverifikasi:{ticket.id}"].title
        assert found[f"dialog_publik:narasumber:{event.id}:{officer.id}"].minutes == 120
        assert found[f"survei:layanan-qr:{officer.id}:{DAY.isoformat()}"].quantity == 3
        # Another day, another officer: nothing of this.
        assert daily_evidence(officer, DAY + dt.timedelta(days=1)) == []
        assert daily_evidence(_officer(world, "boss"), DAY) == []
        # Another agency's officer never sees alpha's work.
        beta_officer = db.session.get(Officer, world["beta"]["staff"])
        assert daily_evidence(beta_officer, DAY) == []


def test_complaints_on_time_share_per_category_of_a_unit(app, world):
    """Unit-scope share per active category: KTP 3 of 5 on time (60.0), KK 5
    of 5 (100.0), Akta 4 resolved (not enough); an inactive category has no
    indicator, and the other agency's categories are not offered here."""
    with app.app_context():
        officer = _officer(world)
        unit = officer.unit
        made = {}
        for agency_id, code, name, active in (
            (officer.agency_id, "ktp", "KTP", True),
            (officer.agency_id, "kk", "KK", True),
            (officer.agency_id, "akta", "Akta", True),
            (officer.agency_id, "lama", "Lama", False),
            (world["beta"]["agency"], "pajak", "Pajak", True),
        ):
            category = PengaduanCategory(
                agency_id=agency_id, code=code, name=name, fields_json="[]", active=active
            )
            db.session.add(category)
            db.session.flush()
            made[code] = category.id
        n = 0
        for code, dues in (
            (
                "ktp",
                [
                    DAY,
                    DAY + dt.timedelta(days=1),
                    DAY,
                    DAY - dt.timedelta(days=1),
                    DAY - dt.timedelta(days=2),
                ],
            ),
            ("kk", [DAY] * 5),
            ("akta", [DAY] * 4),
            ("lama", [DAY - dt.timedelta(days=1)] * 5),
        ):
            for due in dues:
                db.session.add(
                    PengaduanTicket(
                        agency_id=officer.agency_id,
                        code=f"KATEG-{n:04d}",
                        reference=f"ADU-KAT-{n:04d}",
                        category_id=made[code],
                        title="t",
                        description="d",
                        status=TicketStatus.SELESAI,
                        assigned_unit_id=unit.id,
                        resolved_at=NOON,
                        resolve_due=due,
                        verify_due=DAY,
                    )
                )
                n += 1
        db.session.commit()
        found = indicators(officer.agency, "unit")
        keys = sorted(k for k in found if k.startswith("pengaduan.sla_share.kategori."))
        assert keys == [
            "pengaduan.sla_share.kategori.akta.unit",
            "pengaduan.sla_share.kategori.kk.unit",
            "pengaduan.sla_share.kategori.ktp.unit",
        ]
        ktp = found["pengaduan.sla_share.kategori.ktp.unit"]
        assert str(ktp.label) == "Pengaduan KTP selesai tepat waktu" and ktp.unit == "%"
        share = ktp.measure(unit, DAY, DAY)
        assert share.known and share.count == 5 and share.value == 60.0
        share = found["pengaduan.sla_share.kategori.kk.unit"].measure(unit, DAY, DAY)
        assert share.known and share.count == 5 and share.value == 100.0
        share = found["pengaduan.sla_share.kategori.akta.unit"].measure(unit, DAY, DAY)
        assert not share.known and share.count == 4
        # the unit overall: 3 + 5 + 4 + 0 on time of 19 resolved
        overall = found["pengaduan.sla_share.unit"].measure(unit, DAY, DAY)
        assert overall.count == 19 and overall.value == round(100 * 12 / 19, 1)
        assert not any("kategori" in k for k in indicators(officer.agency, "officer"))
