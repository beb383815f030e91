"""Survey logic shared by the citizen pages, the kiosk API and the staff pages."""

from __future__ import annotations

import base64
import datetime as dt
import functools
import hashlib
import hmac
import logging
import secrets
import time
from dataclasses import dataclass, field

from flask import current_app, has_request_context, request
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import case, func
from sqlalchemy.exc import IntegrityError

from plugins.survei import skm
from plugins.survei.models import (
    SurveiAnswer,
    SurveiCommentStatus,
    SurveiHoldReason,
    SurveiKind,
    SurveiQuestion,
    SurveiQuestionType,
    SurveiResponse,
    SurveiReview,
    SurveiRoster,
    SurveiTicket,
)
from portal.plugin import (
    Desk,
    Officer,
    RatingError,
    db,
    execute_direct,
    insert_loaded,
    local,
    record_rating,
    utcnow,
)

log = logging.getLogger(__name__)

COMMENT_MAX = 1000
ANSWER_MAX = 500
NONCE_MAX_AGE = 24 * 3600  # a form left open all day still submits
NO_OFFICER = "tidak-ingat"


def config(name: str, default):
    return current_app.config.get(name, default)


# ---------------------------------------------------------------- who served


def _rostered_where(desk: Desk, *shift_conditions) -> list[Officer]:
    """Active officers of the desk's agency with a shift at this desk that
    meets ``shift_conditions``, by name."""
    rows = db.session.scalars(
        db.select(Officer)
        .join(SurveiRoster, SurveiRoster.officer_id == Officer.id)
        .where(
            SurveiRoster.desk_id == desk.id,
            *shift_conditions,
            Officer.active.is_(True),
            Officer.agency_id == desk.unit.agency_id,
        )
        .distinct()
        .order_by(Officer.name)
    )
    return list(rows)


def rostered(desk: Desk) -> list[Officer]:
    """Active officers of the desk's agency with any shift at this desk."""
    return _rostered_where(desk)


def on_duty(desk: Desk, now: dt.datetime | None = None) -> list[Officer]:
    """Officers whose weekly shift at ``desk`` covers ``now`` (naive UTC)."""
    moment = local(now or utcnow(), desk.unit.agency.timezone)
    clock = moment.time().replace(tzinfo=None)
    return _rostered_where(
        desk,
        SurveiRoster.weekday == moment.weekday(),
        SurveiRoster.start <= clock,
        SurveiRoster.end > clock,
    )


def officer_choices(desk: Desk, now: dt.datetime | None = None) -> tuple[list[Officer], Officer | None]:
    """(officers to offer, officer to credit without asking).

    One officer on duty: credited without asking. Several: the citizen picks
    among them. None on duty: the citizen may pick among everyone rostered
    at the desk (or nobody)."""
    duty = on_duty(desk, now)
    if len(duty) == 1:
        return [], duty[0]
    return (duty or rostered(desk)), None


# ---------------------------------------------------------------- nonces


@functools.lru_cache(maxsize=8)
def _signer(secret: str, salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt=salt)


@functools.lru_cache(maxsize=8)
def _nonce_key(secret: str) -> bytes:
    """The nonce signing key, derived from the secret key for this use only."""
    return hmac.new(secret.encode(), b"portal-warga survei-nonce", hashlib.sha256).digest()


def _nonce_mac(key: bytes, body: str) -> str:
    digest = hmac.new(key, body.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:18]).decode()  # 144 bits, 24 characters


def issue_nonce(desk_id: int, now: float | None = None) -> str:
    """A signed, single-use token for one view of a desk's form:
    ``desk.issued.random.mac``. It is also the form's CSRF token, so it is
    issued on every view (cheaply: this runs for every scan)."""
    body = f"{desk_id}.{int(now if now is not None else time.time())}.{secrets.token_urlsafe(16)}"
    return f"{body}.{_nonce_mac(_nonce_key(current_app.config['SECRET_KEY']), body)}"


