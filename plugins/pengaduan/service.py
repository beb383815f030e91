"""Complaint workflow: filing, transitions with permissions and audit, SLA
due dates in working days, escalation, the complainant's rating."""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
import secrets
from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from plugins.pengaduan import codes
from plugins.pengaduan.models import (
    EventActor,
    OverdueStage,
    PengaduanAttachment,
    PengaduanCategory,
    PengaduanEvent,
    PengaduanSettings,
    PengaduanTicket,
    RejectionReason,
    TicketAction,
    TicketStatus,
)
from portal.plugin import (
    N_,
    ROLE_ADMIN,
    ROLE_OFFICER,
    ROLE_SUPERVISOR,
    UPLOAD_TYPES,
    Agency,
    Officer,
    RatingError,
    UploadRefused,
    User,
    checked_upload,
    checked_uploads,
    db,
    local,
    record_rating,
    utcnow,
    workdays,
)

STATUS_LABELS = {
    TicketStatus.BARU: _l("Baru"),
    TicketStatus.DIVERIFIKASI: _l("Diverifikasi"),
    TicketStatus.DITOLAK: _l("Ditolak"),
    TicketStatus.DIPROSES: _l("Diproses"),
    TicketStatus.SELESAI: _l("Selesai"),
    TicketStatus.DITUTUP: _l("Ditutup"),
}
#: Rejection reasons by stored code; the Indonesian source is also what a
#: timeline entry stores when staff give no text (translated when shown).
REASONS = {
    RejectionReason.BUKAN_WEWENANG: N_("Bukan wewenang instansi ini"),
    RejectionReason.TIDAK_LENGKAP: N_("Data tidak lengkap"),
    RejectionReason.DUPLIKAT: N_("Duplikat pengaduan lain"),
    RejectionReason.TIDAK_JELAS: N_("Isi tidak jelas"),
    RejectionReason.LAINNYA: N_("Alasan lain"),
}
REASON_LABELS = {code: _l(text) for code, text in REASONS.items()}


class WorkflowError(ValueError):
    """A transition that is not allowed; ``str()`` says why."""


# ---------------------------------------------------------------- settings and dates


def settings_for(agency_id: int) -> PengaduanSettings:
    return db.session.get(PengaduanSettings, agency_id) or PengaduanSettings(
        agency_id=agency_id, verify_days=3, followup_days=5, reopen_days=14
    )


def today_for(agency: Agency, now: dt.datetime | None = None) -> dt.date:
    return local(now or utcnow(), agency.timezone).date()


def _days(category: PengaduanCategory, agency_id: int, name: str) -> int:
    own = getattr(category, name)
    return own if own is not None else getattr(settings_for(agency_id), name)


# ---------------------------------------------------------------- attachments

MAX_FILES = 3
MAX_BYTES = 5 * 1024 * 1024
#: Largest image accepted, in pixels (see ``PENGADUAN_MAX_PIXELS``).
MAX_PIXELS = 40_000_000
#: {content type: extension} of the images an attachment may be (re-encoded on upload).
IMAGE_TYPES = {kind: ext for kind, ext in UPLOAD_TYPES.items() if kind.startswith("image/")}


def upload_dir() -> str:
    path = os.path.join(current_app.config["PORTAL_UPLOAD_DIR"], "pengaduan")
    os.makedirs(path, exist_ok=True)
    return path


def check_files(files) -> tuple[list[tuple[str, str, bytes]], list[str]]:
    """([(original name, content type, bytes)], [errors]) for uploaded files.
    Images come back re-encoded (see :func:`portal.plugin.checked_upload`);
    a PDF as sent, to be served only as a download."""
    return checked_uploads(
        files,
        max_files=MAX_FILES,
        max_bytes=int(current_app.config.get("PENGADUAN_MAX_BYTES", MAX_BYTES)),
        max_pixels=int(current_app.config.get("PENGADUAN_MAX_PIXELS", MAX_PIXELS)),
    )


