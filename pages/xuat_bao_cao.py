"""Xuất báo cáo: the December summary of a year, as an Excel workbook and a Word report draft
(etl.outputs.export, the same indicator layer as the pages), for all communes or a chosen few."""
import streamlit as st

from etl import indicators, labels
from etl.access import audit
from etl.warehouse import db
from ui import auth, data, export, page, writes
from ui.markup import MESSAGE, md

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
YEAR, COMMUNES, RESULT = "xbc-nam", "xbc-dang-bo", "xbc-ket-qua"


def _build(year: int, communes: list[str]) -> export.Files | None:
    """Both files, once the export is in the audit trail (None, with a message, when it could not be)."""
    files = export.build(data.current().snap.path, year, communes)
    try:
        writes.write(lambda con: audit.record_export(con, year, communes, {files.xlsx_name: files.xlsx,
                                                                         files.docx_name: files.docx},
                                                   account=auth.current().name))
    except db.WarehouseBusy:
        st.error(writes.BUSY_VN)
        return None
    return files


def body():
    auth.require("export")
    f = page.start("Xuất báo cáo tổng hợp năm")
    if not f:
        return
    st.markdown("Tổng hợp chất lượng sinh hoạt chi bộ cả năm để báo cáo Ban Thường vụ: **bảng tính Excel** "
                "(các bảng số liệu, biểu đồ) và **dự thảo báo cáo Word** theo thể thức văn bản của Đảng. "
                "Số liệu lấy từ cùng lớp chỉ số với các trang của bảng điều khiển. Tệp tổng hợp cả năm chọn dưới "
                "đây, mọi loại chi bộ: bộ lọc tháng và loại chi bộ ở thanh bên không áp dụng cho tệp.")
    years = sorted({int(p[:4]) for p in data.available_periods()}, reverse=True)
    left, right = st.columns([1, 3])
    year = left.selectbox("Năm tổng hợp", years, index=years.index(f.year) if f.year in years else 0, key=YEAR)
    units = data.communes(indicators.Scope.for_year(year))
    names = dict(zip(units["commune_code"], units["commune_name"]))
    communes = right.multiselect("Đảng bộ", list(names), default=[c for c in f.communes if c in names],
                                 key=COMMUNES, format_func=lambda c: names.get(c, c), placeholder=labels.TOTAL)
    chosen = (year, tuple(communes))
    if st.button("Tạo tệp báo cáo", type="primary", icon=":material/summarize:", key="xbc-build"):
        with st.spinner("Đang tạo bảng tính và báo cáo Word (có vẽ biểu đồ, có thể mất vài chục giây)…"):
            files = _build(year, communes)
        if files is not None:
            st.session_state[RESULT] = (chosen, files)
    made = st.session_state.get(RESULT)
    if not made or made[0] != chosen:  # nothing made yet, or made for another choice
        st.caption("Chọn năm và đảng bộ (để trống là toàn Đảng bộ), rồi bấm **Tạo tệp báo cáo**.")
        return
    files = made[1]
    scope = "toàn Đảng bộ" if not communes else f"{len(communes)} đảng bộ"
    st.success(f"Đã tạo tệp tổng hợp năm {year} ({scope}).")
    for warning in files.warnings:
        st.warning(md(warning, MESSAGE))  # an unknown commune is named as given
    a, b = st.columns(2)
    a.download_button("Tải bảng tính Excel", files.xlsx, file_name=files.xlsx_name, mime=XLSX_MIME,
                      icon=":material/table_view:", key="xbc-xlsx", type="primary")
    b.download_button("Tải báo cáo Word", files.docx, file_name=files.docx_name, mime=DOCX_MIME,
                      icon=":material/description:", key="xbc-docx", type="primary")
    st.caption(f"{md(files.xlsx_name)} · {md(files.docx_name)}")


page.run(body)
