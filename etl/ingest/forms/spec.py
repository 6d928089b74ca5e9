"""The forms of SPEC §1, declared as data: each table's fields, header aliases, types and lists.

Aliases are written as people write them; they are compared through `text.header_key`
(no diacritics, abbreviations ĐV/SH/CB/UV expanded), so case, spacing, line breaks and
tone marks never matter here. A two-row header under a merged group cell is matched as
"group + sub-header" (e.g. "Sinh hoạt thường kỳ" over "Ngày").
"""
from __future__ import annotations

from dataclasses import dataclass, field

# Field types
TEXT, INT, DATE, BOOL, CHOICE, UNIT = "text", "int", "date", "bool", "choice", "unit"

# What a yes/no column offers in the blank template; text.parse_yes_no reads many more ways of ticking.
YES_NO = ("Có", "Không")

BODIES = {
    "Ban Chấp hành": "BCH", "BCH": "BCH", "Đảng ủy": "BCH", "Hội nghị đảng ủy": "BCH",
    "Ban Chấp hành Đảng bộ": "BCH", "Hội nghị Ban Chấp hành": "BCH",
    "Ban Thường vụ": "BTV", "BTV": "BTV", "Ban Thường vụ Đảng ủy": "BTV",
    "Thường trực": "TT", "TT": "TT", "Thường trực Đảng ủy": "TT",
}
FORMS_OF_MEETING = {"Thường kỳ": True, "Bất thường": False, "TK": True, "BT": False}
QUALITY = {"Tốt": "tot", "Khá": "kha", "Trung bình": "trung_binh", "TB": "trung_binh", "Kém": "kem"}
ORG_RATINGS = {
    "Hoàn thành xuất sắc nhiệm vụ": "xuat_sac", "HTXSNV": "xuat_sac",
    "Hoàn thành tốt nhiệm vụ": "tot", "HTTNV": "tot",
    "Hoàn thành nhiệm vụ": "hoan_thanh", "HTNV": "hoan_thanh",
    "Không hoàn thành nhiệm vụ": "khong_hoan_thanh", "KHTNV": "khong_hoan_thanh",
}
COMMUNE_KINDS = {"Xã": "Xã", "Thị trấn": "Thị trấn", "Phường": "Phường", "Đặc khu": "Đặc khu"}
BRANCH_KINDS = {k: k for k in (
    "Thôn", "Tổ dân phố", "Cơ quan", "Trường học", "Y tế", "Công an", "Quân sự",
    "Doanh nghiệp", "Khác")}
STATUSES = {"Chưa khắc phục": "open", "Đang khắc phục": "in_progress", "Đã khắc phục": "resolved"}
CATEGORIES = {
    "BIEN_BAN": "Biên bản hội nghị sơ sài",
    "KET_LUAN": "Không ban hành kết luận/nghị quyết sau hội nghị",
    "SO_GHI_CHEP": "Chưa mở đủ sổ ghi chép hội nghị, giao ban",
    "QUY_CHE": "Chậm rà soát, sửa đổi Quy chế làm việc",
    "TAO_NGUON": "Chưa có kế hoạch, biện pháp tạo nguồn, phát triển đảng",
    "SO_DANG_VIEN": "Sổ sách công tác đảng viên chưa đầy đủ",
    "HUONG_DAN_CB": "Chưa quan tâm hướng dẫn, kiểm tra sinh hoạt chi bộ",
    "CHUYEN_DE": "Sinh hoạt chuyên đề chưa đảm bảo",
    "KHAC": "Khác",
}
CATEGORY_CHOICES = {**{code: code for code in CATEGORIES}, **{n: c for c, n in CATEGORIES.items()}}


def first_names(names: dict) -> dict:
    """value -> its first name in `names` (name -> value), in the order it lists them: the first
    spelling of each value is the one templates offer, messages suggest and pages show."""
    first: dict = {}
    for name, value in names.items():
        first.setdefault(value, name)
    return first


def labels(names: dict) -> list[str]:
    """One name per value of `names`, its first spelling (first_names), in the order listed."""
    return list(first_names(names).values())


