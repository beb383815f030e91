"""Registration with a capacity that holds under concurrency, the waitlist
promoted in order, check-in, ratings of the panel, and iCalendar."""

from __future__ import annotations

import datetime as dt
import re

from flask_babel import lazy_gettext as _l
from sqlalchemy import func
from sqlalchemy.exc import IntegrityError

from plugins.dialog_publik.models import (
    DialogEvent,
    DialogEventStatus,
    DialogQuestion,
    DialogQuestionStatus,
    DialogRating,
    DialogRegistration,
    DialogRegistrationStatus,
    DialogVote,
)
from portal.plugin import (
    Agency,
    Officer,
    RatingError,
    compact,
    db,
    random_code,
    record_rating,
    send_mail,
    utcnow,
)


class RegistrationError(ValueError):
    """Refused; ``str()`` says why."""


class UnknownCode(RegistrationError):
    """A registration code that names no registration of the event (a typo or a guess)."""


class RatingInputError(RegistrationError):
    """A rating form that cannot be stored as sent (nothing chosen, off the scale)."""


class CheckinClosed(RegistrationError):
    """Check-in outside its window (see :meth:`DialogEvent.checkin_open`)."""


def _checkin_closed_message(event: DialogEvent, now: dt.datetime):
    if event.status != DialogEventStatus.PUBLISHED:
        return _l("Check-in hanya untuk acara yang terbit.")
    if now < event.checkin_opens_at:
        return _l("Check-in belum dibuka: dibuka dua jam sebelum acara dimulai.")
    return _l("Check-in sudah ditutup: acara sudah selesai.")


#: Length of a registration code: 8 characters of :data:`portal.core.util.codes.ALPHABET`
#: (23 symbols, no look-alikes) = 8 × log2(23) ≈ 36.2 bits. A code is a bearer
#: secret (it opens, cancels and rates a registration), so every lookup by code
#: is also rate-limited per address, counting only misses (see ``views``).
CODE_LENGTH = 8


def new_code() -> str:
    return random_code(CODE_LENGTH)


normalise_code = compact


def contact_key(contact: str) -> str:
    """One key per person: e-mail in lower case, or an Indonesian phone
    number in its national form 08…, however it was written: ``0813-5555-0001``,
    ``+62 813 5555 0001``, ``62813…``, ``0062 813…``, ``+62 (0)813…`` or
    ``813…`` all give ``081355550001``."""
    contact = (contact or "").strip()
    if "@" in contact:
        return contact.lower()
    digits = re.sub(r"\D", "", contact)
    if digits.startswith("0062"):
        digits = digits[2:]
    if digits.startswith("62"):
        digits = "0" + digits[2:].lstrip("0")
    elif digits.startswith("8"):
        digits = "0" + digits
    return digits