def open_nonce(signed: str, desk_id: int, now: float | None = None) -> str | None:
    """The nonce inside ``signed`` if it is genuine, recent and for this desk."""
    parts = (signed or "").split(".")
    if len(parts) != 4 or not parts[0].isdigit() or not parts[1].isdigit():
        return None
    body = ".".join(parts[:3])
    if not hmac.compare_digest(parts[3], _nonce_mac(_nonce_key(current_app.config["SECRET_KEY"]), body)):
        return None
    age = (now if now is not None else time.time()) - int(parts[1])
    if int(parts[0]) != desk_id or not -60 <= age <= NONCE_MAX_AGE or not parts[2]:
        return None
    return parts[2]


# ---------------------------------------------------------------- device window


#: The cookie that marks the browser an officer issued one-time QR codes from.
DEVICE_MARKER = "survei_petugas"


def device_cookie_name(desk_id: int) -> str:
    return f"survei_{desk_id}"


def device_window() -> dt.timedelta:
    return dt.timedelta(minutes=int(config("SURVEI_DEVICE_WINDOW_MINUTES", 60)))


def recently_answered(cookies, desk_id: int) -> bool:
    """Whether this device answered this desk's survey within the window."""
    raw = cookies.get(device_cookie_name(desk_id))
    if not raw:
        return False
    serializer = _signer(current_app.config["SECRET_KEY"], "survei-device")
    try:
        serializer.loads(raw, max_age=int(device_window().total_seconds()))
    except (BadSignature, SignatureExpired):
        return False
    return True


def device_cookie_value(desk_id: int) -> str:
    return _signer(current_app.config["SECRET_KEY"], "survei-device").dumps(desk_id)


def set_private_cookie(reply, name: str, value: str, max_age: int) -> None:
    """Set a cookie scripts cannot read, sent on same-site navigation only,
    and only over HTTPS when the request came over HTTPS."""
    reply.set_cookie(name, value, max_age=max_age, httponly=True, samesite="Lax", secure=request.is_secure)


# ---------------------------------------------------------------- validation


@dataclass
class Submission:
    """A validated response, ready to store; ``errors`` maps field → message."""

    kind: str
    values: dict = field(default_factory=dict)
    answers: dict[int, str] = field(default_factory=dict)
    officer: Officer | None = None
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


def _int_in(value, low: int, high: int) -> int | None:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if low <= number <= high else None


def validate(
    data, kind: str, questions: list[SurveiQuestion], offered: list[Officer], fixed: Officer | None
) -> Submission:
    """Check a submitted form (any mapping of field → string)."""
    submission = Submission(kind=kind)
    if kind == SurveiKind.QUICK:
        _check_scale_answer(data, "face", submission, _l("Jawaban harus salah satu dari empat pilihan."))
    else:
        _check_skm(data, submission)
    _check_comment(data, submission)
    for question in questions:
        _check_own_answer(data, question, submission)
    _check_officer(data, offered, fixed, submission)
    return submission


def _check_scale_answer(data, name: str, submission: Submission, out_of_range) -> None:
    """An answer on the 1–4 scale (a face, an unsur): missing and out of
    range are told apart."""
    answer = _int_in(data.get(name), 1, 4)
    if answer is None:
        submission.errors[name] = str(_l("Pilih salah satu jawaban.") if not data.get(name) else out_of_range)
    submission.values[name] = answer


def _check_skm(data, submission: Submission) -> None:
    """The nine unsur (each required) and the optional respondent profile."""
    for unsur in skm.UNSUR:
        _check_scale_answer(data, f"u{unsur.number}", submission, _l("Jawaban harus bernilai 1 sampai 4."))
    for name, options in skm.PROFILE.items():
        value = (data.get(name) or "").strip()
        if value and value not in dict(options):
            submission.errors[name] = str(_l("Pilihan tidak valid."))
        submission.values[name] = value or None


def _check_comment(data, submission: Submission) -> None:
    comment = (data.get("comment") or "").strip()
    if len(comment) > COMMENT_MAX:
        submission.errors["comment"] = str(
            _l("Tulisan paling banyak %(n)d karakter; yang diisi %(m)d.", n=COMMENT_MAX, m=len(comment))
        )
    submission.values["comment"] = comment or None