def reencode_stored(max_pixels: int = MAX_PIXELS) -> dict[str, int]:
    """Re-encode every stored image attachment in place, as new uploads are
    (for files stored before uploads were re-encoded). Caller commits.
    Returns counts: ``diproses`` (re-encoded), ``gagal`` (left as they were:
    not decodable, or too many pixels) and ``hilang`` (file missing)."""
    counts = {"diproses": 0, "gagal": 0, "hilang": 0}
    folder = upload_dir()
    rows = db.session.scalars(
        db.select(PengaduanAttachment).where(PengaduanAttachment.content_type.in_(list(IMAGE_TYPES)))
    )
    for item in rows:
        path = os.path.join(folder, item.stored_name)
        if not os.path.exists(path):
            counts["hilang"] += 1
            continue
        with open(path, "rb") as stored:
            data = stored.read()
        try:
            kind, cleaned = checked_upload(data, item.original_name, max_bytes=None, max_pixels=max_pixels)
        except UploadRefused:
            kind = None
        if kind not in IMAGE_TYPES:  # not decodable, too many pixels, or not an image at all
            counts["gagal"] += 1
            continue
        temporary = f"{path}.baru"
        with open(temporary, "wb") as out:
            out.write(cleaned)
        os.replace(temporary, path)
        item.content_type, item.size = kind, len(cleaned)
        counts["diproses"] += 1
    return counts


def store_files(ticket: PengaduanTicket, files: list[tuple[str, str, bytes]]) -> None:
    folder = upload_dir()
    for name, kind, data in files:
        stored = secrets.token_hex(16)
        with open(os.path.join(folder, stored), "wb") as out:
            out.write(data)
        ticket.attachments.append(
            PengaduanAttachment(stored_name=stored, original_name=name, content_type=kind, size=len(data))
        )


# ---------------------------------------------------------------- filing


@dataclass
class Filing:
    category: PengaduanCategory
    title: str
    description: str
    unit_id: int | None = None
    address: str = ""
    lat: float | None = None
    lon: float | None = None
    extra: dict | None = None
    anonymous: bool = False
    confidential: bool = False
    name: str = ""
    phone: str = ""
    email: str = ""


def file_ticket(agency: Agency, filing: Filing, files=(), now: dt.datetime | None = None) -> PengaduanTicket:
    """Create the ticket with a fresh private tracking code and public
    reference (retried on the rare collision) and its SLA due date, and
    commit."""
    now = now or utcnow()
    verify_due = workdays.add_working_days(
        agency, today_for(agency, now), _days(filing.category, agency.id, "verify_days")
    )
    for _attempt in range(5):
        ticket = PengaduanTicket(
            agency_id=agency.id,
            code=codes.new_code(),
            reference=codes.new_reference(),
            category_id=filing.category.id,
            unit_id=filing.unit_id,
            title=filing.title,
            description=filing.description,
            address=filing.address,
            lat=filing.lat,
            lon=filing.lon,
            extra_json=json.dumps(filing.extra or {}, ensure_ascii=False),
            anonymous=filing.anonymous,
            confidential=filing.confidential,
            name="" if filing.anonymous else filing.name,
            phone="" if filing.anonymous else filing.phone,
            email="" if filing.anonymous else filing.email,
            status=TicketStatus.BARU,
            created_at=now,
            updated_at=now,
            verify_due=verify_due,
        )
        ticket.events.append(
            PengaduanEvent(
                created_at=now,
                actor=EventActor.PELAPOR,
                to_status=TicketStatus.BARU,
                text=N_("Pengaduan diterima."),  # translated when shown
                public=True,
            )
        )
        db.session.add(ticket)
        try:
            db.session.flush()
        except IntegrityError:
            db.session.rollback()
            continue
        store_files(ticket, list(files))
        db.session.commit()
        return ticket
    raise RuntimeError("could not allocate a ticket code")


# ---------------------------------------------------------------- permissions


