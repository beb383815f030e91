"""Staff pages under ``/kelola/<agency>/dialog/``: events, panel, agenda,
publication, cancellation, participants and check-in."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from plugins.dialog_publik.models import (
    DialogAgendaItem,
    DialogCommitment,
    DialogCommitmentState,
    DialogEvent,
    DialogEventMode,
    DialogEventStatus,
    DialogPanelist,
    DialogQuestion,
    DialogQuestionStatus,
    DialogRating,
    DialogRegistration,
    DialogRegistrationStatus,
    labels,
)
from plugins.dialog_publik.service import (
    RegistrationError,
    cancel_event,
    check_in,
    ordered_questions,
    register,
    valid_contact,
)
from portal.plugin import AgencyBlueprint, BaseForm, Officer, Unit, audit, db, strip, utcnow

staff = AgencyBlueprint(
    "dialog_publik_staff",
    __name__,
    path="dialog",
    plugin="dialog_publik",
    staff=True,
    static_folder="static",
    static_url_path="/static",
)
staff.context_processor(lambda: {"dialog_labels": labels()})


class CheckboxesField(SelectMultipleField):
    """Several choices as a list of check boxes: one tap each on a phone,
    no Ctrl-click as a multiple select needs."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class EventForm(BaseForm):
    title = StringField(_l("Judul"), validators=[DataRequired(), Length(max=200)], filters=[strip])
    topic = StringField(_l("Topik"), validators=[Optional(), Length(max=100)], filters=[strip])
    description = TextAreaField(_l("Keterangan"), validators=[Optional(), Length(max=5000)])
    unit_id = SelectField(_l("Unit penyelenggara"), coerce=int)
    mode = SelectField(
        _l("Bentuk"),
        choices=[
            SelectChoice(DialogEventMode.IN_PERSON, _l("Tatap muka")),
            SelectChoice(DialogEventMode.ONLINE, _l("Daring")),
            SelectChoice(DialogEventMode.HYBRID, _l("Hibrida")),
        ],
    )
    venue = StringField(_l("Tempat"), validators=[Optional(), Length(max=300)], filters=[strip])
    online_url = StringField(_l("Tautan daring"), validators=[Optional(), Length(max=300)], filters=[strip])
    starts_at = DateTimeLocalField(_l("Mulai (WIB)"), validators=[InputRequired()])
    ends_at = DateTimeLocalField(_l("Selesai (WIB)"), validators=[InputRequired()])
    capacity = IntegerField(_l("Kapasitas"), validators=[InputRequired(), NumberRange(1, 100000)])
    registration_closes_at = DateTimeLocalField(_l("Pendaftaran ditutup (WIB)"), validators=[Optional()])
    publish_at = DateTimeLocalField(
        _l("Terbit otomatis pada (WIB)"),
        validators=[Optional()],
        description=_l("Kosongkan untuk terbit saat tombol Terbitkan ditekan."),
    )
    panelists = CheckboxesField(
        _l("Narasumber"),
        coerce=int,
        description=_l("Centang setiap pegawai yang menjadi narasumber; boleh lebih dari satu."),
    )
    public_questions = BooleanField(_l("Siapa pun boleh bertanya (tanpa kode pendaftaran)"))
    anonymous_votes = BooleanField(
        _l("Siapa pun boleh mendukung pertanyaan (tanpa kode pendaftaran)"),
        description=_l(
            "Dihitung satu dukungan per perangkat, yang mudah dipalsukan. Bila tidak dicentang, hanya "
            "peserta terdaftar yang dapat mendukung, satu kali per pertanyaan."
        ),
    )
    waitlist = BooleanField(_l("Buka daftar tunggu bila kursi penuh"), default=True)
    agenda = TextAreaField(
        _l("Susunan acara"),
        validators=[Optional(), Length(max=3000)],
        description=_l('Satu per baris: judul | menit, misalnya "Pembukaan | 10".'),
    )

    #: The event's start as stored (UTC), when editing one; None for a new event.
    saved_start: dt.datetime | None = None

    def validate_starts_at(self, field):
        """A new start must lie ahead: check-in, ratings and the record of
        who was there all hang on it, and a forum cannot be announced
        after the fact. An event that has begun keeps its start."""
        if field.data is None:
            return
        start = to_utc(field.data)
        minute = dt.timedelta(minutes=1)
        unchanged = self.saved_start is not None and abs(start - self.saved_start) < minute
        if not unchanged and start <= utcnow():
            raise ValidationError(_l("Waktu mulai sudah lewat. Pilih waktu mulai yang akan datang (WIB)."))

    def validate_ends_at(self, field):
        if self.starts_at.data and field.data and field.data <= self.starts_at.data:
            raise ValidationError(_l("Waktu selesai harus setelah waktu mulai."))

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        # Optional() ends a field's own checks when it is empty; these depend on the mode.
        if self.mode.data in (DialogEventMode.ONLINE, DialogEventMode.HYBRID) and not self.online_url.data:
            self.online_url.errors = [
                *self.online_url.errors,
                _l("Acara daring atau hibrida memerlukan tautan."),
            ]
            ok = False
        if self.online_url.data and not self.online_url.data.startswith(("https://", "http://")):
            self.online_url.errors = [*self.online_url.errors, _l("Tautan harus diawali https://.")]
            ok = False
        if self.mode.data in (DialogEventMode.IN_PERSON, DialogEventMode.HYBRID) and not self.venue.data:
            self.venue.errors = [*self.venue.errors, _l("Acara tatap muka atau hibrida memerlukan tempat.")]
            ok = False
        return ok

    def validate_agenda(self, field):
        for line in (field.data or "").splitlines():
            if line.strip() and not _parse_agenda_line(line):
                raise ValidationError(_l('Baris "%(l)s" tidak berbentuk judul | menit.', l=line.strip()[:40]))