def _check_own_answer(data, question: SurveiQuestion, submission: Submission) -> None:
    """The answer to one of the agency's own questions, kept when valid."""
    name = f"q{question.id}"
    value = (data.get(name) or "").strip()
    if not value:
        if question.required:
            submission.errors[name] = str(_l("Pertanyaan ini wajib dijawab."))
        return
    if question.type == SurveiQuestionType.TEXT and len(value) > ANSWER_MAX:
        submission.errors[name] = str(_l("Jawaban paling banyak %(n)d karakter.", n=ANSWER_MAX))
    elif question.type == SurveiQuestionType.CHOICE and value not in question.choice_list:
        submission.errors[name] = str(_l("Pilihan tidak valid."))
    elif question.scale_top is not None and _int_in(value, 1, question.scale_top) is None:
        submission.errors[name] = str(_l("Jawaban harus bernilai 1 sampai %(n)s.", n=str(question.scale_top)))
    else:
        submission.answers[question.id] = value


def _check_officer(data, offered: list[Officer], fixed: Officer | None, submission: Submission) -> None:
    """Who served: ``fixed`` when known, else the citizen's pick among
    ``offered`` (or "Tidak ingat")."""
    if fixed is not None:
        submission.officer = fixed
    elif offered:
        chosen = (data.get("officer") or "").strip()
        by_id = {str(officer.id): officer for officer in offered}
        if chosen in by_id:
            submission.officer = by_id[chosen]
        elif chosen != NO_OFFICER:
            submission.errors["officer"] = str(_l('Pilih petugas yang melayani Anda, atau "Tidak ingat".'))


# ---------------------------------------------------------------- plausibility

#: Defaults of the plausibility limits (each a ``SURVEI_*`` setting): beyond
#: them a response is stored but held for review, counted nowhere until a
#: supervisor or admin accepts it. See README, "Ditahan untuk ditinjau".
PLAUSIBILITY = {
    "SURVEI_PER_OFFICER_HOUR": 30,  # responses per hour per officer on duty at the desk
    "SURVEI_HISTORY_FACTOR": 3,  # … or more in one hour than this many of the desk's average days
    "SURVEI_HISTORY_MIN_PER_HOUR": 40,  # (never held for history below this many in one hour)
    "SURVEI_HISTORY_DAYS": 28,
    "SURVEI_ADDRESS_BURST": 10,  # responses from one address on one desk …
    "SURVEI_ADDRESS_MINUTES": 10,  # … within this many minutes
    "SURVEI_PATTERN_REPEAT": 5,  # identical answers (SKM, or a quick survey with a comment) …
    "SURVEI_PATTERN_MINUTES": 15,  # … on one desk within this many minutes
}


def limit(name: str) -> int:
    return int(config(name, PLAUSIBILITY[name]))


@functools.lru_cache(maxsize=8)
def _origin_key(secret: str) -> bytes:
    return hmac.new(secret.encode(), b"portal-warga survei-origin", hashlib.sha256).digest()


def origin_hash(address: str | None = None) -> str | None:
    """A keyed hash of the sender's network address (the address itself is
    never stored), or None outside a request."""
    if address is None:
        if not has_request_context():
            return None
        address = request.remote_addr or ""
    digest = hmac.new(_origin_key(current_app.config["SECRET_KEY"]), address.encode(), hashlib.sha256)
    return digest.hexdigest()[:16]


def answer_pattern(submission: Submission) -> str | None:
    """A short hash of the answers, for spotting the same answers sent again
    and again. None for a quick survey without a comment: four faces repeat
    naturally."""
    comment = " ".join((submission.values.get("comment") or "").lower().split())
    if submission.kind == SurveiKind.QUICK:
        if not comment:
            return None
        parts = [str(submission.values.get("face")), comment]
    else:
        parts = [str(submission.values.get(f"u{n}")) for n in range(1, 10)]
        parts += [str(submission.values.get(name) or "") for name in skm.PROFILE] + [comment]
    parts += [str(submission.officer.id if submission.officer else "")]
    parts += [f"{qid}={value}" for qid, value in sorted(submission.answers.items())]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:16]


