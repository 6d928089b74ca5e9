"""Dashboard entry: login, page list by role, shared sidebar filters (bound to the URL),
presentation mode.

Runs on every page view before the page itself: it opens the warehouse snapshot, checks the
session's account (ui.auth), draws the filters and leaves them in st.session_state for the page
(ui.filters.current()). Without a valid account only the login form is drawn; the page the URL
names is still resolved, so a copied link opens its page once signed in. An account that must
choose its own password first (the first administrator) gets that form instead of the pages.
"""
import streamlit as st

from etl import warehouse
from ui import auth, data, filters, login, password, present
from ui.page import navigation

warehouse.keep_private()  # under plain `streamlit run` too: the login file and snapshots it writes are private
presenting = filters.presenting()
st.set_page_config(page_title="Sinh hoạt chi bộ · Ban Tổ chức", page_icon=":material/groups:", layout="wide",
                   initial_sidebar_state="collapsed" if presenting else "expanded")

PAGES = [
    st.Page("pages/tong_quan.py", title="Tổng quan", icon=":material/dashboard:", url_path="", default=True),
    st.Page("pages/hoi_nghi_cap_uy.py", title="Hội nghị cấp ủy", icon=":material/gavel:", url_path="hoi-nghi-cap-uy"),
    st.Page("pages/sinh_hoat_chi_bo.py", title="Sinh hoạt chi bộ", icon=":material/calendar_month:",
            url_path="sinh-hoat-chi-bo"),
    st.Page("pages/chat_luong.py", title="Chất lượng sinh hoạt", icon=":material/star:", url_path="chat-luong"),
    st.Page("pages/phat_trien_dang_vien.py", title="Phát triển đảng viên", icon=":material/person_add:",
            url_path="phat-trien-dang-vien"),
    st.Page("pages/kiem_tra.py", title="Kiểm tra", icon=":material/fact_check:", url_path="kiem-tra"),
    st.Page("pages/chat_luong_so_lieu.py", title="Chất lượng số liệu", icon=":material/rule:",
            url_path="chat-luong-so-lieu"),
    st.Page("pages/nop_bao_cao.py", title="Nộp báo cáo", icon=":material/inbox:", url_path="nop-bao-cao"),
    st.Page("pages/tai_bao_cao.py", title="Tải báo cáo", icon=":material/upload_file:", url_path="tai-bao-cao"),
    st.Page("pages/xuat_bao_cao.py", title="Xuất báo cáo", icon=":material/summarize:", url_path="xuat-bao-cao"),
    st.Page("pages/trinh_chieu.py", title="Trình chiếu", icon=":material/slideshow:", url_path="trinh-chieu"),
    st.Page("pages/nhat_ky.py", title="Nhật ký hoạt động", icon=":material/history:", url_path="nhat-ky"),
    # Streamlit serves the default page at the root only ("/tong-quan" would be "Page not found"):
    # its own address is this copy of it, kept out of the menus.
    st.Page("pages/tong_quan.py", title="Tổng quan", icon=":material/dashboard:", url_path="tong-quan",
            visibility="hidden"),
]
# The pages shown only to accounts that may do one of these (each page checks again itself).
NEEDS = {"tai-bao-cao": ("upload", "upload_commune"), "xuat-bao-cao": ("export",), "nhat-ky": ("view_audit",)}

source = data.use(data.source())
if auth.gate(source.con) is None:
    navigation(PAGES, position="hidden")  # resolves the URL's page; it runs after the login
    login.form(source.con)
    st.stop()
auth.keep_in_browser()
if auth.current().must_change_password:  # the first administrator's printed password: nothing else first
    navigation(PAGES, position="hidden")
    auth.sidebar()
    password.change_form()
    st.stop()
mine = [p for p in PAGES if any(auth.may(a) for a in NEEDS.get(p.url_path, ("view_commune",)))]
page = navigation(mine, position="hidden" if presenting else "sidebar")
if not presenting:
    auth.sidebar()
try:
    filters.use(filters.sidebar())
except data.NoData:
    filters.use(None)
if presenting:
    present.apply([p for p in mine if p.visibility == "visible"])
    st.query_params["present"] = "1"
page.run()