@dataclass(frozen=True)
class Field:
    key: str
    header: str  # the SPEC header, used in messages and templates
    kind: str = TEXT
    required: bool = False
    when_held: bool = False  # required only when the branch meeting was held
    aliases: tuple[str, ...] = ()
    choices: dict | None = None
    default: object = None
    summable: bool = False  # cross-checked against a totals row
    minimum: int = 0  # INT: the least valid value (the template's validation; below 0 is `negative`)
    width: float | None = None  # column width in the blank template; None: fitted to the header

    @property
    def names(self) -> tuple[str, ...]:
        return (self.header, *self.aliases)


@dataclass(frozen=True, eq=False)  # compared and hashed by identity: forms are module constants
class Form:
    key: str  # table name in the loader's result
    kind: str  # workbook kind: monthly | registry | targets | inspections
    title: str  # Vietnamese name of the sheet, for messages
    fields: tuple[Field, ...]
    anchors: tuple[str, ...]  # field keys that must all be found to recognise the table
    unit_field: str | None = None  # the field naming a branch: duplicates are checked on it
    # Filled from `fields`, never passed: dataclasses.replace(form, fields=...) gets its own.
    fields_by_key: dict = field(default_factory=dict, init=False, compare=False, repr=False)

    def __post_init__(self):
        self.fields_by_key.update({f.key: f for f in self.fields})


def _count(key, header, *aliases, width=None):
    return Field(key, header, INT, default=0, aliases=aliases, summable=True, width=width)


COMMITTEE = Form("committee_meetings", "monthly", "1. Hội nghị cấp ủy", (
    Field("meeting_date", "Ngày họp", DATE, width=13, required=True,
          aliases=("Ngày hội nghị", "Ngày tổ chức", "Thời gian họp", "Ngày họp hội nghị")),
    Field("body", "Hội nghị", CHOICE, width=16, required=True, choices=BODIES,
          aliases=("Loại hội nghị", "Cấp họp", "Hội nghị cấp ủy", "Cơ quan họp")),
    Field("regular", "Hình thức", CHOICE, width=12, choices=FORMS_OF_MEETING, default=True,
          aliases=("Hình thức hội nghị", "Thường kỳ/Bất thường", "Hình thức họp")),
    Field("members_total", "Số ủy viên", INT, width=9, minimum=1, required=True,
          aliases=("Tổng số ủy viên", "Số cấp ủy viên", "Số ủy viên hiện có", "Tổng số UV")),
    Field("members_present", "Số có mặt", INT, width=9, required=True,
          aliases=("Số ủy viên có mặt", "Có mặt", "Số ủy viên dự", "Số UV có mặt", "Số dự")),
    Field("conclusion_issued", "Ban hành nghị quyết/kết luận", BOOL, width=15, required=True,
          aliases=("Ban hành nghị quyết, kết luận", "Ban hành kết luận", "Ban hành nghị quyết",
                   "Có ban hành nghị quyết/kết luận", "Nghị quyết/kết luận",
                   "Ban hành nghị quyết/kết luận Có/Không")),
    Field("conclusion_ref", "Số hiệu văn bản", width=15, aliases=(
        "Số hiệu", "Số văn bản", "Số hiệu nghị quyết/kết luận", "Ban hành nghị quyết/kết luận Số hiệu",
        "Ban hành nghị quyết/kết luận Số hiệu văn bản", "Số, ký hiệu văn bản", "Số ký hiệu")),
    Field("conclusion_date", "Ngày ban hành", DATE, width=13, aliases=(
        "Ngày ban hành văn bản", "Ngày ban hành nghị quyết/kết luận",
        "Ban hành nghị quyết/kết luận Ngày ban hành", "Ban hành nghị quyết/kết luận Ngày")),
    Field("upper_attended", "Cấp ủy cấp trên dự", BOOL, width=11, aliases=(
        "Cấp ủy viên cấp trên dự", "Cấp trên dự", "Đại biểu cấp trên dự")),
    Field("note", "Ghi chú", width=22),
), anchors=("meeting_date", "body", "members_present"))