def valid_contact(contact: str) -> bool:
    key = contact_key(contact)
    if "@" in key:
        return bool(re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", key))
    return 8 <= len(key) <= 15 and key.startswith("0")


def _lock_event(event_id: int) -> DialogEvent:
    """The event row, locked until commit (PostgreSQL ``FOR UPDATE``; on
    SQLite the write transaction already holds the database's write lock)."""
    query = db.select(DialogEvent).where(DialogEvent.id == event_id)
    if db.session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    return db.session.execute(query.execution_options(populate_existing=True)).scalar_one()


def seats_taken(event_id: int) -> int:
    return db.session.scalar(
        db.select(func.count(DialogRegistration.id)).where(
            DialogRegistration.event_id == event_id,
            DialogRegistration.status == DialogRegistrationStatus.REGISTERED,
        )
    )


def waitlist_length(event_id: int) -> int:
    return db.session.scalar(
        db.select(func.count(DialogRegistration.id)).where(
            DialogRegistration.event_id == event_id,
            DialogRegistration.status == DialogRegistrationStatus.WAITLISTED,
        )
    )


def register(
    event_id: int,
    name: str,
    contact: str,
    organisation: str = "",
    *,
    walk_in: bool = False,
    now: dt.datetime | None = None,
) -> tuple[DialogRegistration, bool]:
    """(registration, created). A person already registered (same contact)
    gets their existing registration back, with created False. Commits."""
    now = now or utcnow()
    key = contact_key(contact)
    for _attempt in range(5):
        event = _lock_event(event_id)
        if walk_in and not event.checkin_open(now):
            db.session.rollback()
            raise CheckinClosed(_checkin_closed_message(event, now))
        if not walk_in and not event.registration_open(now):
            db.session.rollback()
            raise RegistrationError(_l("Pendaftaran untuk acara ini tidak sedang dibuka."))
        existing = db.session.execute(
            db.select(DialogRegistration).where(
                DialogRegistration.event_id == event_id,
                DialogRegistration.contact_key == key,
                DialogRegistration.status != DialogRegistrationStatus.CANCELLED,
            )
        ).scalar_one_or_none()
        if existing is not None:
            db.session.rollback()
            return existing, False
        full = seats_taken(event_id) >= event.capacity
        if full and (walk_in or not event.waitlist):
            db.session.rollback()
            raise RegistrationError(_l("Kursi sudah penuh."))
        registration = DialogRegistration(
            event_id=event_id,
            code=new_code(),
            name=name.strip()[:150],
            contact=contact.strip()[:254],
            contact_key=key,
            organisation=(organisation or "").strip()[:200],
            status=DialogRegistrationStatus.WAITLISTED if full else DialogRegistrationStatus.REGISTERED,
            walk_in=walk_in,
            created_at=now,
            checked_in_at=now if walk_in else None,
        )
        db.session.add(registration)
        try:
            db.session.commit()
            return registration, True
        except IntegrityError:
            db.session.rollback()  # same contact at the same moment, or a code collision: look again
    raise RegistrationError(_l("Pendaftaran gagal; silakan coba lagi."))


def cancel(registration_id: int, now: dt.datetime | None = None) -> DialogRegistration | None:
    """Cancel; a freed seat goes to the first on the waitlist, who is
    returned (and told by e-mail when their contact is one). Commits.
    Refused once the event has started or the registrant checked in."""
    now = now or utcnow()
    registration = db.session.get(DialogRegistration, registration_id)
    event = _lock_event(registration.event_id)
    db.session.refresh(registration)
    if registration.status == DialogRegistrationStatus.CANCELLED:
        db.session.rollback()
        return None
    if registration.checked_in_at is not None:
        db.session.rollback()
        raise RegistrationError(_l("Anda sudah tercatat hadir; pendaftaran tidak dapat dibatalkan lagi."))
    if not event.cancellable(now):
        db.session.rollback()
        raise RegistrationError(_l("Pendaftaran hanya dapat dibatalkan sebelum acara dimulai."))
    freed = registration.status == DialogRegistrationStatus.REGISTERED
    registration.status, registration.cancelled_at = DialogRegistrationStatus.CANCELLED, now
    promoted = None
    db.session.flush()
    if freed and seats_taken(event.id) < event.capacity:
        promoted = db.session.execute(
            db.select(DialogRegistration)
            .where(
                DialogRegistration.event_id == event.id,
                DialogRegistration.status == DialogRegistrationStatus.WAITLISTED,
            )
            .order_by(DialogRegistration.id)
            .limit(1)
        ).scalar_one_or_none()
        if promoted is not None:
            promoted.status, promoted.promoted_at = DialogRegistrationStatus.REGISTERED, now
    db.session.commit()
    if promoted is not None and "@" in promoted.contact_key:
        send_mail(
            promoted.contact_key,
            str(_l("Anda mendapat kursi: %(t)s", t=event.title)),
            str(
                _l("Kode pendaftaran Anda %(c)s kini terdaftar untuk %(t)s.", c=promoted.code, t=event.title)
            ),
        )
    return promoted


def cancel_event(event: DialogEvent, now: dt.datetime | None = None) -> int:
    """Cancel the event and tell everyone registered; returns how many were told by e-mail."""
    event.status, event.updated_at, event.sequence = (
        DialogEventStatus.CANCELLED,
        now or utcnow(),
        event.sequence + 1,
    )
    db.session.commit()
    told = 0
    for registration in db.session.scalars(
        db.select(DialogRegistration).where(
            DialogRegistration.event_id == event.id,
            DialogRegistration.status != DialogRegistrationStatus.CANCELLED,
        )
    ):
        if "@" in registration.contact_key:
            send_mail(
                registration.contact_key,
                str(_l("Acara dibatalkan: %(t)s", t=event.title)),
                str(
                    _l(
                        "Mohon maaf, %(t)s dibatalkan. Kode pendaftaran Anda: %(c)s.",
                        t=event.title,
                        c=registration.code,
                    )
                ),
            )
            told += 1
    return told


def send_code_reminder(registration: DialogRegistration) -> bool:
    """Someone registered again with a contact that already holds a seat:
    the code goes to that contact (when it is an e-mail address), never to
    whoever made the request. True when a message was sent."""
    if "@" not in registration.contact_key:
        return False
    event = registration.event
    send_mail(
        registration.contact_key,
        str(_l("Kode pendaftaran Anda untuk %(t)s", t=event.title)),
        str(
            _l(
                "Ada permintaan pendaftaran baru dengan alamat e-mail ini untuk %(t)s, yang sudah "
                "terdaftar. Kode pendaftaran Anda tetap %(c)s. Bila bukan Anda yang meminta, abaikan "
                "pesan ini; pendaftaran Anda tidak berubah.",
                t=event.title,
                c=registration.code,
            )
        ),
    )
    return True


def registration_for_code(event: DialogEvent, code: str) -> DialogRegistration | None:
    """The registration (seat or waitlist, not cancelled) that ``code`` names
    for ``event``, or None."""
    code = normalise_code(code)
    if not code:
        return None
    registration = db.session.execute(
        db.select(DialogRegistration).filter_by(event_id=event.id, code=code)
    ).scalar_one_or_none()
    if registration is None or registration.status == DialogRegistrationStatus.CANCELLED:
        return None
    return registration


def check_in(event: DialogEvent, code: str, now: dt.datetime | None = None) -> DialogRegistration:
    """Mark the registration named by ``code`` present, inside the check-in window only."""
    now = now or utcnow()
    if not event.checkin_open(now):
        raise CheckinClosed(_checkin_closed_message(event, now))
    registration = db.session.execute(
        db.select(DialogRegistration).filter_by(event_id=event.id, code=normalise_code(code))
    ).scalar_one_or_none()
    if registration is None:
        raise RegistrationError(_l("Kode %(c)s tidak terdaftar untuk acara ini.", c=normalise_code(code)))
    if registration.status == DialogRegistrationStatus.WAITLISTED:
        raise RegistrationError(_l("%(n)s masih dalam daftar tunggu.", n=registration.name))
    if registration.status == DialogRegistrationStatus.CANCELLED:
        raise RegistrationError(_l("Pendaftaran %(c)s sudah dibatalkan.", c=registration.code))
    if registration.checked_in_at is not None:
        raise RegistrationError(_l("%(n)s sudah hadir (check-in sebelumnya).", n=registration.name))
    registration.checked_in_at = now
    db.session.commit()
    return registration


def _ensure_may_rate(registration: DialogRegistration, now: dt.datetime) -> None:
    """Only attendees who checked in rate, and only once the event has begun."""
    if registration.checked_in_at is None:
        raise RegistrationError(_l("Hanya peserta yang hadir yang dapat memberi penilaian."))
    if not registration.event.rating_open(now):
        raise RegistrationError(_l("Penilaian dibuka setelah acara dimulai."))


def _new_scores(registration: DialogRegistration, panel: set[int], scores: dict[int, int]) -> dict[int, int]:
    """The scores worth storing: 1–5, for the event (0) or one of its
    ``panel``, and not already given by this registration."""
    already_rated = set(
        db.session.scalars(db.select(DialogRating.officer_id).filter_by(registration_id=registration.id))
    )
    return {
        officer_id: score
        for officer_id, score in scores.items()
        if officer_id not in already_rated and (not officer_id or officer_id in panel)
    }


def _check_scores(scores: dict[int, int | None], comments: dict[int, str]) -> None:
    """Refuse what would be dropped silently: a value off the 1–5 scale, a
    comment without its score, or nothing chosen at all."""
    if any(score is not None and not 1 <= score <= 5 for score in scores.values()):
        raise RatingInputError(_l("Nilai harus antara 1 dan 5."))
    if any((comments.get(target) or "").strip() and scores.get(target) is None for target in comments):
        raise RatingInputError(_l("Pilih juga nilainya (1–5) untuk setiap komentar yang Anda tulis."))
    if not any(score is not None for score in scores.values()):
        raise RatingInputError(_l("Pilih nilai 1–5 untuk acara atau untuk setidaknya satu narasumber."))


def _rating_comment(comments: dict[int, str], officer_id: int) -> str | None:
    return (comments.get(officer_id) or "").strip()[:1000] or None


def _credit_panelists(
    registration: DialogRegistration,
    scores: dict[int, int],
    comments: dict[int, str],
    now: dt.datetime,
) -> None:
    """Add each panelist's new score to their performance record (the
    event's own score, officer 0, belongs to no one's record)."""
    agency = db.session.get(Agency, registration.event.agency_id)
    for officer_id, score in scores.items():
        if not officer_id:
            continue
        try:
            record_rating(
                agency=agency,
                officer=db.session.get(Officer, officer_id),
                source="dialog_publik",
                kind="panel",
                value=score,
                ref=f"dialog_publik_registration:{registration.id}",
                at=now,
                comment=_rating_comment(comments, officer_id),
            )
        except RatingError:
            db.session.commit()


def rate(
    registration: DialogRegistration,
    scores: dict[int, int],
    comments: dict[int, str],
    now: dt.datetime | None = None,
) -> int:
    """Store the attendee's ratings (officer id → 1–5, or None when not
    chosen; 0 is the event) once each, crediting each panelist. Returns how
    many were new; refused (:class:`RatingInputError`, nothing stored) when
    nothing new was chosen or a value is off the scale."""
    now = now or utcnow()
    _ensure_may_rate(registration, now)
    panel = {p.officer_id for p in registration.event.panelists}
    _check_scores(scores, comments)
    new_scores = _new_scores(registration, panel, {k: v for k, v in scores.items() if v is not None})
    if not new_scores:
        raise RatingInputError(_l("Penilaian ini sudah tercatat sebelumnya; tidak ada yang diubah."))
    for officer_id, score in new_scores.items():
        db.session.add(
            DialogRating(
                registration_id=registration.id,
                officer_id=officer_id,
                rating=score,
                comment=_rating_comment(comments, officer_id),
                created_at=now,
            )
        )
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        return 0
    _credit_panelists(registration, new_scores, comments, now)
    db.session.commit()
    return len(new_scores)


# ---------------------------------------------------------------- iCalendar


def ical(events, url_for_event, agency_name: str) -> bytes:
    """An RFC 5545 calendar of ``events`` with stable UIDs and time zones."""
    from zoneinfo import ZoneInfo

    from icalendar import Calendar, Event

    calendar = Calendar()
    calendar.add("prodid", "-//Portal Warga//Dialog Publik//ID")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"Dialog Publik {agency_name}")
    for item in events:
        zone = ZoneInfo("Asia/Jakarta")
        vevent = Event()
        vevent.add("uid", f"{item.uid}@portal-warga")
        vevent.add("dtstamp", item.updated_at.replace(tzinfo=dt.UTC))
        vevent.add("dtstart", item.starts_at.replace(tzinfo=dt.UTC).astimezone(zone))
        vevent.add("dtend", item.ends_at.replace(tzinfo=dt.UTC).astimezone(zone))
        vevent.add("summary", item.title)
        vevent.add("description", item.description)
        vevent.add("location", item.venue or item.online_url)
        vevent.add("url", url_for_event(item))
        vevent.add("sequence", item.sequence)
        vevent.add("status", "CANCELLED" if item.status == DialogEventStatus.CANCELLED else "CONFIRMED")
        calendar.add_component(vevent)
    calendar.add_missing_timezones()
    return calendar.to_ical()


