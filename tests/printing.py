"""What every sheet the product writes must carry to print (checked through openpyxl)."""
from __future__ import annotations

A4 = 9


def assert_prints(ws, one_page: bool = False, office: str | None = None) -> None:
    """A4, fit to one page wide (and tall when ``one_page``), the header rows repeated,
    a footer with the sheet name, the page of pages and (when given) the office."""
    setup = ws.page_setup
    assert int(setup.paperSize) == A4, ws.title
    assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
    assert setup.fitToWidth in (None, 1), ws.title  # None: the file's default, 1
    assert (setup.fitToHeight in (None, 1)) if one_page else setup.fitToHeight == 0, ws.title
    if not one_page:
        assert (ws.print_title_rows or "").startswith("$1:"), ws.title
    footer = ws.oddFooter
    assert "&A" in footer.left.text and "第 &P 页，共 &N 页" in footer.center.text, ws.title
    if office:
        assert office in footer.right.text, ws.title