BRANCH_MEETINGS = Form("branch_meetings", "monthly", "2. Sinh hoạt chi bộ", (
    Field("branch_code", "Mã chi bộ", width=11, aliases=("Mã CB", "Mã đơn vị")),
    Field("branch_name", "Tên chi bộ", UNIT, width=28, required=True, aliases=(
        "Chi bộ", "Tên CB", "Tên đơn vị", "Đơn vị", "Chi bộ trực thuộc")),
    Field("members_total", "Tổng số đảng viên", INT, width=10, required=True, summable=True, aliases=(
        "Số đảng viên", "Tổng số ĐV", "Tổng số đảng viên của chi bộ", "Đảng viên", "Tổng số")),
    Field("members_exempt", "Số đảng viên được miễn sinh hoạt", INT, width=12, default=0, summable=True, aliases=(
        "Số đảng viên miễn sinh hoạt", "Được miễn sinh hoạt", "Miễn sinh hoạt", "Số ĐV miễn SH",
        "Đảng viên được miễn sinh hoạt", "Số miễn sinh hoạt", "Số được miễn")),
    Field("held", "Sinh hoạt thường kỳ", BOOL, width=11, required=True, aliases=(
        "Sinh hoạt thường kỳ Có/Không", "Có sinh hoạt thường kỳ", "Sinh hoạt thường kỳ Có sinh hoạt",
        "Sinh hoạt thường kỳ Tổ chức", "Tổ chức sinh hoạt thường kỳ", "Sinh hoạt thường kỳ Có",
        "SH thường kỳ")),
    Field("meeting_date", "Ngày sinh hoạt", DATE, width=13, when_held=True, aliases=(
        "Sinh hoạt thường kỳ Ngày", "Sinh hoạt thường kỳ Ngày sinh hoạt", "Ngày sinh hoạt thường kỳ",
        "Ngày SH", "Sinh hoạt thường kỳ Ngày tổ chức", "Ngày tổ chức")),
    Field("members_attended", "Số đảng viên dự", INT, width=10, when_held=True, summable=True, aliases=(
        "Số đảng viên dự sinh hoạt", "Đảng viên dự", "Số dự", "Số ĐV dự SH", "Số đảng viên tham dự",
        "Sinh hoạt thường kỳ Số đảng viên dự", "Sinh hoạt thường kỳ Số dự", "Dự sinh hoạt")),
    Field("thematic", "Sinh hoạt chuyên đề", BOOL, width=11, default=False, aliases=(
        "Sinh hoạt chuyên đề Có/Không", "Có sinh hoạt chuyên đề", "SH chuyên đề", "Chuyên đề")),
    Field("thematic_topic", "Chủ đề chuyên đề", width=22, aliases=(
        "Sinh hoạt chuyên đề Chủ đề", "Sinh hoạt chuyên đề Chủ đề chuyên đề", "Chủ đề",
        "Nội dung chuyên đề", "Sinh hoạt chuyên đề Nội dung", "Tên chuyên đề")),
    Field("upper_attended", "Cấp ủy viên cấp trên dự", BOOL, width=11, default=False, aliases=(
        "Cấp ủy cấp trên dự", "Cấp trên dự", "UV cấp trên dự", "Đảng ủy viên dự",
        "Cấp ủy viên cấp trên dự sinh hoạt")),
    Field("quality", "Tự đánh giá chất lượng", CHOICE, width=13, when_held=True, choices=QUALITY, aliases=(
        "Chất lượng", "Đánh giá chất lượng", "Tự đánh giá chất lượng sinh hoạt", "Xếp loại chất lượng",
        "Chất lượng sinh hoạt", "Tự đánh giá", "Tự xếp loại chất lượng")),
    Field("note", "Ghi chú", width=16),
), anchors=("branch_name", "held"), unit_field="branch_name")