# ---------------------------------------------------------------- questions


def ask(event: DialogEvent, text: str, code: str = "", now: dt.datetime | None = None):
    """A question waiting for moderation. Registered members ask with their
    code; anyone may when the event allows public questions."""
    now = now or utcnow()
    text = (text or "").strip()
    if not 10 <= len(text) <= 500:
        raise RegistrationError(_l("Pertanyaan harus 10–500 karakter."))
    if not event.questions_open(now):
        raise RegistrationError(_l("Pertanyaan untuk acara ini sudah ditutup."))
    registration = None
    if code:
        registration = registration_for_code(event, code)
        if registration is None:
            raise UnknownCode(_l("Kode pendaftaran tidak dikenal untuk acara ini."))
    elif not event.public_questions:
        raise RegistrationError(_l("Isi kode pendaftaran Anda untuk mengajukan pertanyaan."))
    question = DialogQuestion(
        event_id=event.id,
        registration_id=registration.id if registration else None,
        text=text,
        created_at=now,
    )
    db.session.add(question)
    db.session.commit()
    return question


MEMBER_VOTER, DEVICE_VOTER = "pendaftaran:", "perangkat:"


def support(question, event: DialogEvent, code: str = "", device: str | None = None) -> bool:
    """Count one upvote of ``question``: from a registration of ``event``
    (named by its ``code``), or, only when the event allows anonymous votes,
    from a ``device``. True when counted, False when this voter already
    supported the question; refused (:class:`RegistrationError`) otherwise."""
    if question.event_id != event.id:
        raise RegistrationError(_l("Pertanyaan ini bukan dari acara ini."))
    if code:
        registration = registration_for_code(event, code)
        if registration is None:
            raise UnknownCode(
                _l(
                    "Kode pendaftaran %(c)s tidak terdaftar untuk acara ini, jadi dukungan tidak "
                    "dihitung. Periksa kode pada halaman pendaftaran Anda.",
                    c=normalise_code(code),
                )
            )
        return vote(question.id, f"{MEMBER_VOTER}{registration.id}")
    if not event.anonymous_votes:
        raise RegistrationError(
            _l(
                "Hanya peserta terdaftar yang dapat mendukung pertanyaan di acara ini: isi kode "
                "pendaftaran Anda."
            )
        )
    if not device:
        raise RegistrationError(
            _l(
                "Dukungan tanpa kode dihitung satu per perangkat: izinkan cookie di peramban Anda "
                "lalu tekan Dukung sekali lagi, atau isi kode pendaftaran Anda."
            )
        )
    return vote(question.id, f"{DEVICE_VOTER}{device}")