def _parse_agenda_line(line: str):
    if "|" not in line:
        return None
    title, minutes_text = line.rsplit("|", 1)
    try:
        minutes = int(minutes_text.strip())
    except ValueError:
        return None
    return (title.strip()[:200], minutes) if title.strip() and 1 <= minutes <= 600 else None


WIB = ZoneInfo("Asia/Jakarta")


def to_utc(value: dt.datetime | None) -> dt.datetime | None:
    return value.replace(tzinfo=WIB).astimezone(dt.UTC).replace(tzinfo=None) if value else None


def to_local(value: dt.datetime | None) -> dt.datetime | None:
    return value.replace(tzinfo=dt.UTC).astimezone(WIB).replace(tzinfo=None) if value else None


def _require_manager():
    if not current_user.can_manage_agency(g.agency):
        abort(403)


def _event(event_id: int) -> DialogEvent:
    event = db.session.get(DialogEvent, event_id)
    if event is None or event.agency_id != g.agency.id:
        abort(404)
    return event


@staff.route("/")
def index():
    _require_manager()
    events = db.session.scalars(
        db.select(DialogEvent).filter_by(agency_id=g.agency.id).order_by(DialogEvent.starts_at.desc())
    ).all()
    pending = dict(
        db.session.execute(
            db.select(DialogQuestion.event_id, db.func.count(DialogQuestion.id))
            .join(DialogEvent, DialogEvent.id == DialogQuestion.event_id)
            .where(
                DialogEvent.agency_id == g.agency.id, DialogQuestion.status == DialogQuestionStatus.PENDING
            )
            .group_by(DialogQuestion.event_id)
        ).all()
    )
    return render_template("dialog_publik/staff/index.html", events=events, pending=pending, now=utcnow())


def _active_officers() -> list[Officer]:
    """The agency's active officers by name: who may sit on a panel or own a commitment."""
    return db.session.scalars(
        db.select(Officer).filter_by(agency_id=g.agency.id, active=True).order_by(Officer.name)
    ).all()


def _offer_choices(form: EventForm) -> None:
    """The agency's units (or the agency itself) as organiser, its active officers as panelists."""
    form.unit_id.choices = [SelectChoice(0, _("— instansi —"))] + [
        SelectChoice(u.id, u.name)
        for u in db.session.scalars(db.select(Unit).filter_by(agency_id=g.agency.id).order_by(Unit.name))
    ]
    form.panelists.choices = [
        SelectChoice(o.id, f"{o.name} · {o.position}" if o.position else o.name) for o in _active_officers()
    ]


def _show_event(form: EventForm, event: DialogEvent) -> None:
    """What the form cannot take from the event's attributes: times in WIB, the panel and the agenda."""
    form.starts_at.data, form.ends_at.data = to_local(event.starts_at), to_local(event.ends_at)
    form.registration_closes_at.data = to_local(event.registration_closes_at)
    form.publish_at.data = to_local(event.publish_at)
    form.unit_id.data = event.unit_id or 0
    form.panelists.data = [p.officer_id for p in event.panelists]
    form.agenda.data = "\n".join(f"{a.title} | {a.minutes}" for a in event.agenda)


