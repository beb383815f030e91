"""The URL rules of kinerja harian's staff pages under
``/kelola/<agency>/kinerja-harian/``. Their views are in
:mod:`plugins.kinerja_harian.staff`, imported when a request first reaches
one of them (``lazy_route``): a worker that never serves a daily report
never loads them. Who may see what is checked by the blueprint (agency,
switch, login) and by each view (roles)."""

from __future__ import annotations

from plugins.kinerja_harian import NAME
from portal.plugin import AgencyBlueprint

staff = AgencyBlueprint(
    "kinerja_harian",
    __name__,
    path="kinerja-harian",
    plugin=NAME,
    staff=True,
    views="plugins.kinerja_harian.staff",
    static_folder="static",
    static_url_path="/static",
)


@staff.app_context_processor
def _labels():
    # App-wide: the officer panel is rendered on the core record page.
    from plugins.kinerja_harian.labels import TEMPLATE_CONTEXT

    return TEMPLATE_CONTEXT


staff.lazy_route("/", "index")
staff.lazy_route("/pegawai/<int:officer_id>", "officer")
staff.lazy_route("/pegawai/<int:officer_id>/hari/<day>", "day")
staff.lazy_route("/pegawai/<int:officer_id>/hari/<day>/kegiatan", "add_activity", methods=["POST"])
staff.lazy_route(
    "/pegawai/<int:officer_id>/hari/<day>/kegiatan/<int:activity_id>",
    "edit_activity",
    methods=["GET", "POST"],
)
staff.lazy_route(
    "/pegawai/<int:officer_id>/hari/<day>/kegiatan/<int:activity_id>/hapus",
    "delete_activity",
    methods=["POST"],
)
staff.lazy_route("/pegawai/<int:officer_id>/hari/<day>/usulan", "accept_proposals", methods=["POST"])
staff.lazy_route("/pegawai/<int:officer_id>/hari/<day>/kirim", "submit", methods=["POST"])
staff.lazy_route("/pegawai/<int:officer_id>/hari/<day>/nilai", "review", methods=["POST"])
staff.lazy_route("/lampiran/<int:attachment_id>", "attachment")
staff.lazy_route("/pegawai/<int:officer_id>/evaluasi", "evaluation", methods=["GET", "POST"])
staff.lazy_route("/pegawai/<int:officer_id>/rekap", "recap")
staff.lazy_route("/tim", "team")
staff.lazy_route("/target", "targets")
staff.lazy_route("/target/baru", "new_target", methods=["GET", "POST"])
staff.lazy_route("/target/<int:target_id>/ubah", "edit_target", methods=["GET", "POST"])
staff.lazy_route("/target/<int:target_id>/sepakati", "agree_target", methods=["POST"])
staff.lazy_route("/target/<int:target_id>/hapus", "delete_target", methods=["POST"])
staff.lazy_route("/ekspor/<fmt>", "export")
