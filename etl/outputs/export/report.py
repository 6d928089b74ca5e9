"""The Word report draft (bao-cao-chat-luong-sinh-hoat-chi-bo-YYYY.docx) in the layout of a
party document: takes a `YearData`, the organisation settings and the chart PNGs, returns the
.docx bytes.

Layout (Hướng dẫn 36-HD/VPTW): issuing body and "ĐẢNG CỘNG SẢN VIỆT NAM" side by side, number
and symbol, place and date, the title, the body (report_text.py), "Nơi nhận" and signature, then
a landscape appendix with the per-commune table. Times New Roman 14 pt on A4, margins top and
bottom 20 mm, left 30 mm, right 15 mm.
"""
from __future__ import annotations

import io

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT, WD_TAB_LEADER
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt

from etl import theme
from etl.labels import NOT_REPORTED
from etl.outputs.export import lists, period_text, report_text as rt
from etl.outputs.export.data import YearData

FONT = theme.PRINT_FONT
BODY_PT = 14
APPENDIX_PT = 12   # the landscape appendix's tables
KEEP_TOGETHER = 10  # a table of this many rows or fewer is not broken across pages
GAP = "      "  # the blank left for the number and the day, filled in when signed


def build(data: YearData, images: list[bytes], captions: list[str]) -> bytes:
    doc = Document()
    _page_setup(doc)
    _header_block(doc, data)
    _title(doc, data)
    for block in rt.body(data):
        _block(doc, block, images, captions)
    _closing(doc, data)
    _appendix(doc, data)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _page_setup(doc) -> None:
    s = doc.sections[0]
    s.page_width, s.page_height = Mm(210), Mm(297)
    s.top_margin, s.bottom_margin = Mm(20), Mm(20)
    s.left_margin, s.right_margin = Mm(30), Mm(15)
    style = doc.styles["Normal"]
    style.font.name, style.font.size = FONT, Pt(BODY_PT)
    # Word picks the font per script: set every slot, or some text falls back to Calibri
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for slot in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(slot), FONT)
    fmt = style.paragraph_format
    fmt.space_before, fmt.space_after, fmt.line_spacing = Pt(0), Pt(6), 1.1
    # page numbers at the top centre, as party documents number pages from the second one
    para = s.header.paragraphs[0]
    para.alignment = WD_ALIGN_PARAGRAPH.CENTER
    s.different_first_page_header_footer = True
    _field(para, "PAGE")


def _field(paragraph, code: str) -> None:
    run = paragraph.add_run()
    for tag, text in (("w:fldChar", "begin"), ("w:instrText", code), ("w:fldChar", "end")):
        el = OxmlElement(tag)
        if tag == "w:fldChar":
            el.set(qn("w:fldCharType"), text)
        else:
            el.set(qn("xml:space"), "preserve")
            el.text = code
        run._r.append(el)
    run.font.size = Pt(13)


def _para(container, text: str = "", *, bold=False, italic=False, underline=False, size=BODY_PT,
          align=WD_ALIGN_PARAGRAPH.CENTER, after: float = 0, indent: float | None = None):
    p = container.add_paragraph()
    p.alignment = align
    p.paragraph_format.space_after = Pt(after)
    if indent is not None:
        p.paragraph_format.first_line_indent = Cm(indent)
    if text:
        run = p.add_run(text)
        run.bold, run.italic, run.underline, run.font.size = bold, italic, underline, Pt(size)
    return p


def _borderless(table) -> None:
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), "nil")
        borders.append(el)
    table._tbl.tblPr.append(borders)