def _keep_panel(event: DialogEvent, wanted: set[int]) -> None:
    """The panel becomes ``wanted``: panelists staying keep their rows, new ones are added."""
    event.panelists = [p for p in event.panelists if p.officer_id in wanted] + [
        DialogPanelist(officer_id=o) for o in sorted(wanted - {p.officer_id for p in event.panelists})
    ]


def _agenda_items(text: str) -> list[DialogAgendaItem]:
    """The agenda from its "title | minutes" lines, in order, skipping blank ones."""
    lines = filter(None, (_parse_agenda_line(line) for line in text.splitlines()))
    return [
        DialogAgendaItem(position=position, title=title, minutes=minutes)
        for position, (title, minutes) in enumerate(lines)
    ]


def _apply_form(form: EventForm, event: DialogEvent) -> None:
    """Copy the submitted form onto ``event`` (times from WIB to UTC) and bump its iCalendar sequence."""
    event.public_questions = bool(form.public_questions.data)
    event.anonymous_votes = bool(form.anonymous_votes.data)
    event.waitlist = bool(form.waitlist.data)
    for name in ("title", "topic", "description", "mode", "venue", "online_url", "capacity"):
        setattr(event, name, getattr(form, name).data or ("" if name != "capacity" else 1))
    event.unit_id = form.unit_id.data or None
    event.starts_at, event.ends_at = to_utc(form.starts_at.data), to_utc(form.ends_at.data)
    event.registration_closes_at = to_utc(form.registration_closes_at.data)
    event.publish_at = to_utc(form.publish_at.data)
    event.updated_at = utcnow()
    event.sequence = (event.sequence or 0) + 1
    _keep_panel(event, set(form.panelists.data or []))
    event.agenda = _agenda_items(form.agenda.data or "")


@staff.route("/acara/baru", methods=["GET", "POST"], defaults={"event_id": None})
@staff.route("/acara/<int:event_id>", methods=["GET", "POST"])
def edit(event_id):
    _require_manager()
    event = _event(event_id) if event_id else None
    form = EventForm(obj=event)
    form.saved_start = event.starts_at if event is not None else None
    _offer_choices(form)
    if request.method == "GET" and event is not None:
        _show_event(form, event)
    if form.validate_on_submit():
        event = event or DialogEvent(agency_id=g.agency.id, status=DialogEventStatus.DRAFT)
        _apply_form(form, event)
        db.session.add(event)
        db.session.flush()
        audit("dialog_event_saved", g.agency, detail=f"{event.id} {event.title}")
        db.session.commit()
        flash(_("Acara disimpan."), "success")
        return redirect(url_for(".edit", event_id=event.id))
    return render_template(
        "dialog_publik/staff/edit.html", form=form, event=event, status_form=BaseForm(), now=utcnow()
    ), 422 if form.errors else 200


@staff.route("/acara/<int:event_id>/status", methods=["POST"])
def change_status(event_id):
    _require_manager()
    event = _event(event_id)
    if not BaseForm().validate_on_submit():
        abort(400)
    action = request.form.get("status")
    allowed = {
        DialogEventStatus.PUBLISHED: (DialogEventStatus.DRAFT,),
        DialogEventStatus.FINISHED: (DialogEventStatus.PUBLISHED,),
        DialogEventStatus.CANCELLED: (DialogEventStatus.DRAFT, DialogEventStatus.PUBLISHED),
    }
    if action not in allowed or event.status not in allowed[action]:
        flash(_("Perubahan status ini tidak dapat dilakukan."), "error")
        return redirect(url_for(".edit", event_id=event.id))
    refusal = _status_refusal(event, action, utcnow())
    if refusal:
        flash(refusal, "error")
        return redirect(url_for(".edit", event_id=event.id))
    if action == DialogEventStatus.CANCELLED:
        told = cancel_event(event)
        flash(
            ngettext(
                "Acara dibatalkan; %(num)d peserta diberi tahu lewat e-mail.",
                "Acara dibatalkan; %(num)d peserta diberi tahu lewat e-mail.",
                told,
            ),
            "success",
        )
    else:
        event.status, event.updated_at, event.sequence = action, utcnow(), event.sequence + 1
        db.session.commit()
        flash(_("Status acara diperbarui."), "success")
    audit(f"dialog_event_{action}", g.agency, detail=str(event.id))
    db.session.commit()
    return redirect(url_for(".edit", event_id=event.id))


