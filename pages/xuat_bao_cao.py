"""Xuất báo cáo: the summary of a period (a month, quarter, half-year or the December summary of a
year), as an Excel workbook and a Word report draft (etl.outputs.export, the same indicator layer
as the pages), for all communes or a chosen few. The period offered first is the last complete
month before today."""
from datetime import date

import streamlit as st

from etl import indicators, labels
from etl.access import audit
from etl.period import Period, last_complete_month, periods_of
from etl.warehouse import db
from ui import auth, data, export, page, writes
from ui.markup import MESSAGE, md

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
YEAR, PERIOD, COMMUNES, RESULT = "xbc-nam", "xbc-ky", "xbc-dang-bo", "xbc-ket-qua"


def _build(period: Period, communes: list[str]) -> export.Files | None:
    """The files, once the export is in the audit trail (None, with a message, when it could not be)."""
    files = export.build(data.current().snap.path, period, communes)
    try:
        made = {files.xlsx_name: files.xlsx, files.docx_name: files.docx}
        if files.briefing:
            made[files.briefing_name] = files.briefing
        writes.write(lambda con: audit.record_export(con, period, communes, made, account=auth.current().name))
    except db.WarehouseBusy:
        st.error(writes.BUSY_VN)
        return None
    return files


def body():
    auth.require("export")
    f = page.start("Xuất báo cáo tổng hợp")
    if not f:
        return
    st.markdown("Tổng hợp chất lượng sinh hoạt chi bộ một tháng, một quý, 6 tháng hoặc cả năm để báo cáo Ban "
                "Thường vụ: **bảng tính Excel** (các bảng số liệu, biểu đồ) và **dự thảo báo cáo Word** theo thể "
                "thức văn bản của Đảng. Số liệu lấy từ cùng lớp chỉ số với các trang của bảng điều khiển. Tệp "
                "tổng hợp kỳ chọn dưới đây, mọi loại chi bộ: bộ lọc tháng và loại chi bộ ở thanh bên không áp "
                "dụng cho tệp.")
    years = sorted({int(p[:4]) for p in data.available_periods()}, reverse=True)
    latest = last_complete_month(date.today())
    left, middle, right = st.columns([1, 2, 3])
    year = left.selectbox("Năm", years, index=years.index(f.year) if f.year in years else 0, key=YEAR)
    offered = periods_of(year)  # the same positions every year: a choice survives a change of year
    chosen_at = middle.selectbox("Kỳ tổng hợp", range(len(offered)), key=PERIOD,
                                 index=offered.index(latest) if latest in offered else 0,
                                 format_func=lambda k: offered[k].title)
    period = offered[chosen_at]
    units = data.communes(indicators.Scope(str(period.first), str(period.last)))
    names = dict(zip(units["commune_code"], units["commune_name"]))
    communes = right.multiselect("Đảng bộ", list(names), default=[c for c in f.communes if c in names],
                                 key=COMMUNES, format_func=lambda c: names.get(c, c), placeholder=labels.TOTAL)
    chosen = (period, tuple(communes))
    if st.button("Tạo tệp báo cáo", type="primary", icon=":material/summarize:", key="xbc-build"):
        with st.spinner("Đang tạo bảng tính và báo cáo Word (có vẽ biểu đồ, có thể mất vài chục giây)…"):
            files = _build(period, communes)
        if files is not None:
            st.session_state[RESULT] = (chosen, files)
    made = st.session_state.get(RESULT)
    if not made or made[0] != chosen:  # nothing made yet, or made for another choice
        st.caption("Chọn năm, kỳ và đảng bộ (để trống là toàn Đảng bộ), rồi bấm **Tạo tệp báo cáo**.")
        return
    files = made[1]
    scope = "toàn Đảng bộ" if not communes else f"{len(communes)} đảng bộ"
    st.success(f"Đã tạo tệp tổng hợp {period.name} ({scope}).")
    for warning in files.warnings:
        st.warning(md(warning, MESSAGE))  # an unknown commune is named as given
    a, b, c = st.columns(3)
    a.download_button("Tải bảng tính Excel", files.xlsx, file_name=files.xlsx_name, mime=XLSX_MIME,
                      icon=":material/table_view:", key="xbc-xlsx", type="primary")
    b.download_button("Tải báo cáo Word", files.docx, file_name=files.docx_name, mime=DOCX_MIME,
                      icon=":material/description:", key="xbc-docx", type="primary")
    names = [files.xlsx_name, files.docx_name]
    if files.briefing:  # a month: the one-page briefing for the standing committee's meeting
        c.download_button("Tải bản tóm tắt 1 trang", files.briefing, file_name=files.briefing_name, mime=DOCX_MIME,
                          icon=":material/article:", key="xbc-tom-tat")
        names.append(files.briefing_name)
    st.caption(" · ".join(md(name) for name in names))


page.run(body)
