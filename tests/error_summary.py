"""What a page answered with errors must show: the error summary (the
``error_summary`` macro of ``_form.html``) with a link to each field in
error, each link's target present on the page."""

from __future__ import annotations

import re


def assert_error_summary(page: str, *field_ids: str, summary_id: str = "ringkasan-galat") -> None:
    match = re.search(rf'<div class="error-summary" id="{summary_id}"[^>]*>(.*?)</div>', page, re.S)
    assert match, f"no error summary #{summary_id}"
    assert re.search(r'src="/static/forms\.js(\?v=\w+)?"', page)  # moves focus to the summary
    links = re.findall(r'href="#([^"]+)"', match.group(1))
    for field_id in field_ids:
        assert field_id in links, (field_id, links)
    for target in links:  # every link lands on something
        assert len(re.findall(rf'\bid="{re.escape(target)}"', page)) == 1, target
    assert "Periksa kembali isian yang ditandai." in match.group(1)
