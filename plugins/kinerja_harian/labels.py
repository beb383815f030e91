"""Kinerja harian's stored values as people read them, in the reader's
language: for its pages and exports, and for the officer panel that the
core record page renders."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from plugins.kinerja_harian.models import Conclusion, DayStatus, PeriodKind, TargetStatus
from plugins.kinerja_harian.service import LATE, MISSING, ON_TIME, OPEN

DAY_LABELS = {
    DayStatus.DRAF: _l("Draf"),
    DayStatus.DIAJUKAN: _l("Menunggu penilaian"),
    DayStatus.DISETUJUI: _l("Disetujui"),
    DayStatus.DIKEMBALIKAN: _l("Dikembalikan"),
}
STATE_LABELS = {
    ON_TIME: _l("Tepat waktu"),
    LATE: _l("Terlambat"),
    MISSING: _l("Tidak dilaporkan"),
    OPEN: _l("Belum dilaporkan"),
}
CONCLUSION_LABELS = {
    Conclusion.DI_ATAS: _l("Di atas ekspektasi"),
    Conclusion.SESUAI: _l("Sesuai ekspektasi"),
    Conclusion.DI_BAWAH: _l("Di bawah ekspektasi"),
}
PERIOD_LABELS = {
    PeriodKind.TRIWULAN: _l("Triwulan"),
    PeriodKind.SEMESTER: _l("Semester"),
    PeriodKind.TAHUN: _l("Tahun"),
}
TARGET_LABELS = {TargetStatus.DRAF: _l("Draf"), TargetStatus.DISEPAKATI: _l("Disepakati")}

#: What every template sees (the blueprint's app-wide context processor).
TEMPLATE_CONTEXT = {
    "kh_day_labels": DAY_LABELS,
    "kh_state_labels": STATE_LABELS,
    "kh_conclusion_labels": CONCLUSION_LABELS,
    "kh_period_labels": PERIOD_LABELS,
    "kh_target_labels": TARGET_LABELS,
}