def _status_refusal(event: DialogEvent, action: str, now: dt.datetime) -> str | None:
    """Why ``action`` cannot be done now, or None: an event is published
    before it ends, marked finished once it has started, cancelled before
    it ends."""
    if action == DialogEventStatus.PUBLISHED and event.has_ended(now):
        return _("Acara ini sudah lewat; ubah waktunya dulu bila ingin menerbitkannya.")
    if action == DialogEventStatus.FINISHED and not event.has_started(now):
        return _("Acara baru dapat ditandai selesai setelah dimulai.")
    if action == DialogEventStatus.CANCELLED and event.has_ended(now):
        return _("Acara yang sudah berlangsung tidak dapat dibatalkan.")
    return None


@staff.route("/acara/<int:event_id>/peserta")
def participants(event_id):
    _require_manager()
    event = _event(event_id)
    rows = db.session.scalars(
        db.select(DialogRegistration).filter_by(event_id=event.id).order_by(DialogRegistration.id)
    ).all()
    return render_template("dialog_publik/staff/participants.html", event=event, rows=rows)


@staff.route("/acara/<int:event_id>/hadir", methods=["GET", "POST"])
def checkin(event_id):
    if current_user.role == "officer":
        abort(403)
    event = _event(event_id)
    form = BaseForm()
    message, error = None, None
    now = utcnow()
    if request.method == "POST" and form.validate_on_submit():
        try:
            if request.form.get("walk_in"):
                name, contact = request.form.get("name", "").strip(), request.form.get("contact", "").strip()
                if len(name) < 2 or not valid_contact(contact):
                    raise RegistrationError(_l("Isi nama dan nomor telepon atau e-mail yang valid."))
                registration, created = register(event.id, name, contact, walk_in=True, now=now)
                if not created:
                    registration = check_in(event, registration.code, now)
                message = _(
                    "%(n)s terdaftar di tempat dan hadir (kode %(c)s).",
                    n=registration.name,
                    c=registration.code,
                )
            else:
                registration = check_in(event, request.form.get("code", ""), now)
                message = _("%(n)s hadir.", n=registration.name)
        except RegistrationError as problem:
            error = str(problem)
    present = db.session.scalar(
        db.select(db.func.count(DialogRegistration.id)).where(
            DialogRegistration.event_id == event.id,
            DialogRegistration.checked_in_at.isnot(None),
            DialogRegistration.status != DialogRegistrationStatus.CANCELLED,
        )
    )
    return render_template(
        "dialog_publik/staff/checkin.html",
        event=event,
        form=form,
        message=message,
        error=error,
        present=present,
        now=now,
    ), 422 if error else 200


# ---------------------------------------------------------------- questions


@staff.route("/acara/<int:event_id>/pertanyaan", methods=["GET", "POST"])
def questions(event_id):
    """Moderation (approve, reject with reason, merge), the presenter's order,
    and answers recorded with the panelist who gave them."""
    if current_user.role == "officer":
        abort(403)
    event = _event(event_id)
    form = BaseForm()
    if request.method == "POST" and form.validate_on_submit():
        question = db.session.get(DialogQuestion, request.form.get("question_id", type=int) or 0)
        if question is None or question.event_id != event.id:
            abort(404)
        action = request.form.get("action")
        if action == "setujui":
            question.status = DialogQuestionStatus.APPROVED
        elif action == "tolak":
            question.status = DialogQuestionStatus.REJECTED
            question.reject_reason = request.form.get("reason", "").strip()[:200] or _("Tidak relevan")
        elif action == "gabung":
            target = db.session.get(DialogQuestion, request.form.get("into", type=int) or 0)
            if target is None or target.event_id != event.id or target.id == question.id:
                flash(_("Pilih pertanyaan tujuan penggabungan."), "error")
                return redirect(url_for(".questions", event_id=event.id))
            question.status, question.merged_into_id = DialogQuestionStatus.MERGED, target.id
        elif action == "jawab":
            panel = {p.officer_id for p in event.panelists}
            officer_id = request.form.get("officer_id", type=int)
            answer = request.form.get("answer", "").strip()
            if officer_id not in panel or not answer:
                flash(_("Pilih narasumber dan tulis ringkasan jawabannya."), "error")
                return redirect(url_for(".questions", event_id=event.id))
            question.answer, question.answered_by_id, question.answered_at = (
                answer[:4000],
                officer_id,
                utcnow(),
            )
        else:
            abort(400)
        db.session.commit()
        return redirect(url_for(".questions", event_id=event.id))
    pending = db.session.scalars(
        db.select(DialogQuestion)
        .filter_by(event_id=event.id, status=DialogQuestionStatus.PENDING)
        .order_by(DialogQuestion.id)
    ).all()
    approved = ordered_questions(event.id)
    rejected = db.session.scalars(
        db.select(DialogQuestion)
        .filter_by(event_id=event.id, status=DialogQuestionStatus.REJECTED)
        .order_by(DialogQuestion.id)
    ).all()
    return render_template(
        "dialog_publik/staff/questions.html",
        event=event,
        form=form,
        pending=pending,
        approved=approved,
        rejected=rejected,
    )


