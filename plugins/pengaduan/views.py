"""Citizen pages: file a complaint, follow it with the private tracking
code, rate its handling.

Every page reached by a tracking code (the confirmation page, the tracking
page, its attachments) shows what only the code's holder may see, so it is
never shown for the public reference, never stored by a shared cache, and
looking up codes that do not exist is rate limited per address (a citizen
mistypes now and then; a guesser misses all the time)."""

from __future__ import annotations

import io
import os

from flask import (
    abort,
    current_app,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from sqlalchemy import bindparam, select
from wtforms.fields.choices import SelectChoice

from plugins.pengaduan import NAME, codes
from plugins.pengaduan.forms import RATING_LABELS, FilingForm, RatingForm
from plugins.pengaduan.models import PengaduanCategory, PengaduanTicket, TicketStatus
from plugins.pengaduan.service import (
    IMAGE_TYPES,
    MAX_BYTES,
    MAX_FILES,
    REASON_LABELS,
    STATUS_LABELS,
    Filing,
    WorkflowError,
    check_files,
    file_ticket,
    rate,
    reopen_deadline,
    upload_dir,
)
from portal.plugin import (
    STAFF_SESSION_REFUSED,
    UPLOAD_TYPES,
    Agency,
    AgencyBlueprint,
    Unit,
    citizen_only,
    db,
    limiter,
    pagecache,
    staff_session,
)

# static/: the filing form's stylesheet and its "use my location" script
# (an enhancement: typing an address or coordinates works without it).
bp = AgencyBlueprint(
    "pengaduan", __name__, path="pengaduan", static_folder="static", static_url_path="/static"
)


def _filing_limit() -> str:
    return current_app.config.get("PENGADUAN_RATE_LIMIT", "10 per hour;30 per day")


def _lookup_limit() -> str:
    return current_app.config.get("PENGADUAN_LOOKUP_LIMIT", LOOKUP_LIMIT)


#: Unknown tracking codes one address may try (all code pages together).
LOOKUP_LIMIT = "30 per minute;300 per hour"


def _not_found(response) -> bool:
    return response.status_code == 404


#: One budget for every page reached by a tracking code, spent only by
#: lookups that find nothing: a guesser cannot spread over several pages.
lookup_limit = limiter.shared_limit(_lookup_limit, scope="pengaduan-lookup", deduct_when=_not_found)


def _private(response):
    """A page for the code's holder only: no shared cache keeps it, no search
    engine lists it."""
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


@bp.route("/")
def index():
    return render_template("pengaduan/index.html", agency=g.agency)


@bp.route("/baru", methods=["GET", "POST"])
@limiter.limit(_filing_limit, methods=["POST"])
def new():
    form = FilingForm()
    # The limits as configured, so the form never promises more than is accepted.
    form.files.label.text = _(
        "Lampiran (foto atau PDF, paling banyak %(n)d berkas, masing-masing %(mb)s MB)",
        n=MAX_FILES,
        mb=f"{current_app.config.get('PENGADUAN_MAX_BYTES', MAX_BYTES) / 2**20:g}",
    )
    categories = db.session.scalars(
        db.select(PengaduanCategory)
        .filter_by(agency_id=g.agency.id, active=True)
        .order_by(PengaduanCategory.name)
    ).all()
    if not categories:
        return render_template("pengaduan/closed.html", agency=g.agency)
    form.category_id.choices = [SelectChoice("", _("— pilih jenis pengaduan —"))] + [
        SelectChoice(c.id, c.name) for c in categories
    ]
    units = db.session.execute(
        db.select(Unit.id, Unit.name).filter_by(agency_id=g.agency.id).order_by(Unit.name)
    ).all()
    form.unit_id.choices = [SelectChoice(0, _("— tidak tahu / tidak spesifik —"))] + [
        SelectChoice(i, n) for i, n in units
    ]
    if form.validate_on_submit():
        if form.website.data:  # honeypot
            return redirect(url_for(".index"))
        category = next(c for c in categories if c.id == form.category_id.data)
        extra, missing = {}, False
        for field in category.fields:
            value = request.form.get(f"attr_{field['code']}", "").strip()[:300]
            if field.get("required") and not value:
                missing = True
            if value:
                extra[field["code"]] = value
        files, errors = check_files(request.files.getlist(form.files.name))
        form.files.errors = list(form.files.errors) + errors
        if missing:
            form.category_id.errors = [_("Lengkapi isian tambahan yang wajib untuk jenis pengaduan ini.")]
        if not errors and not missing:
            ticket = file_ticket(
                g.agency,
                Filing(
                    category=category,
                    title=form.title.data,
                    description=form.description.data,
                    unit_id=form.unit_id.data or None,
                    address=form.address.data or "",
                    lat=form.point[0],
                    lon=form.point[1],
                    extra=extra,
                    anonymous=form.anonymous.data,
                    confidential=form.confidential.data,
                    name=form.name.data or "",
                    phone=form.phone.data or "",
                    email=(form.email.data or "").lower(),
                ),
                files,
            )
            return redirect(url_for(".filed", code=ticket.code))
    page = render_template("pengaduan/new.html", form=form, categories=categories, agency=g.agency)
    return page, 400 if form.errors else 200


@bp.route("/terkirim/<code>")
@lookup_limit
def filed(code):
    ticket = _ticket(code)
    return _private(make_response(render_template("pengaduan/filed.html", ticket=ticket, agency=g.agency)))


def _ticket(code: str) -> PengaduanTicket:
    """The agency's ticket with this private tracking code (never the public
    reference), or 404."""
    ticket = db.session.execute(
        db.select(PengaduanTicket).filter_by(code=codes.normalise(code), agency_id=g.agency.id)
    ).scalar_one_or_none()
    if ticket is None:
        abort(404)
    return ticket


@bp.route("/lacak")
@lookup_limit
def track_form():
    code = request.args.get("kode", "").strip()
    if code:
        ticket = db.session.execute(
            db.select(PengaduanTicket.code).filter_by(code=codes.normalise(code), agency_id=g.agency.id)
        ).scalar_one_or_none()
        if ticket:
            return redirect(url_for(".track", code=ticket))
        if codes.is_reference(code):
            flash(
                _(
                    "%(code)s adalah nomor referensi, yang boleh diketahui siapa saja. Untuk membuka "
                    "pengaduan Anda, masukkan kode pelacakan rahasia yang Anda terima saat mengirim "
                    "pengaduan (bentuknya XXXXX-XXXXX-XXXXX).",
                    code=code,
                ),
                "info",
            )
        else:
            flash(_("Kode pelacakan %(code)s tidak ditemukan. Periksa kembali kodenya.", code=code), "info")
    return render_template("pengaduan/track_form.html", agency=g.agency, code=code), 200 if not code else 404


# The tracking page as an anonymous visitor sees it, per ticket version and
# language (see portal.core.web.pagecache): a lookup then costs one query. The
# page shows the complaint's private parts, so it is found by the private
# tracking code only (never by the public reference), and the code is part
# of the cache key: a page can only ever come back for the code it was
# rendered for.
_TRACK_STATE = (
    select(PengaduanTicket.id, PengaduanTicket.updated_at)
    .join(Agency, Agency.id == PengaduanTicket.agency_id)
    .where(Agency.slug == bindparam("slug"), PengaduanTicket.code == bindparam("code"))
    .where(pagecache.module_on(NAME).is_(True))
)


def _track_pages():
    # The ticket's own changes are in its version (updated_at); these are
    # what else the page shows (the agency's header and menu, categories).
    return pagecache.cache("pengaduan.track").watch(Agency, PengaduanCategory)


def _track_key(code, ticket_id, version):
    return codes.normalise(code), ticket_id, version, pagecache.language()


def _track_state(agency_slug, code):
    """(ticket id, version) when the agency has the module on and the ticket."""
    return pagecache.first_row(_TRACK_STATE, slug=agency_slug, code=codes.normalise(code))


def cached_track(agency_slug, code):
    if not pagecache.anonymous_visit():
        return None
    row = _track_state(agency_slug, code)
    if row is None:
        return None
    html = _track_pages().get(_track_key(code, *row))
    if html is None:
        return None
    return _private(current_app.response_class(html, mimetype="text/html"))


@bp.route("/lacak/<code>", methods=["GET", "POST"])
@lookup_limit
@citizen_only  # a rating (or reopening) is evidence about an officer: never from a staff session
@bp.fast_path(cached_track)
def track(code):
    # Read the version before the ticket: a change in between then leaves
    # the page under a key that is never asked for again.
    cacheable = request.method == "GET" and pagecache.anonymous_visit()
    state = _track_state(g.agency.slug, code) if cacheable else None
    ticket = _ticket(code)
    form = RatingForm()
    if request.method == "POST" and form.validate_on_submit():
        try:
            rate(ticket, form.rating.data, form.resolved.data == "ya", form.comment.data or "")
        except WorkflowError as error:
            db.session.rollback()
            form.rating.errors = [str(error)]
        else:
            flash(_("Terima kasih atas penilaian Anda."), "success")
            return redirect(url_for(".track", code=ticket.code))
    events = [e for e in ticket.events if e.public]
    status = 422 if form.errors else 200
    rating_open = ticket.status == TicketStatus.SELESAI and ticket.rating is None
    html = render_template(
        "pengaduan/track.html",
        ticket=ticket,
        events=events,
        form=form,
        labels=STATUS_LABELS,
        reasons=REASON_LABELS,
        agency=g.agency,
        reopen_until=reopen_deadline(ticket),
        rating_open=rating_open,
        rating_labels=RATING_LABELS,
        staff_refused=STAFF_SESSION_REFUSED if staff_session() else None,
    )
    if state is not None and not rating_open:  # the rating form carries a session token
        _track_pages().put(_track_key(ticket.code, *state), html)
    return _private(make_response(html, status))


@bp.route("/lacak/<code>/lampiran/<int:attachment_id>")
@lookup_limit
def attachment(code, attachment_id):
    ticket = _ticket(code)
    return send_attachment(ticket, attachment_id)


#: For a file answered on its own: nothing in it may run, load or be framed.
ATTACHMENT_POLICY = (
    "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox; frame-ancestors 'none'"
)


def download_name(original: str, content_type: str) -> str:
    """The uploader's name, but with the extension of what the file is: a PDF
    uploaded as ``evil.html`` is saved as ``evil.pdf``, never opened as HTML."""
    stem = os.path.splitext(os.path.basename(original.replace("\\", "/")))[0].strip(". ") or "lampiran"
    return stem[:100] + UPLOAD_TYPES.get(content_type, ".bin")


def send_attachment(ticket: PengaduanTicket, attachment_id: int):
    """The file, to whoever the caller already checked may see the ticket.
    Images (re-encoded on upload) are shown in the browser; anything else,
    a PDF above all, is only ever a download."""
    item = next((a for a in ticket.attachments if a.id == attachment_id), None)
    if item is None:
        abort(404)
    path = os.path.join(upload_dir(), item.stored_name)
    if not os.path.exists(path):
        abort(404)
    with open(path, "rb") as stored:
        data = stored.read()
    inline = item.content_type in IMAGE_TYPES
    response = send_file(
        io.BytesIO(data),
        mimetype=item.content_type
        if inline or item.content_type == "application/pdf"
        else "application/octet-stream",
        download_name=download_name(item.original_name, item.content_type),
        as_attachment=not inline,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = ATTACHMENT_POLICY
    return _private(response)