RECRUITMENT = Form("recruitment", "monthly", "3. Phát triển đảng viên", (
    Field("branch_name", "Tên chi bộ", UNIT, width=28, required=True, aliases=(
        "Chi bộ", "Tên CB", "Tên đơn vị", "Đơn vị", "Chi bộ trực thuộc")),
    _count("sources_trained", "Quần chúng học lớp nhận thức về Đảng",
           "Quần chúng học lớp nhận thức về đảng", "Học lớp nhận thức về Đảng", "Nguồn học lớp nhận thức",
           "Quần chúng ưu tú học lớp nhận thức về Đảng", "Số quần chúng học lớp nhận thức về Đảng", width=15),
    _count("admitted", "Kết nạp mới", "Kết nạp", "Số kết nạp", "Kết nạp đảng viên mới", "Số đảng viên kết nạp mới",
           width=11),
    _count("confirmed_official", "Công nhận chính thức", "Công nhận đảng viên chính thức", "Chuyển chính thức",
           width=12),
    _count("transferred_in", "Chuyển đến", "Chuyển sinh hoạt đến", "Số chuyển đến", width=11),
    _count("transferred_out", "Chuyển đi", "Chuyển sinh hoạt đi", "Số chuyển đi", width=11),
    _count("deceased", "Từ trần", "Chết", "Qua đời", width=10),
    _count("removed", "Xóa tên, khai trừ, ra khỏi Đảng", "Xóa tên, khai trừ", "Xóa tên/khai trừ/ra khỏi Đảng",
           "Xoá tên, khai trừ, ra khỏi Đảng", "Ra khỏi Đảng", width=14),
    Field("working_away", "Đảng viên đi làm ăn xa", INT, width=12, default=0, aliases=(
        "Đi làm ăn xa", "Số đảng viên đi làm ăn xa", "ĐV đi làm ăn xa")),
), anchors=("branch_name", "admitted"), unit_field="branch_name")

_LEVELS = (("members_xuat_sac", "Hoàn thành xuất sắc nhiệm vụ", "HTXSNV"),
           ("members_tot", "Hoàn thành tốt nhiệm vụ", "HTTNV"),
           ("members_hoan_thanh", "Hoàn thành nhiệm vụ", "HTNV"),
           ("members_khong_hoan_thanh", "Không hoàn thành nhiệm vụ", "KHTNV"))

ANNUAL_RATINGS = Form("annual_ratings", "monthly", "4. Xếp loại cuối năm", (
    Field("branch_name", "Tên chi bộ", UNIT, width=28, required=True, aliases=("Chi bộ", "Tên CB", "Đơn vị")),
    Field("org_rating", "Xếp loại tổ chức đảng", CHOICE, width=30, required=True, choices=ORG_RATINGS, aliases=(
        "Xếp loại chi bộ", "Xếp loại tổ chức", "Kết quả xếp loại tổ chức đảng", "Xếp loại TCĐ")),
    *(_count(key, name, abbr, f"Xếp loại đảng viên {name}", f"Xếp loại đảng viên {abbr}",
             f"Số đảng viên {name}", f"Đảng viên {name}", width=15)
      for key, name, abbr in _LEVELS),
), anchors=("branch_name", "org_rating"), unit_field="branch_name")

REGISTRY_COMMUNES = Form("communes", "registry", "Đảng bộ", (
    Field("code", "Mã", required=True, aliases=("Mã đảng bộ", "Mã đơn vị")),
    Field("name", "Tên", required=True, aliases=("Tên đảng bộ", "Tên đơn vị")),
    Field("kind", "Loại", CHOICE, choices=COMMUNE_KINDS, default="Xã", aliases=("Loại đơn vị", "Loại hình")),
    Field("valid_from", "Hiệu lực từ", DATE, aliases=("Từ ngày",)),
    Field("valid_to", "Hiệu lực đến", DATE, aliases=("Đến ngày",)),
    Field("merged_into", "Sáp nhập vào", aliases=("Hợp nhất vào", "Mã đơn vị sáp nhập")),
    Field("aliases", "Tên khác", aliases=("Tên gọi khác", "Cách viết khác")),
), anchors=("code", "name"))