def vote(question_id: int, voter: str) -> bool:
    """Store one upvote per voter (``pendaftaran:<id>`` or ``perangkat:<id>``);
    False when already counted. Callers check who may vote (:func:`support`)."""
    db.session.add(DialogVote(question_id=question_id, voter=voter[:64]))
    try:
        db.session.commit()
        return True
    except IntegrityError:
        db.session.rollback()
        return False


def ordered_questions(event_id: int, statuses=(DialogQuestionStatus.APPROVED,)):
    """Questions with their vote counts, most votes first, then oldest first.
    Votes of registrations count; votes of devices only while the event
    allows anonymous votes."""
    anonymous = db.session.scalar(db.select(DialogEvent.anonymous_votes).where(DialogEvent.id == event_id))
    counted = DialogVote.voter.startswith(MEMBER_VOTER)
    if anonymous:
        counted = counted | DialogVote.voter.startswith(DEVICE_VOTER)
    votes = func.count(DialogVote.id).label("votes")
    rows = db.session.execute(
        db.select(DialogQuestion, votes)
        .outerjoin(DialogVote, (DialogVote.question_id == DialogQuestion.id) & counted)
        .where(DialogQuestion.event_id == event_id, DialogQuestion.status.in_(statuses))
        .group_by(DialogQuestion.id)
        .order_by(votes.desc(), DialogQuestion.created_at, DialogQuestion.id)
    ).all()
    return [(question, votes) for question, votes in rows]


# ---------------------------------------------------------------- retention

#: What a registrant's name becomes once their personal data is removed.
ANONYMISED = "(dianonimkan)"


def anonymise(before: dt.datetime) -> dict[str, int]:
    """Remove registrants' names, contacts and organisations, and attendees'
    comments, for forums that ended before ``before``. Registrations keep
    their status and check-in (attendance figures), ratings keep their
    score; questions stay, as they were asked in public."""
    ended = db.select(DialogEvent.id).where(DialogEvent.ends_at < before)
    registrations = db.session.scalars(
        db.select(DialogRegistration).where(
            DialogRegistration.event_id.in_(ended), DialogRegistration.contact != ""
        )
    ).all()
    for registration in registrations:
        registration.name, registration.contact, registration.organisation = ANONYMISED, "", ""
        registration.contact_key = f"anonim-{registration.id}"  # stays unique per event
    comments = db.session.execute(
        db.update(DialogRating)
        .where(
            DialogRating.registration_id.in_(
                db.select(DialogRegistration.id).where(DialogRegistration.event_id.in_(ended))
            ),
            DialogRating.comment.isnot(None),
        )
        .values(comment=None)
    ).rowcount
    db.session.flush()
    return {"pendaftar forum": len(registrations), "komentar forum": comments}
