"""Tải báo cáo: upload workbooks, see their problems (sheet, cell, column), load those that
pass, and download a pre-filled monthly template. The work runs through `python -m etl` in a
subprocess (ui/upload.py): uploads are written by the loader's process, never by the dashboard's
(ui/writes.py)."""
from __future__ import annotations

import tempfile
from datetime import date

import streamlit as st

from etl import indicators, labels, theme
from etl import vnformat as vn
from etl.access import rights
from etl.warehouse import db
from ui import auth, data, page, upload
from ui import streamlit_internals as internals
from ui.markup import MESSAGE, md

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SEVERITY_COLORS = {labels.SEVERITY["error"]: f"background-color: {theme.ERROR_BG}; color: {theme.MAIN}",
                   labels.SEVERITY["warning"]: f"background-color: {theme.WARNING_BG}; color: {theme.WARNING_INK}"}
RESULT_COLORS = {labels.FILE_STATUS[status]: style for status, style in (
    ("checked", f"color: {theme.GOOD}"), ("loaded", f"color: {theme.GOOD}"), ("unchanged", f"color: {theme.MUTED}"),
    ("rejected", f"color: {theme.MAIN}; font-weight: 600"))}

# Streamlit writes its uploader's button, hint and drop text in English: the same places in
# Vietnamese (the English stays only in labels a screen reader reads)
UPLOADER_VN = {
    f'{internals.testid("stFileUploaderDropzone")} {internals.testid("stBaseButton-secondary")} p': "Chọn tệp",
    f'{internals.testid("stFileUploaderDropzoneInstructions")} span': "Kéo thả tệp vào đây hoặc bấm Chọn tệp",
    f'{internals.testid("stFileUploaderDropzone")} {internals.UPLOADER_DROP_TEXT}': "Thả tệp vào đây",
}
UPLOADER_CSS = "<style>" + "".join(
    f"{where} {{font-size: 0}} {where}::after {{content: '{text}'; font-size: 14px; line-height: 1.6}}"
    for where, text in UPLOADER_VN.items()) + "</style>"


def _names(scope: indicators.Scope = indicators.Scope("2000-01", "2099-12")) -> dict[str, str]:
    """Commune code -> name of the communes active in `scope`, from the snapshot (empty before
    the unit registry is loaded)."""
    try:
        units = data.communes(scope)
    except data.NoData:
        return {}
    return dict(zip(units["commune_code"], units["commune_name"]))


def _files_table(outcome: upload.Outcome, names: dict[str, str], key: str) -> None:
    df = upload.files_table(outcome, lambda c: names.get(c, c), vn.month)
    st.dataframe(df.style.map(lambda v: RESULT_COLORS.get(v, ""), subset=["Kết quả"]),
                 hide_index=True, width="stretch", key=key)


def _held_back(outcome: upload.Outcome) -> None:
    """The files the page's own limits kept back, each with the page's reason: not checked."""
    if outcome.held_back:
        st.warning("\n".join(f"- {md(u.held_back, MESSAGE)}" for u in outcome.held_back))


def _problems(outcome: upload.Outcome, key: str) -> None:
    df = upload.problems_table(outcome)
    if df.empty:
        return
    errors = int((df["Mức độ"] == labels.SEVERITY["error"]).sum())
    warnings = len(df) - errors
    st.markdown(f"**Danh sách vấn đề:** {vn.number(errors)} lỗi (tệp bị từ chối, không nạp gì), "
                f"{vn.number(warnings)} cảnh báo (vẫn nạp được, nên kiểm tra lại).")
    st.dataframe(df.style.map(lambda v: SEVERITY_COLORS.get(v, ""), subset=["Mức độ"]), hide_index=True,
                 width="stretch", key=f"{key}-table",
                 column_config={"Nội dung": st.column_config.TextColumn(width="large")})
    st.download_button("Tải danh sách vấn đề (Excel)", page.excel_bytes(df, "Vấn đề"),
                       file_name="danh-sach-van-de.xlsx", mime=XLSX_MIME, key=f"{key}-xlsx",
                       icon=":material/download:")