@staff.route("/acara/<int:event_id>/notulen", methods=["GET", "POST"])
def minutes(event_id):
    """Notulen: summary and the commitments (owner, due date, state) shown publicly."""
    _require_manager()
    event = _event(event_id)
    form = BaseForm()
    started = event.has_started(utcnow())
    if request.method == "POST" and form.validate_on_submit() and not started:
        flash(_("Notulen dapat diisi setelah acara dimulai."), "error")
        return redirect(url_for(".minutes", event_id=event.id))
    if request.method == "POST" and form.validate_on_submit():
        what = request.form.get("what")
        if what == "ringkasan":
            event.minutes = request.form.get("minutes", "").strip()[:10000]
        elif what == "komitmen":
            text = request.form.get("text", "").strip()
            try:
                due = dt.date.fromisoformat(request.form.get("due", "")) if request.form.get("due") else None
            except ValueError:
                due = None
                flash(_("Tanggal target tidak valid."), "error")
            owner = request.form.get("owner_id", type=int)
            if not 5 <= len(text) <= 500:
                flash(_("Tuliskan komitmen (5–500 karakter)."), "error")
                return redirect(url_for(".minutes", event_id=event.id))
            person = db.session.get(Officer, owner) if owner else None
            valid_owner = person is not None and person.agency_id == g.agency.id
            db.session.add(
                DialogCommitment(
                    event_id=event.id, text=text, due=due, owner_id=owner if valid_owner else None
                )
            )
        elif what == "status":
            commitment = db.session.get(DialogCommitment, request.form.get("commitment_id", type=int) or 0)
            if (
                commitment is None
                or commitment.event_id != event.id
                or request.form.get("state") not in list(DialogCommitmentState)
            ):
                abort(404)
            commitment.state = request.form["state"]
        else:
            abort(400)
        audit("dialog_minutes_saved", g.agency, detail=f"{event.id} {what}")
        db.session.commit()
        flash(_("Notulen disimpan."), "success")
        return redirect(url_for(".minutes", event_id=event.id))
    items = db.session.scalars(
        db.select(DialogCommitment).filter_by(event_id=event.id).order_by(DialogCommitment.id)
    ).all()
    officers = _active_officers()
    return render_template(
        "dialog_publik/staff/minutes.html",
        event=event,
        form=form,
        items=items,
        officers=officers,
        states=list(DialogCommitmentState),
        ratings=_attendee_ratings(event),
        started=started,
    )


def _attendee_ratings(event) -> dict:
    """What checked-in attendees said: the mean and count for the event and
    for each panelist, and the comments on the event itself."""
    scope = db.select(DialogRating).join(DialogRegistration).where(DialogRegistration.event_id == event.id)
    summary = db.session.execute(
        db.select(DialogRating.officer_id, db.func.count(DialogRating.id), db.func.avg(DialogRating.rating))
        .join(DialogRegistration)
        .where(DialogRegistration.event_id == event.id)
        .group_by(DialogRating.officer_id)
    ).all()
    names = {p.officer_id: p.officer.name for p in event.panelists}
    comments = db.session.scalars(
        scope.where(
            DialogRating.officer_id == 0, DialogRating.comment.isnot(None), DialogRating.comment != ""
        ).order_by(DialogRating.created_at)
    ).all()
    return {
        "event": next(((count, float(mean)) for officer, count, mean in summary if officer == 0), None),
        "panel": [
            (names.get(officer, "?"), count, float(mean)) for officer, count, mean in summary if officer
        ],
        "comments": comments,
    }