def can(user: User, ticket: PengaduanTicket, action: str) -> bool:
    """Whether ``user`` may do ``action`` on ``ticket`` now (status aside)."""
    if user.is_superadmin:
        return True
    if user.agency_id != ticket.agency_id:
        return False
    if user.role in (ROLE_ADMIN, ROLE_SUPERVISOR):
        return action != TicketAction.CLOSE or user.role == ROLE_ADMIN
    if user.role == ROLE_OFFICER:
        assigned = user.officer_id is not None and user.officer_id == ticket.assigned_officer_id
        return assigned and action in (TicketAction.RESOLVE, TicketAction.RESPOND, TicketAction.NOTE)
    return False


def can_see(user: User, ticket: PengaduanTicket) -> bool:
    if user.is_superadmin:
        return True
    if user.agency_id != ticket.agency_id:
        return False
    if user.role == ROLE_OFFICER:
        return user.officer_id is not None and user.officer_id == ticket.assigned_officer_id
    return True


ALLOWED_FROM = {
    TicketAction.VERIFY: (TicketStatus.BARU,),
    TicketAction.REJECT: (TicketStatus.BARU, TicketStatus.DIVERIFIKASI),
    TicketAction.ASSIGN: (TicketStatus.DIVERIFIKASI, TicketStatus.DIPROSES),
    TicketAction.RESOLVE: (TicketStatus.DIPROSES,),
    TicketAction.CLOSE: (TicketStatus.SELESAI,),
}


def transition(
    ticket: PengaduanTicket,
    action: str,
    user: User,
    *,
    text: str = "",
    reason: str = "",
    unit_id: int | None = None,
    officer: Officer | None = None,
    now: dt.datetime | None = None,
) -> None:
    """Apply a staff action; records who, when, from and to. Caller commits."""
    if not can(user, ticket, action):
        raise WorkflowError(_l("Anda tidak berwenang melakukan tindakan ini."))
    now = now or utcnow()
    if action in (TicketAction.RESPOND, TicketAction.NOTE):
        if not text.strip():
            raise WorkflowError(_l("Tulis isi tanggapan."))
        ticket.events.append(
            PengaduanEvent(
                created_at=now, user_id=user.id, text=text.strip(), public=action == TicketAction.RESPOND
            )
        )
        ticket.updated_at = now
        return
    if ticket.status not in ALLOWED_FROM[action]:
        raise WorkflowError(
            _l(
                "Pengaduan berstatus %(s)s tidak dapat diproses dengan tindakan ini.",
                s=STATUS_LABELS[ticket.status],
            )
        )
    before = ticket.status
    agency = db.session.get(Agency, ticket.agency_id)
    if action == TicketAction.VERIFY:
        ticket.status, ticket.verified_at = TicketStatus.DIVERIFIKASI, now
        ticket.resolve_due = workdays.add_working_days(
            agency, today_for(agency, now), _days(ticket.category, agency.id, "followup_days")
        )
    elif action == TicketAction.REJECT:
        if reason not in REASON_LABELS:
            raise WorkflowError(_l("Pilih alasan penolakan."))
        ticket.status, ticket.rejection_reason, ticket.closed_at = TicketStatus.DITOLAK, reason, now
        text = text or REASONS[reason]
    elif action == TicketAction.ASSIGN:
        if officer is None or officer.agency_id != ticket.agency_id or not officer.active:
            raise WorkflowError(_l("Pilih petugas dari instansi ini."))
        ticket.status = TicketStatus.DIPROSES
        ticket.assigned_officer_id = officer.id
        ticket.assigned_unit_id = unit_id or officer.unit_id
        text = text or N_("Pengaduan diteruskan kepada petugas yang menanganinya.")
    elif action == TicketAction.RESOLVE:
        if not text.strip():
            raise WorkflowError(_l("Tuliskan penyelesaiannya untuk pelapor."))
        ticket.status, ticket.resolved_at, ticket.resolution = TicketStatus.SELESAI, now, text.strip()
    elif action == TicketAction.CLOSE:
        ticket.status, ticket.closed_at = TicketStatus.DITUTUP, now
    _record_transition(ticket, before, now, text.strip(), user_id=user.id)