def _uploader() -> list:
    round_ = st.session_state.setdefault("upload_round", 0)
    st.html(UPLOADER_CSS)
    files = st.file_uploader(
        f"Chọn tệp báo cáo (.xlsx, .xlsm, .xls; tối đa {upload.MAX_MB} MB mỗi tệp, {upload.MAX_FILES} tệp và "
        f"{upload.MAX_TOTAL_MB} MB mỗi lần)",
        type=[e.lstrip(".") for e in upload.EXTENSIONS], accept_multiple_files=True,
        max_upload_size=upload.MAX_MB, key=f"upload-files-{round_}",
        help="Báo cáo tháng của các đảng bộ, danh mục đơn vị, chỉ tiêu kết nạp, sổ theo dõi kiểm tra. "
             "Loại biểu được nhận ra từ tiêu đề cột, không từ tên tệp.")
    return files or []


def _own() -> str | None:
    """The only commune whose reports this account may load (None: any file)."""
    return rights.upload_commune(auth.current())


def _check(files, target) -> upload.Outcome:
    """Check the uploaded files once per selection (the result is kept while it is unchanged)."""
    signature = tuple((f.file_id, f.name, f.size) for f in files)
    kept = st.session_state.get("upload_check")
    if kept and kept[0] == signature:
        return kept[1]
    with st.spinner(f"Đang kiểm tra {vn.number(len(files))} tệp…"), tempfile.TemporaryDirectory() as folder:
        uploads = upload.save(((f.name, f) for f in files), folder)
        outcome = upload.check(uploads, target, _own())
    if not outcome.error:  # a busy warehouse is asked again on the next run
        st.session_state["upload_check"] = (signature, outcome)
    return outcome


def _load(files, target, received_on: date | None) -> upload.Outcome:
    """Save again and check again (the registry may have changed since), load what passes; the
    loader records every other file as rejected."""
    with tempfile.TemporaryDirectory() as folder:
        uploads = upload.save(((f.name, f) for f in files), folder)
        return upload.check_and_load(uploads, target, received_on, account=auth.current().name, commune=_own())


def _upload_section(names: dict[str, str]) -> None:
    target = db.db_path()
    done = st.session_state.pop("upload_done", None)
    if done:
        outcome, when = done
        if outcome.error:
            st.error(md(outcome.error, MESSAGE))  # the command's last line: it may name a file or a unit
        else:
            n = {s: len(outcome.names(s)) for s in ("loaded", "unchanged", "rejected")}
            summary = (f"Đã nạp {vn.number(n['loaded'])} tệp, {vn.number(n['unchanged'])} tệp không thay đổi, "
                       f"{vn.number(n['rejected'])} tệp bị từ chối (ngày nhận {when}).")
            if n["loaded"]:
                st.success(summary + " Các trang đã dùng dữ liệu mới.")
            else:
                st.warning(summary + " Kho dữ liệu không thay đổi.")
            _files_table(outcome, names, "upload-done-files")
            _held_back(outcome)
            _problems(outcome, "upload-done-problems")
        st.divider()
    files = _uploader()
    if not files:
        # the server's file path is the board's business only
        where = f" Kho dữ liệu: `{target}`." if auth.may("upload") else ""
        st.caption("Tệp được kiểm tra ngay khi tải lên; chỉ tệp không có lỗi mới được nạp vào kho dữ liệu." + where)
        return
    outcome = _check(files, target)
    if outcome.error:
        st.error(md(outcome.error, MESSAGE))
        st.button("Kiểm tra lại", icon=":material/refresh:", key="upload-recheck")
        return
    chosen = upload.worth_loading(outcome)
    st.subheader("Kết quả kiểm tra")
    _files_table(outcome, names, "upload-check-files")
    _held_back(outcome)
    _problems(outcome, "upload-check-problems")
    if len(chosen) > len(outcome.names("checked")):
        st.info("Có tệp danh mục đơn vị hợp lệ: khi nạp, danh mục được nạp trước, rồi các báo cáo chỉ lỗi vì "
                "đơn vị chưa có trong danh mục được kiểm tra lại.")
    rejected = len(outcome.files) - len(chosen)
    if rejected:
        st.warning(f"{vn.number(rejected)} tệp có lỗi sẽ không được nạp. Sửa đúng ô được nêu trong danh sách "
                   "rồi tải tệp lên lại.")
    left, right = st.columns([1, 2], vertical_alignment="bottom")
    # The receipt day decides whether a report was on time (I15): only the board may say it was
    # received earlier (back-loading old reports); a commune's upload is received when it loads.
    board = auth.may("upload")
    if board:
        received = left.date_input("Ngày nhận báo cáo", value=date.today(), max_value=date.today(),
                                   format="DD/MM/YYYY", key="upload-received-on",
                                   help="Để mặc định là hôm nay (ghi thời điểm nạp). Chọn ngày khác khi nạp bổ sung "
                                        "báo cáo cũ: ngày nhận quyết định báo cáo đúng hạn hay muộn.")
    else:
        received = date.today()
        left.caption("Ngày nhận báo cáo là thời điểm nạp.")
    # never disabled: a click with no valid file still records the rejected ones in the audit trail
    clicked = right.button(f"Nạp {vn.number(len(chosen))} tệp vào kho dữ liệu", type="primary",
                           icon=":material/database_upload:", key="upload-load")
    if clicked:
        day = received if board and received != date.today() else None
        with st.spinner("Đang nạp vào kho dữ liệu (nếu kho đang bận, chờ tối đa 30 giây)…"):
            outcome = _load(files, target, day)
        st.session_state["upload_done"] = (outcome, vn.day(received))
        if not outcome.error:
            st.session_state["upload_round"] += 1  # a fresh, empty uploader
            st.session_state.pop("upload_check", None)
        st.rerun()


