"""The workbook's "Biểu đồ" sheet: a data table (per commune: I5, I10 counts, I11 target and
admitted) and native Excel charts drawn from it, so the board can restyle them in Excel.

The table is the charts' own copy of indicator values: a commune without a report gets an empty
cell (a gap in the chart) and "Chưa báo cáo" in the note column. Excel would draw the text
"Chưa báo cáo" of the other sheets as 0, which is exactly what must not happen.
"""
from __future__ import annotations

from etl import labels, theme
from etl.labels import NOT_REPORTED
from etl.outputs.export.data import YearData, by_commune
from etl.outputs.export.xlsx import PCT, VI, Book, Header, Sheet, missing

TOP = 3


def write_chart_sheet(book: Book, data: YearData) -> None:
    sheet = Sheet(book, f"BIỂU ĐỒ CÁC CHỈ SỐ CHÍNH {data.when.upper()}",
                  "Số liệu vẽ biểu đồ (ô trống: đảng bộ chưa báo cáo, không vẽ là 0).", "Biểu đồ")
    heads = [Header("Đảng bộ", 22), Header("Tỷ lệ chi bộ sinh hoạt thường kỳ (I5)", 11),
             *(Header(name, 9 if len(name) > 4 else 7) for name in labels.QUALITY.values()),  # wide enough for "Trung bình"
             Header("Chỉ tiêu kết nạp", 9), Header("Đã kết nạp", 9), Header("Ghi chú", 14)]
    first, ncols = sheet.headers(TOP, heads)
    meetings = by_commune(data.meetings, data).to_dict("index")
    quality = by_commune(data.quality, data).to_dict("index")
    progress = by_commune(data.progress, data).to_dict("index")
    r = first
    for code, name in zip(data.communes["commune_code"], data.communes["commune_name"]):
        m, q, p = meetings[code], quality[code], progress[code]
        sheet.text(r, 0, name)
        values = [(m.get("i5_held_share"), "pct")] + \
                 [(q.get(k), "int") for k in theme.QUALITY] + \
                 [(p.get("target"), "int"), (p.get("admitted_ytd"), "int")]
        for c, (value, kind) in enumerate(values, start=1):
            if missing(value):
                sheet.ws.write_blank(r, c, None, book.fmt(kind))
            else:
                sheet.number(r, c, value, kind)
        reported = m.get("reported")
        sheet.text(r, 8, NOT_REPORTED if missing(reported) or not reported else "")
        r += 1
    last = r - 1
    sheet.finish(TOP, TOP, ncols, freeze_col=1)
    if last < first:
        return
    n = last - first + 1
    name = sheet.name
    height = max(320, 60 + 18 * n)  # bars readable at province size (130 communes)
    cats = [name, first, 0, last, 0]

    i5 = book.wb.add_chart({"type": "bar"})
    i5.add_series({"name": "Tỷ lệ chi bộ sinh hoạt thường kỳ", "categories": cats,
                   "values": [name, first, 1, last, 1], "fill": {"color": theme.MAIN},
                   "data_labels": {"value": True, "num_format": PCT}, "gap": 40})
    _style(i5, "Tỷ lệ chi bộ sinh hoạt thường kỳ theo đảng bộ (I5)", percent=True, n=n)
    i5.set_x_axis({"min": 0, "max": 1, "num_format": VI + "0%", "major_gridlines": {"visible": True}})

    qual = book.wb.add_chart({"type": "bar", "subtype": "percent_stacked"})
    for c, (key, color) in enumerate(theme.QUALITY.items(), start=2):
        qual.add_series({"name": [name, TOP, c], "categories": cats,
                         "values": [name, first, c, last, c], "fill": {"color": color},
                         "gap": 40})
    _style(qual, "Chất lượng sinh hoạt chi bộ theo đảng bộ (I10)", percent=True, n=n)

    rec = book.wb.add_chart({"type": "bar"})
    for c, color in ((6, theme.SECOND), (7, theme.MAIN)):
        rec.add_series({"name": [name, TOP, c], "categories": cats,
                        "values": [name, first, c, last, c], "fill": {"color": color},
                        "data_labels": {"value": True}, "gap": 60})
    _style(rec, "Kết nạp đảng viên so với chỉ tiêu (I11)", percent=False, n=n)

    row = TOP
    for chart in (i5, qual, rec):
        chart.set_size({"width": 760, "height": height})
        sheet.ws.insert_chart(row, ncols + 1, chart, {"x_offset": 10})
        row += round(height / 20) + 2  # rows are 20 px high


def _style(chart, title: str, percent: bool, n: int) -> None:
    chart.set_title({"name": title, "name_font": {"name": theme.PRINT_FONT, "size": 13}})
    chart.set_legend({"position": "bottom", "font": {"name": theme.PRINT_FONT}})
    # bar charts list categories bottom-up: reverse so the order matches the table
    # (and cross at the last category, or the value axis would move to the top)
    chart.set_y_axis({"reverse": True, "crossing": "max",
                      "num_font": {"name": theme.PRINT_FONT, "size": 9 if n > 40 else 10}})
    chart.show_blanks_as("gap")
    if percent:
        chart.set_x_axis({"num_format": VI + "0%"})