def _record_transition(
    ticket: PengaduanTicket,
    before: str,
    now: dt.datetime,
    text: str,
    *,
    user_id: int | None = None,
    actor: EventActor = EventActor.STAF,
) -> None:
    """Put the status change from ``before`` on the ticket's public timeline."""
    ticket.updated_at = now
    ticket.events.append(
        PengaduanEvent(
            created_at=now,
            user_id=user_id,
            actor=actor,
            from_status=before,
            to_status=ticket.status,
            text=text,
            public=True,
        )
    )


# ---------------------------------------------------------------- complainant


def reopen_deadline(ticket: PengaduanTicket) -> dt.datetime | None:
    if ticket.status != TicketStatus.SELESAI or ticket.resolved_at is None:
        return None
    return ticket.resolved_at + dt.timedelta(days=settings_for(ticket.agency_id).reopen_days)


def rate(
    ticket: PengaduanTicket, rating: int, resolved: bool, comment: str = "", now: dt.datetime | None = None
) -> None:
    """The complainant rates the handling (1–5) and says whether it is really
    resolved: yes closes the ticket, no reopens it (counted). The rating is
    credited to the officer who handled it. Commits."""
    now = now or utcnow()
    if ticket.status != TicketStatus.SELESAI:
        raise WorkflowError(_l("Penanganan dapat dinilai setelah pengaduan berstatus Selesai."))
    if ticket.rating is not None:
        raise WorkflowError(_l("Penanganan pengaduan ini sudah dinilai."))
    if not 1 <= rating <= 5:
        raise WorkflowError(_l("Nilai harus 1 sampai 5."))
    deadline = reopen_deadline(ticket)
    if not resolved and deadline is not None and now > deadline:
        raise WorkflowError(_l("Batas waktu untuk membuka kembali pengaduan sudah lewat."))
    ticket.rating, ticket.rated_resolved, ticket.rating_comment = rating, resolved, comment or None
    before = ticket.status
    if resolved:
        ticket.status, ticket.closed_at = TicketStatus.DITUTUP, now
        text = N_("Pelapor menyatakan pengaduan tuntas.")
    else:
        ticket.status, ticket.reopen_count = TicketStatus.DIPROSES, ticket.reopen_count + 1
        ticket.resolved_at = None
        text = N_("Pelapor menyatakan pengaduan belum tuntas; pengaduan dibuka kembali.")
    _record_transition(ticket, before, now, text, actor=EventActor.PELAPOR)
    officer = db.session.get(Officer, ticket.assigned_officer_id) if ticket.assigned_officer_id else None
    if officer is not None:
        try:
            record_rating(
                agency=db.session.get(Agency, ticket.agency_id),
                officer=officer,
                source="pengaduan",
                kind="penanganan",
                value=rating,
                ref=f"pengaduan_ticket:{ticket.id}",
                at=now,
                comment=comment,
            )
            return
        except RatingError:
            pass  # e.g. the module was switched off meanwhile: keep the verdict
    db.session.commit()


# ---------------------------------------------------------------- SLA


def overdue_stage(ticket: PengaduanTicket, today: dt.date) -> OverdueStage | None:
    """The deadline that has passed, if any."""
    if ticket.status == TicketStatus.BARU and today > ticket.verify_due:
        return OverdueStage.VERIFIKASI
    if ticket.status in TicketStatus.in_follow_up() and ticket.resolve_due and today > ticket.resolve_due:
        return OverdueStage.TINDAK_LANJUT
    return None


def overdue_clause(today: dt.date):
    """The SQL condition for a complaint past its deadline on ``today``
    (what :func:`overdue_stage` says of one complaint)."""
    return db.or_(
        (PengaduanTicket.status == TicketStatus.BARU) & (PengaduanTicket.verify_due < today),
        PengaduanTicket.status.in_(TicketStatus.in_follow_up()) & (PengaduanTicket.resolve_due < today),
    )


@functools.cache
def _open_counts_statement(for_officer: bool):
    query = db.select(
        PengaduanTicket.status,
        db.func.count(PengaduanTicket.id),
        db.func.count(db.case((overdue_clause(db.bindparam("today", type_=db.Date)), 1))),
    ).where(
        PengaduanTicket.agency_id == db.bindparam("agency_id"),
        PengaduanTicket.status.in_(TicketStatus.open_statuses()),
    )
    if for_officer:  # IS NOT DISTINCT FROM: an officer with no record matches the unassigned
        query = query.where(
            PengaduanTicket.assigned_officer_id.is_not_distinct_from(db.bindparam("officer_id"))
        )
    return query.group_by(PengaduanTicket.status)