def plausibility(desk: Desk | int, at: dt.datetime, origin: str | None, pattern: str | None) -> str | None:
    """Why a new response on ``desk`` (or the desk's id) at ``at`` looks
    implausible (a code of ``portal.core.record.ratings.HOLD_REASONS``), or
    None. One indexed query on the desk's last hour; the desk's roster and
    history are read only when that hour is already busy."""
    desk_id = getattr(desk, "id", desk)
    hour_start = at - dt.timedelta(hours=1)
    address_since = at - dt.timedelta(minutes=limit("SURVEI_ADDRESS_MINUTES"))
    pattern_since = at - dt.timedelta(minutes=limit("SURVEI_PATTERN_MINUTES"))
    row = execute_direct(
        _RECENT,
        {
            "desk_id": desk_id,
            "hour_start": hour_start,
            "address_since": address_since,
            "pattern_since": pattern_since,
            "origin": origin,
            "pattern": pattern,
            "earliest": min(hour_start, address_since, pattern_since),
            "at": at,
        },
    ).one()
    last_hour, same_origin, same_pattern = (int(count or 0) for count in row)
    per_officer = limit("SURVEI_PER_OFFICER_HOUR")
    if last_hour >= per_officer:
        if not isinstance(desk, Desk):
            desk = db.session.get(Desk, desk_id)
        if last_hour >= per_officer * max(1, len(on_duty(desk, at))):
            return SurveiHoldReason.CAPACITY
    if last_hour >= limit("SURVEI_HISTORY_MIN_PER_HOUR"):
        days = limit("SURVEI_HISTORY_DAYS")
        history = db.session.scalar(
            db.select(func.count(SurveiResponse.id)).where(
                SurveiResponse.desk_id == desk_id,
                SurveiResponse.created_at >= at - dt.timedelta(days=days),
                SurveiResponse.created_at < hour_start,
            )
        )
        if last_hour >= limit("SURVEI_HISTORY_FACTOR") * (history or 0) / days:
            return SurveiHoldReason.HISTORY
    if origin is not None and same_origin >= limit("SURVEI_ADDRESS_BURST"):
        return SurveiHoldReason.ADDRESS_BURST
    if pattern is not None and same_pattern >= limit("SURVEI_PATTERN_REPEAT"):
        return SurveiHoldReason.PATTERN
    return None


#: The desk's responses of the last hour, from the same address lately and
#: with the same answers lately, in one indexed query (built once).
_RECENT = db.select(
    func.count(case((SurveiResponse.created_at >= db.bindparam("hour_start"), 1))),
    func.count(
        case(
            (
                (SurveiResponse.origin == db.bindparam("origin"))
                & (SurveiResponse.created_at >= db.bindparam("address_since")),
                1,
            )
        )
    ),
    func.count(
        case(
            (
                (SurveiResponse.pattern == db.bindparam("pattern"))
                & (SurveiResponse.created_at >= db.bindparam("pattern_since")),
                1,
            )
        )
    ),
).where(
    SurveiResponse.desk_id == db.bindparam("desk_id"),
    SurveiResponse.created_at >= db.bindparam("earliest"),
    SurveiResponse.created_at <= db.bindparam("at"),
)


#: A response's answers to the desk's own questions (built once).
_INSERT_ANSWER = db.insert(SurveiAnswer.__table__)


# ---------------------------------------------------------------- storing


@dataclass(frozen=True)
class Place:
    """Where a response is given, as :func:`store` needs it: the desk, its
    unit and its agency (ids)."""

    desk_id: int
    unit_id: int
    agency_id: int

    @classmethod
    def of(cls, desk: Desk) -> Place:
        return cls(desk.id, desk.unit_id, desk.unit.agency_id)


def credit_value(submission: Submission) -> float | None:
    """The value credited to the officer: the face for *cepat*; for SKM the
    mean of the configured unsur (default 6 and 7: Kompetensi and Perilaku
    Pelaksana)."""
    if submission.kind == SurveiKind.QUICK:
        return submission.values.get("face")
    unsur = config("SURVEI_SKM_CREDIT_UNSUR", (6, 7))
    answers = [submission.values[f"u{n}"] for n in unsur]
    return sum(answers) / len(answers)


