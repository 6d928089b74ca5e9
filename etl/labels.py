"""The Vietnamese names the dashboard and the exports give to codes and to missing figures, kept
together for review: not reported, the total row, quality levels and year-end ratings, report
and finding statuses, workbook kinds, the reasons a commune needs attention, the data-quality
rules and the columns of a list of their flags.

The words of the forms themselves (header aliases, the list values a workbook may hold) belong to
etl/ingest/forms/spec.py; a label that is the same word is derived from there (the first
spelling the spec lists for a code), so a form and its display cannot drift apart.
"""
from __future__ import annotations

from etl.ingest.forms import spec

NOT_REPORTED = "Chưa báo cáo"  # a unit without a report: said in words, never shown as 0
TOTAL = "Toàn Đảng bộ"         # the whole organisation: every commune
SUBTOTAL = "Tổng cộng"         # a page's total row of the communes shown, when not every commune
SELECTED_TOTAL = "Cộng các đảng bộ được chọn"  # the same in the December export's tables
SELECTED = "Các đảng bộ được chọn"  # the subject of the export's sentences about those communes
NO_TARGET = "Chưa có chỉ tiêu"   # a commune given no recruitment target for the year: not a target of 0


def total_name(whole: bool, part: str = SUBTOTAL) -> str:
    """The name of a total row or line: TOTAL only when it sums every commune (`whole`), else
    `part`: with communes selected, or for an account that sees one commune, a figure under the
    whole organisation's name would be another one's."""
    return TOTAL if whole else part


# the spec's own words, shown as they are written in the forms
QUALITY = spec.first_names(spec.QUALITY)          # tot -> Tốt, kha -> Khá, trung_binh -> Trung bình, kem -> Kém
GOOD_OR_BETTER = "Đạt khá trở lên"               # I10's share: Tốt + Khá of the rated meetings
ORG_RATINGS = spec.first_names(spec.ORG_RATINGS)  # xuat_sac -> Hoàn thành xuất sắc nhiệm vụ, ...
FINDING_STATUS = spec.first_names(spec.STATUSES)  # open -> Chưa khắc phục, ...
CATEGORIES = spec.CATEGORIES  # inspection finding categories: code -> name

# a checked file's kind, as the upload table, the audit trail and the loader's messages name it
KINDS = {"monthly": "Báo cáo tháng", "registry": "Danh mục đơn vị", "targets": "Chỉ tiêu kết nạp",
         "inspections": "Sổ theo dõi kiểm tra"}

# what became of a checked file (FileResult.status) and how serious a problem is (Problem.severity),
# as the upload page shows them; the command line prints the statuses in capitals
FILE_STATUS = {"loaded": "Đã nạp", "unchanged": "Không thay đổi", "rejected": "Bị từ chối", "checked": "Hợp lệ"}
SEVERITY = {"error": "Lỗi", "warning": "Cảnh báo"}

# a commune's monthly report in a month (indicators.submissions' status)
SUBMISSION = {"on_time": "Đúng hạn", "late": "Nộp muộn", "missing": NOT_REPORTED, "pending": "Chưa đến hạn"}
# the same, short enough for twelve month columns on one A4 width (the cell's fill says it too),
# and the workbook's legend that spells each out
SUBMISSION_SHORT = {"on_time": "Đúng", "late": "Muộn", "missing": "Chưa", "pending": "Chờ"}
SUBMISSION_LEGEND = {"on_time": "nộp đúng hạn", "late": "nộp sau hạn", "missing": "quá hạn, chưa nộp",
                     "pending": "chưa đến hạn nộp"}

# why a commune needs attention (indicators.attention), the most serious first
ATTENTION = {"not_reported": "Chưa nộp báo cáo", "i5_below": "Sinh hoạt chi bộ thấp",
             "behind_pace": "Kết nạp chậm tiến độ", "overdue_findings": "Hạn chế quá hạn khắc phục",
             "quality_flags": "Số liệu bất thường"}

# the data-quality rules (etl/warehouse/sql/quality): short names a commune understands; the full
# wording is each flag's message
QUALITY_RULES = {
    "members_unexplained_change": "Số đảng viên thay đổi không khớp biến động",
    "outlier": "Số liệu khác thường so với các tháng trước",
    "copied_report": "Báo cáo giống hệt tháng trước",
    "branch_count_change": "Số chi bộ báo cáo khác danh mục",
}
# a list of flags (the page Chất lượng số liệu, the export's sheet): the headers of its columns
# (indicators.data_quality's), and the branch cell of a commune-level flag
QUALITY_COLUMNS = {"commune_name": "Đảng bộ", "branch_name": "Chi bộ", "period": "Tháng", "rule": "Cảnh báo",
                   "field": "Số liệu", "value": "Tháng này", "previous_value": "Tháng trước",
                   "expected": "Lẽ ra / thường là", "source_file": "Tệp", "sheet": "Trang tính", "cell": "Ô",
                   "message": "Nội dung", "verified": "Đã xác minh"}
WHOLE_COMMUNE = "(cả đảng bộ)"
