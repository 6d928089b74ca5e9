"""Streamlit's own English texts, shown in Vietnamese in the browser.

Streamlit writes some texts of its own that no page can set: its error dialogs ("Connection
error" when the server stops or restarts), the tables' toolbar, column menu and search box, and
the lists of the filters ("Select all", "No results"), the uploader's answer to a refused upload. The login page, which every session
passes, installs SCRIPT in the browser tab for the tab's life: an observer finds those texts by
their English and writes the Vietnamese into the same text node (never new nodes: React owns
them, and writes a text again only when its own value changes, which the observer sees); a
button's screen-reader label is replaced the same way. A dialog's body is a whole paragraph: the
dialog's title and body are marked instead, and CSS shows the Vietnamese in their place.
tests/test_browser.py checks what is shown, so a Streamlit upgrade that renames a text fails there.
"""
from __future__ import annotations

import json

from ui import streamlit_internals as internals
from ui import upload_guard

# a dialog, by its title: (title, body)
DIALOGS = {
    "Connection error": ("Mất kết nối với máy chủ",
                         "Máy chủ bảng điều khiển không trả lời. Trang sẽ tự nối lại khi máy chủ chạy trở lại "
                         "(khi đó cần đăng nhập lại); nếu chờ lâu vẫn không được, hãy báo quản trị viên."),
    "Bad message format": ("Lỗi dữ liệu từ máy chủ",
                           "Trình duyệt nhận được dữ liệu không đọc được. Hãy tải lại trang; nếu lỗi lặp lại, "
                           "hãy báo quản trị viên."),
    "Page not found": ("Không tìm thấy trang",
                       "Đường dẫn không trỏ tới trang nào của bảng điều khiển. Hãy chọn trang trong danh mục."),
}
# a text in a menu, a list, a tooltip or a table's search box (WHERE); also a button's
# screen-reader label (LABELLED: the part before a ": " and the element it acts on) and a filter
# box's placeholder
TEXTS = {
    "Show/hide columns": "Ẩn/hiện cột", "Search": "Tìm trong bảng",
    "Fullscreen": "Toàn màn hình", "Close fullscreen": "Thoát toàn màn hình",
    "Sort ascending": "Sắp xếp tăng dần", "Sort descending": "Sắp xếp giảm dần", "Statistics": "Thống kê",
    "Autosize": "Tự chỉnh độ rộng", "Pin column": "Ghim cột", "Unpin column": "Bỏ ghim cột",
    "Hide column": "Ẩn cột", "Copy column name": "Chép tên cột",
    "Values": "Số giá trị", "Empty": "Ô trống", "Distinct": "Số giá trị khác nhau",
    "Minimum length": "Độ dài ngắn nhất", "Maximum length": "Độ dài dài nhất", "Average length": "Độ dài trung bình",
    "Minimum": "Nhỏ nhất", "Maximum": "Lớn nhất", "Average": "Trung bình", "Median": "Trung vị", "Sum": "Tổng",
    "Standard deviation": "Độ lệch chuẩn",
    "Type to search": "Gõ để tìm", "over 1000": "hơn 1.000 kết quả",
    "Error:": "Lỗi:", "Select all": "Chọn tất cả", "No results": "Không có kết quả", "Clear all": "Bỏ chọn tất cả",
    "Clear value": "Xóa lựa chọn", "Choose an option": "Chọn một mục", "Choose options": "Chọn các mục",
}
# texts with a number in them: [regular expression, replacement]
PATTERNS = [
    [r"^(\d+) of (\d+) results?$", "$1/$2 kết quả"],
    [r"^(\d+) of over 1000$", "$1/hơn 1.000 kết quả"],
    [r"^(\d+) results?$", "$1 kết quả"],
    [r"^Select (\d+) matches$", "Chọn cả $1 mục tìm thấy"],
]
# an upload the server refused, by its HTTP status (ui.upload_guard): the uploader shows the status
STATUSES = {403: upload_guard.NOT_ADMITTED_VN, 413: upload_guard.TOO_MUCH_VN}
PATTERNS += [[rf"^(Error: )?AxiosError: Request failed with status code {status}$", text]
             for status, text in STATUSES.items()]
WHERE = ('[role="menu"], [role="listbox"], [data-baseweb="popover"], ' + internals.testid("stTooltipContent") + ', '
         + internals.testid("stDataFrameStatisticsMenu") + ', .gdg-search-status, '
         + internals.testid("stFileChip") + ' [role="alert"]')
LABELLED = 'button[kind="elementToolbar"][aria-label], [aria-label="Copy column name"], [aria-label^="Clear "]'

SCRIPT = """<script>if (!window.vnTexts) {
  const vn = window.vnTexts = %s;
  const patterns = vn.patterns.map(([re, to]) => [new RegExp(re), to]);
  const style = document.createElement('style');  // in the head: the login form's elements go
  style.textContent = '[data-vn] {font-size: 0 !important} '  // a dialog's title and body
    + '[data-vn]::after {content: attr(data-vn); font-size: var(--vn-size); line-height: 1.4}';
  document.head.appendChild(style);
  const mark = (el, text) => { if (el && el.dataset.vn !== text) {
    el.style.setProperty('--vn-size', getComputedStyle(el).fontSize); el.dataset.vn = text; } };
  const say = text => {
    if (vn.texts[text]) return vn.texts[text];
    for (const [re, to] of patterns) if (re.test(text)) return text.replace(re, to);
  };
  const translate = () => {
    document.querySelectorAll('section[role="dialog"] h2').forEach(h => {
      const d = vn.dialogs[h.textContent.trim()];
      if (d) { mark(h, d[0]); mark(h.nextElementSibling, d[1]); }
    });
    document.querySelectorAll(vn.where).forEach(root => {
      const walk = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
      for (let node = walk.nextNode(); node; node = walk.nextNode()) {
        const text = node.nodeValue.trim(), to = text && say(text);
        if (to) node.nodeValue = node.nodeValue.replace(text, to);
      }
    });
    document.querySelectorAll(vn.labelled).forEach(el => {
      const [what, ...on] = el.getAttribute('aria-label').split(': '), text = vn.texts[what];
      if (text) el.setAttribute('aria-label', [text, ...on].join(': '));
    });
    document.querySelectorAll('input[placeholder]').forEach(el => {
      const text = vn.texts[el.placeholder];
      if (text) el.placeholder = text;
    });
  };
  // React and plotly change the page in many small steps: translate once per frame, before it is drawn
  let queued = false;
  const soon = () => { if (!queued) { queued = true; requestAnimationFrame(() => { queued = false; translate(); }); } };
  new MutationObserver(soon).observe(document.body, {childList: true, subtree: true, characterData: true,
    attributeFilter: ['placeholder']});
}</script>""" % json.dumps({"dialogs": DIALOGS, "texts": TEXTS, "patterns": PATTERNS, "where": WHERE,
                            "labelled": LABELLED}, ensure_ascii=False)