#: ``open_counts(..., assigned_to=ALL)``: every complaint of the agency.
ALL = object()


def open_counts(agency_id: int, today: dt.date, assigned_to=ALL) -> list[tuple[str, int, int]]:
    """(status, open complaints, of which past their deadline on ``today``)
    of an agency, or of those assigned to officer ``assigned_to`` (None:
    to nobody): one query."""
    mine = assigned_to is not ALL
    statement = _open_counts_statement(mine)
    params = {"agency_id": agency_id, "today": today, "officer_id": assigned_to if mine else None}
    return [tuple(row) for row in db.session.execute(statement, params)]


#: Who made a timeline entry without a staff account, by stored code.
ACTOR_LABELS = {
    EventActor.PELAPOR: _l("pelapor"),
    EventActor.STAF: _l("staf"),
    EventActor.SISTEM: _l("sistem"),
}


# ---------------------------------------------------------------- retention


def anonymise(before: dt.datetime) -> dict[str, int]:
    """Remove the complainant's identity, contacts, own words to staff and
    files from complaints that ended (selesai, ditutup or ditolak) before
    ``before``. The complaint itself, its status history, dates, category,
    unit, officer and rating stay, so every statistic is unchanged; the
    place stays only where it was public (not *rahasia*).

    Set-based (a statement per table, whatever the number of complaints):
    the first run after a long time catches up on a province's million
    complaints in seconds, not one complaint at a time."""
    ended = db.func.coalesce(PengaduanTicket.closed_at, PengaduanTicket.resolved_at)
    due = db.select(PengaduanTicket.id).where(
        PengaduanTicket.status.in_(TicketStatus.ended()),
        ended < before,
        db.or_(
            PengaduanTicket.name != "",
            PengaduanTicket.phone != "",
            PengaduanTicket.email != "",
            PengaduanTicket.rating_comment.isnot(None),
            PengaduanTicket.attachments.any(),
            db.and_(PengaduanTicket.confidential, PengaduanTicket.address != ""),
        ),
    )
    # The words and the list of files first: which complaints are due is
    # read from the identity the ticket's own statement then removes.
    db.session.execute(
        db.update(PengaduanEvent)
        .where(
            PengaduanEvent.ticket_id.in_(due),
            PengaduanEvent.actor == EventActor.PELAPOR,
            PengaduanEvent.text != "",
        )
        .values(text="")
        .execution_options(synchronize_session=False)
    )
    attachments = db.session.execute(
        db.select(PengaduanAttachment.id, PengaduanAttachment.stored_name).where(
            PengaduanAttachment.ticket_id.in_(due)
        )
    ).all()
    confidential = PengaduanTicket.confidential.is_(True)
    tickets = db.session.execute(
        db.update(PengaduanTicket)
        .where(PengaduanTicket.id.in_(due))
        .values(
            name="",
            phone="",
            email="",
            anonymous=True,
            rating_comment=None,
            address=db.case((confidential, ""), else_=PengaduanTicket.address),
            lat=db.case((confidential, None), else_=PengaduanTicket.lat),
            lon=db.case((confidential, None), else_=PengaduanTicket.lon),
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    ids = [row.id for row in attachments]
    for start in range(0, len(ids), 500):  # SQLite bounds a statement's parameters
        db.session.execute(
            db.delete(PengaduanAttachment)
            .where(PengaduanAttachment.id.in_(ids[start : start + 500]))
            .execution_options(synchronize_session=False)
        )
    folder = upload_dir()
    for _id, stored_name in attachments:
        path = os.path.join(folder, stored_name)
        if os.path.exists(path):
            os.remove(path)
    db.session.expire_all()
    return {"pengaduan": tickets, "lampiran pengaduan": len(attachments)}