def store(
    desk: Desk | Place,
    submission: Submission,
    *,
    nonce: str | None = None,
    client_uuid: str | None = None,
    ticket: SurveiTicket | None = None,
    at: dt.datetime | None = None,
    origin: str | None = None,
    hold: str | None = None,
) -> SurveiResponse | None:
    """Store the response and credit the officer in one transaction.

    A response that looks implausible (``hold`` given, or found by
    :func:`plausibility`) is stored held for review: out of the SKM report
    and the IKM, and its rating out of every score, until accepted.

    Returns None when the nonce, kiosk UUID or ticket was already used (a
    replay): nothing is stored twice."""
    place = desk if isinstance(desk, Place) else Place.of(desk)
    created = at or utcnow()
    pattern = answer_pattern(submission)
    if hold is None:
        hold = plausibility(desk if isinstance(desk, Desk) else place.desk_id, created, origin, pattern)
    values = dict(
        agency_id=place.agency_id,
        unit_id=place.unit_id,
        desk_id=place.desk_id,
        officer_id=submission.officer.id if submission.officer else None,
        kind=submission.kind,
        nonce=nonce,
        client_uuid=client_uuid,
        ticket_id=ticket.id if ticket else None,
        verified=ticket is not None,
        created_at=created,
        review=SurveiReview.HELD if hold else SurveiReview.NONE,
        hold_reason=hold or SurveiHoldReason.NONE,
        origin=origin,
        pattern=pattern,
        comment_status=SurveiCommentStatus.PENDING
        if submission.values.get("comment")
        else SurveiCommentStatus.NONE,
        **{k: v for k, v in submission.values.items() if k != "comment"},
        comment=submission.values.get("comment"),
    )
    if ticket is not None:
        ticket.used_at = utcnow()
    try:
        # One statement per row, no unit of work: this is the busiest write.
        response = insert_loaded(SurveiResponse, **values)
        if submission.answers:
            execute_direct(
                _INSERT_ANSWER,
                [
                    {"response_id": response.id, "question_id": qid, "value": value}
                    for qid, value in submission.answers.items()
                ],
            )
        if submission.officer is not None:
            try:
                record_rating(
                    agency=place.agency_id,
                    officer=submission.officer.id,
                    source="survei",
                    kind=submission.kind,
                    value=credit_value(submission),
                    ref=f"survei_response:{response.id}",
                    verified=ticket is not None,
                    at=response.created_at,
                    hold=hold,
                )
            except RatingError as error:
                # Keep the citizen's answers for the SKM; only the crediting failed.
                log.warning("survey response %s not credited: %s", response.id, error)
                if hold:
                    # It credits nobody now: reviewed on the survey's own page.
                    response.officer_id = None
                db.session.commit()
        else:
            db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return None
    return response


# ---------------------------------------------------------------- retention


def anonymise(before: dt.datetime) -> dict[str, int]:
    """Remove respondents' own words (comments, suggestions, answers to
    text questions) from responses given before ``before``. Scores, unsur
    values and the respondent profile (sex, age group, education,
    occupation: what the SKM report counts) stay."""
    old = db.select(SurveiResponse.id).where(SurveiResponse.created_at < before)
    comments = db.session.execute(
        db.update(SurveiResponse)
        .where(SurveiResponse.created_at < before, SurveiResponse.comment.isnot(None))
        .values(comment=None)
    ).rowcount
    texts = db.session.execute(
        db.update(SurveiAnswer)
        .where(
            SurveiAnswer.response_id.in_(old),
            SurveiAnswer.value != "",
            SurveiAnswer.question_id.in_(
                db.select(SurveiQuestion.id).where(SurveiQuestion.type == SurveiQuestionType.TEXT)
            ),
        )
        .values(value="")
    ).rowcount
    db.session.flush()
    return {"saran survei": comments, "jawaban teks survei": texts}