def _two_columns(doc, left_cm: float, right_cm: float):
    table = doc.add_table(rows=1, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    _borderless(table)
    _unsplit(table.rows[0])  # the signature block, or the header block, stays on one page
    left, right = table.rows[0].cells
    left.width, right.width = Cm(left_cm), Cm(right_cm)
    # a new cell holds one empty paragraph: use it for the first line
    return left, right


def _unsplit(row) -> None:
    """A table row is not broken across two pages."""
    el = OxmlElement("w:cantSplit")
    el.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(el)


def _first(cell, text, **kw):
    p = cell.paragraphs[0]
    p.alignment = kw.pop("align", WD_ALIGN_PARAGRAPH.CENTER)
    p.paragraph_format.space_after = Pt(0)
    run = p.add_run(text)
    run.bold, run.italic, run.underline = kw.get("bold", False), kw.get("italic", False), kw.get("underline", False)
    run.font.size = Pt(kw.get("size", BODY_PT))
    return p


def _header_block(doc, data: YearData) -> None:
    s = data.settings
    left, right = _two_columns(doc, 7.0, 9.5)
    _first(left, s.organization_name.upper())
    _para(left, s.organization_board.upper(), bold=True)
    _para(left, "*")
    _para(left, f"Số{GAP}-{s.organization_symbol}")
    _first(right, "ĐẢNG CỘNG SẢN VIỆT NAM", bold=True, underline=True, size=15)
    _para(right, "")
    _para(right, f"{s.organization_place}, ngày{GAP}{period_text.dated(data)}", italic=True)


def _title(doc, data: YearData) -> None:
    _para(doc, "", after=6)
    _para(doc, "BÁO CÁO", bold=True, size=16)
    _para(doc, period_text.title(data), bold=True)
    _para(doc, "-----", after=6)
    if data.filtered:
        shown = rt.names(list(data.communes["commune_name"])) or "không có đảng bộ nào"
        _para(doc, f"(Số liệu của: {shown})", italic=True, size=13, after=6)


def _block(doc, block: rt.Block, images: list[bytes], captions: list[str]) -> None:
    justify = WD_ALIGN_PARAGRAPH.JUSTIFY
    if block.kind in ("h1", "h2"):
        p = _para(doc, block.text, bold=True, align=justify, indent=1.0, after=6)
        p.paragraph_format.keep_with_next = True
    elif block.kind == "p":
        _para(doc, block.text, align=justify, indent=1.0, after=6)
    elif block.kind == "placeholder":
        _para(doc, block.text, italic=True, align=justify, indent=1.0, after=6)
        for _ in range(4):  # dotted lines to write on, as long as the text width
            p = _para(doc, "\t", size=12, after=6)
            p.paragraph_format.tab_stops.add_tab_stop(Cm(16.5), WD_TAB_ALIGNMENT.RIGHT,
                                                      WD_TAB_LEADER.DOTS)
    elif block.kind == "table":
        _table(doc, block.rows, block.total_last, size=13, widths=block.widths or None,
               first_left=0)
    elif block.kind == "chart" and block.chart < len(images):
        p = _para(doc, after=0)
        p.paragraph_format.keep_with_next = True
        p.add_run().add_picture(io.BytesIO(images[block.chart]), width=Cm(16))
        _para(doc, captions[block.chart], italic=True, size=12, after=8)


def _table(doc, rows: list[list[str]], total_last: bool, size: float, widths=None,
           first_left: int = 1) -> None:
    """A grid table; column `first_left` (the names) left-aligned, the figures centred."""
    table = doc.add_table(rows=len(rows), cols=len(rows[0]))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    if widths:
        # LibreOffice reads the grid columns, Word the cell widths: set both
        table.autofit = False
        for column, width in zip(table.columns, widths):
            column.width = Cm(width)
    # header row repeated on every page a long table runs over
    tr_pr = table.rows[0]._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    tr_pr.append(header)
    compact = len(rows) <= KEEP_TOGETHER
    for r, values in enumerate(rows):
        bold = r == 0 or (total_last and r == len(rows) - 1)
        _unsplit(table.rows[r])
        for c, (cell, value) in enumerate(zip(table.rows[r].cells, values)):
            if widths:
                cell.width = Cm(widths[c])
            p = cell.paragraphs[0]
            p.paragraph_format.space_after = Pt(0)
            # a small table is kept on one page: each row held to the next
            p.paragraph_format.keep_with_next = compact and r < len(rows) - 1
            p.alignment = WD_ALIGN_PARAGRAPH.LEFT if (c == first_left and r) \
                else WD_ALIGN_PARAGRAPH.CENTER
            run = p.add_run(value)
            run.bold, run.font.size = bold, Pt(size)
    _para(doc, after=4)


def _closing(doc, data: YearData) -> None:
    s = data.settings
    closing = _para(doc, f"Trên đây là báo cáo tình hình, chất lượng sinh hoạt chi bộ {data.when}.",
                    align=WD_ALIGN_PARAGRAPH.JUSTIFY, indent=1.0, after=12)
    closing.paragraph_format.keep_with_next = True  # not left alone above a signature on the next page
    left, right = _two_columns(doc, 8.0, 8.5)
    _first(left, "Nơi nhận:", bold=True, underline=True, align=WD_ALIGN_PARAGRAPH.LEFT)
    for line in s.organization_recipients:
        _para(left, f"- {line}", size=12, align=WD_ALIGN_PARAGRAPH.LEFT)
    # a board's report is signed by its head ("TRƯỞNG BAN"), or for him ("K/T TRƯỞNG BAN" over
    # "PHÓ TRƯỞNG BAN"): "T/M" is for collective bodies, so it is a setting, empty by default
    if s.organization_sign_for.strip():
        _first(right, s.organization_sign_for.upper(), bold=True)
        _para(right, s.organization_signer.upper(), bold=True)
    else:
        _first(right, s.organization_signer.upper(), bold=True)
    for _ in range(4):  # room for the signature and the signer's name
        _para(right, "")


def _appendix(doc, data: YearData) -> None:
    if data.communes.empty:
        return
    section = doc.add_section(WD_SECTION.NEW_PAGE)
    # a new section copies "different first page", whose (empty) header would leave the
    # appendix's first page without its number; the header itself is the body's, linked
    section.different_first_page_header_footer = False
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.left_margin, section.right_margin = Mm(20), Mm(15)
    long = lists.long_lists(data)
    _appendix_head(doc, data, "PHỤ LỤC 1" if long else "PHỤ LỤC",
                   f"Kết quả sinh hoạt chi bộ {data.when} theo đảng bộ")
    # 11 columns across 26.2 cm: 12 pt, the size party documents accept in a table, keeps the
    # figures on one line (at 13 pt "1.217/1.291" wraps); the text around it is 13–14 pt
    widths = [1.4, 4.4, 1.6, 2.4, 2.8, 2.0, 2.0, 2.2, 2.2, 2.4, 2.4]
    _table(doc, rt.appendix_rows(data), total_last=True, size=APPENDIX_PT, widths=widths)
    _para(doc, f"Tỷ lệ tính trên số chi bộ - tháng đã báo cáo; \"{NOT_REPORTED}\": đảng bộ chưa gửi báo cáo "
               f"nào {data.during}, không tính là 0.", italic=True, size=13, align=WD_ALIGN_PARAGRAPH.LEFT)
    if not long:
        return
    _page_break(doc)
    _appendix_head(doc, data, lists.APPENDIX.upper(), "Danh sách đảng bộ nêu trong báo cáo")
    for k, listing in enumerate(long, start=1):
        p = _para(doc, f"{k}. {listing.title} ({len(listing.items)} đảng bộ)", bold=True,
                  align=WD_ALIGN_PARAGRAPH.LEFT, after=4)
        p.paragraph_format.keep_with_next = True
        _table(doc, listing.rows(), total_last=False, size=APPENDIX_PT,
               widths=[1.4, 9.0, 8.0] if listing.detail else [1.4, 9.0])


def _appendix_head(doc, data: YearData, name: str, title: str) -> None:
    _para(doc, name, bold=True)
    _para(doc, title, bold=True)
    _para(doc, f"(Kèm theo Báo cáo số{GAP}-{data.settings.organization_symbol}, ngày{GAP}"
               f"{period_text.dated(data)})", italic=True, size=13, after=8)


def _page_break(doc) -> None:
    run = doc.add_paragraph().add_run()
    el = OxmlElement("w:br")
    el.set(qn("w:type"), "page")
    run._r.append(el)
