"""The URL rules of pengembangan's staff pages under
``/kelola/<agency>/pengembangan/``. Their views are in
:mod:`plugins.pengembangan.staff`, imported when a request first reaches
one of them (``lazy_route``): a worker that never serves these pages never
loads them. Who may see what is checked by the blueprint (agency, switch,
login) and by each view (roles)."""

from __future__ import annotations

from portal.plugin import AgencyBlueprint

staff = AgencyBlueprint(
    "pengembangan", __name__, path="pengembangan", staff=True, views="plugins.pengembangan.staff"
)

staff.lazy_route("/", "index")
staff.lazy_route("/tim", "team")
staff.lazy_route("/ekspor.<fmt>", "export")
staff.lazy_route("/katalog/<int:theme_id>", "catalogue", methods=["GET", "POST"])
staff.lazy_route("/katalog", "catalogue", methods=["GET", "POST"])
staff.lazy_route("/kebutuhan", "needs")
staff.lazy_route("/kebutuhan/<int:officer_id>", "officer_needs", methods=["GET", "POST"])
staff.lazy_route("/kegiatan/<int:activity_id>/ubah", "edit_activity", methods=["GET", "POST"])
staff.lazy_route("/kegiatan/baru", "edit_activity", methods=["GET", "POST"])
staff.lazy_route("/kegiatan/<int:activity_id>", "activity")
staff.lazy_route("/kegiatan/<int:activity_id>/peserta", "add_participants", methods=["POST"])
staff.lazy_route(
    "/kegiatan/<int:activity_id>/peserta/<int:participant_id>", "update_participant", methods=["POST"]
)
staff.lazy_route("/kegiatan/<int:activity_id>/daftar", "register", methods=["POST"])
staff.lazy_route("/kegiatan/<int:activity_id>/reaksi", "reaction", methods=["GET", "POST"])
staff.lazy_route("/kegiatan/<int:activity_id>/hasil", "results")
staff.lazy_route("/kegiatan/<int:activity_id>/ekspor.<fmt>", "export_activity")
staff.lazy_route("/perilaku", "behaviour_list")
staff.lazy_route("/perilaku/<int:participant_id>", "behaviour", methods=["GET", "POST"])
staff.lazy_route("/umpan-balik", "upward", methods=["GET", "POST"])
staff.lazy_route("/umpan-balik/hasil", "upward_results")
staff.lazy_route("/pegawai/<int:officer_id>", "profile")