REGISTRY_BRANCHES = Form("branches", "registry", "Chi bộ", (
    Field("code", "Mã chi bộ", required=True, aliases=("Mã CB",)),
    Field("name", "Tên chi bộ", required=True, aliases=("Tên CB",)),
    Field("commune_code", "Mã đảng bộ", required=True, aliases=("Mã ĐB", "Đảng bộ")),
    Field("kind", "Loại chi bộ", CHOICE, choices=BRANCH_KINDS, default="Khác", aliases=("Loại", "Loại hình")),
    Field("valid_from", "Hiệu lực từ", DATE, aliases=("Từ ngày",)),
    Field("valid_to", "Hiệu lực đến", DATE, aliases=("Đến ngày",)),
    Field("aliases", "Tên khác", aliases=("Tên gọi khác", "Cách viết khác")),
), anchors=("code", "name", "commune_code"))

TARGETS = Form("recruitment_targets", "targets", "Chỉ tiêu kết nạp đảng viên", (
    Field("commune", "Đảng bộ", UNIT, required=True, aliases=("Tên đảng bộ", "Đơn vị", "Mã đảng bộ", "Xã, thị trấn")),
    Field("year", "Năm", INT),
    Field("target", "Chỉ tiêu kết nạp", INT, required=True, summable=True, aliases=(
        "Chỉ tiêu", "Chỉ tiêu kết nạp đảng viên", "Chỉ tiêu kết nạp đảng viên mới", "Chỉ tiêu năm")),
), anchors=("commune", "target"))

INSPECTIONS = Form("inspection_findings", "inspections", "Sổ theo dõi kết quả kiểm tra", (
    Field("plan_ref", "Số kế hoạch", aliases=("Kế hoạch", "Số KH", "Kế hoạch kiểm tra")),
    Field("inspected_on", "Ngày kiểm tra", DATE, required=True, aliases=("Thời gian kiểm tra",)),
    Field("commune", "Đảng bộ", UNIT, required=True, aliases=("Tên đảng bộ", "Đơn vị được kiểm tra")),
    Field("branch", "Chi bộ", UNIT, aliases=("Tên chi bộ",)),
    Field("category", "Nhóm hạn chế", CHOICE, required=True, choices=CATEGORY_CHOICES,
          aliases=("Mã hạn chế", "Loại hạn chế")),
    Field("description", "Nội dung hạn chế", required=True, aliases=("Hạn chế", "Nội dung", "Hạn chế, khuyết điểm")),
    Field("recommendation", "Kiến nghị", aliases=("Kiến nghị khắc phục", "Yêu cầu khắc phục")),
    Field("due_date", "Hạn khắc phục", DATE, aliases=("Thời hạn khắc phục",)),
    Field("status", "Tình trạng", CHOICE, choices=STATUSES, default="open", aliases=(
        "Tình trạng khắc phục", "Kết quả khắc phục")),
    Field("resolved_on", "Ngày khắc phục", DATE, aliases=("Ngày hoàn thành khắc phục",)),
    Field("note", "Ghi chú"),
), anchors=("inspected_on", "category", "description"))

MONTHLY_FORMS = (COMMITTEE, BRANCH_MEETINGS, RECRUITMENT, ANNUAL_RATINGS)
ALL_FORMS = (*MONTHLY_FORMS, REGISTRY_COMMUNES, REGISTRY_BRANCHES, TARGETS, INSPECTIONS)

# The cover sheet: its name in the template (the loader finds a cover by its labels, whatever its
# name) and its labels (label -> key; the first label of each key is the one the template writes)
COVER_SHEET = "Thông tin chung"
COVER_LABELS = {
    "Đảng bộ": "commune", "Tên đảng bộ": "commune", "Đảng ủy": "commune", "Đơn vị": "commune",
    "Tháng": "month", "Tháng báo cáo": "month", "Năm": "year", "Năm báo cáo": "year",
    "Ngày lập": "made_on", "Ngày lập báo cáo": "made_on", "Người lập": "made_by", "Người lập biểu": "made_by",
    "Ngày triển khai nhiệm vụ tháng sau cho chi bộ": "tasks_sent_on",
    "Ngày triển khai nhiệm vụ tháng sau": "tasks_sent_on",
    "Ngày gửi nhiệm vụ tháng sau cho chi bộ": "tasks_sent_on",
}