def _template_section(names: dict[str, str]) -> None:
    st.subheader("Tải mẫu báo cáo tháng")
    if not names:
        st.info("Chưa có danh mục đơn vị trong kho dữ liệu: hãy nạp tệp Danh mục đơn vị trước, rồi tải mẫu.")
        return
    today = date.today()
    months = []
    y, m = today.year, today.month
    for _ in range(24):  # this month and the 23 before it, newest first
        months.append(f"{y:04d}-{m:02d}")
        y, m = (y - 1, 12) if m == 1 else (y, m - 1)
    a, b, c = st.columns([1, 2, 1], vertical_alignment="bottom")
    month = a.selectbox("Tháng báo cáo", months, index=1, format_func=vn.month, key="template-month")
    names = _names(indicators.Scope(month, month)) or names  # the communes active that month
    commune = b.selectbox("Đảng bộ", list(names), format_func=lambda code: names.get(code, code),
                          key="template-commune")
    if c.button("Tạo mẫu", icon=":material/description:", key="template-make"):
        with st.spinner("Đang tạo mẫu…"):
            content, message = upload.template(db.db_path(), commune, month)
        st.session_state["template"] = (commune, month, content, message)
    made = st.session_state.get("template")
    if made and made[:2] == (commune, month):
        if made[2] is None:
            st.error(md(made[3], MESSAGE))
        else:
            st.download_button(f"Tải mẫu {md(names.get(commune, commune))} – {vn.month(month)}", made[2],
                               file_name=f"bao-cao-thang-{month}-{page.slug(names.get(commune, commune))}.xlsx",
                               mime=XLSX_MIME, type="primary", icon=":material/download:", key="template-download")
    st.caption("Mẫu có sẵn danh sách chi bộ của đảng bộ trong tháng đã chọn; điền xong có thể tải lên ngay.")


def body():
    auth.require("upload", "upload_commune")
    st.title("Tải báo cáo")
    st.caption("Tải lên báo cáo tháng của các đảng bộ và các danh mục; xem lỗi theo trang tính, ô, cột; "
               "nạp các tệp hợp lệ vào kho dữ liệu.")
    names = _names()
    _upload_section(names)
    st.divider()
    _template_section(names)


page.run(body)
