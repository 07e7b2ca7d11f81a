"""The five built-in baseline survey forms (organisation, staff, land, equipment, vehicles).

Their content follows "Baseline survey content" of the domain facts. They are installed
by :func:`ensure_builtin_forms`, called after every ``migrate`` (idempotent: a form
version already stored is left as it is; a changed built-in form gets a new version
number here, never an edit of one a campaign may use).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from dondoc.surveys.definition import parse_definition

Text = dict[str, str]


def t(vi: str, en: str) -> Text:
    return {"vi": vi, "en": en}


def integer(key: str, vi: str, en: str, *, required: bool = False, help_vi: str = "",
            help_en: str = "", maximum: int | None = None) -> dict[str, Any]:
    field: dict[str, Any] = {"key": key, "type": "integer", "label": t(vi, en), "min": 0,
                             "required": required}
    if maximum is not None:
        field["max"] = maximum
    if help_vi:
        field["help"] = t(help_vi, help_en)
    return field


def text(key: str, vi: str, en: str, *, max_length: int = 2000, required: bool = False,
         help_vi: str = "", help_en: str = "") -> dict[str, Any]:
    field: dict[str, Any] = {"key": key, "type": "text", "label": t(vi, en),
                             "max_length": max_length, "required": required}
    if help_vi:
        field["help"] = t(help_vi, help_en)
    return field


def rule(key: str, expr: str, fields: list[str], vi: str, en: str, *,
         severity: str = "error", table: str | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {"key": key, "expr": expr, "severity": severity, "fields": fields,
                            "message": t(vi, en)}
    if table:
        data["table"] = table
    return data


def not_above_total(key: str, vi_label: str, en_label: str, total: str = "total"
                    ) -> dict[str, Any]:
    return rule(f"{key}_le_{total}", f"{key} <= {total}", [key],
                f"{vi_label} không được lớn hơn tổng số cán bộ, chiến sĩ.",
                f"{en_label} cannot exceed the total number of officers.")


STAFFING_ROWS = [
    {"key": "commanders", "label": t("Lãnh đạo, chỉ huy đơn vị", "Unit leadership and command")},
    {"key": "team_commanders", "label": t("Chỉ huy đội, tổ, trạm", "Team and station command")},
    {"key": "professional", "label": t("Cán bộ nghiệp vụ", "Professional officers")},
    {"key": "ncos", "label": t("Hạ sĩ quan, chiến sĩ", "NCOs and constables")},
    {"key": "conscripts", "label": t("Chiến sĩ nghĩa vụ", "Conscripts")},
    {"key": "workers", "label": t("Công nhân công an", "Police workers")},
]

ORGANISATION: dict[str, Any] = {
    "key": "organisation",
    "version": 1,
    "title": t("Mô hình tổ chức, biên chế", "Organisation model and establishment"),
    "description": t(
        "Chức năng, nhiệm vụ, cơ cấu tổ chức; biên chế được giao so với quân số thực có.",
        "Functions and tasks, structure; the establishment compared with the actual strength."),
    "sections": [
        {"key": "functions", "title": t("Chức năng, nhiệm vụ", "Functions and tasks"),
         "fields": [
             text("functions", "Chức năng, nhiệm vụ chính", "Main functions and tasks",
                  max_length=4000, required=True),
             text("command_mechanism", "Cơ chế lãnh đạo, chỉ huy",
                  "Leadership and command mechanism", max_length=2000),
         ]},
        {"key": "structure", "title": t("Cơ cấu tổ chức", "Structure"),
         "fields": [
             integer("teams", "Số đội, tổ trực thuộc", "Teams and squads", required=True,
                     maximum=500),
             integer("stations", "Số trạm, đồn trực thuộc", "Stations and posts",
                     maximum=500),
             integer("establishment_total", "Tổng biên chế được giao",
                     "Establishment (posts allotted)", required=True, maximum=100000,
                     help_vi="Theo quyết định giao biên chế mới nhất.",
                     help_en="As in the latest decision allotting posts."),
             integer("actual_total", "Tổng quân số thực có", "Actual strength", required=True,
                     maximum=100000,
                     help_vi="Số cán bộ, chiến sĩ có mặt tại ngày báo cáo.",
                     help_en="Officers on the rolls at the reference date."),
             {"key": "staffing", "type": "table",
              "label": t("Biên chế và quân số theo chức danh",
                         "Establishment and strength by position"),
              "help": t("Điền đủ các dòng; ghi 0 nếu không có.",
                        "Fill every row; write 0 where there are none."),
              "rows": STAFFING_ROWS,
              "columns": [
                  integer("establishment", "Biên chế được giao", "Establishment",
                          required=True),
                  integer("actual", "Thực có", "Actual", required=True),
              ]},
             text("shortage_notes", "Thiếu, thừa so với biên chế: nguyên nhân, kiến nghị",
                  "Shortage or excess: causes and proposals", max_length=2000),
         ]},
    ],
    "rules": [
        rule("establishment_sum", "sum(staffing.establishment) == establishment_total",
             ["establishment_total"],
             "Tổng biên chế phải bằng tổng các dòng của bảng theo chức danh.",
             "The establishment must equal the sum of the rows by position."),
        rule("actual_sum", "sum(staffing.actual) == actual_total", ["actual_total"],
             "Tổng quân số thực có phải bằng tổng các dòng của bảng theo chức danh.",
             "The actual strength must equal the sum of the rows by position."),
        rule("excess_warning", "actual_total <= establishment_total * 1.1", ["actual_total"],
             "Quân số thực có vượt biên chế hơn 10%: đề nghị kiểm tra lại.",
             "The actual strength is more than 10% over the establishment: please check.",
             severity="warning"),
        rule("excess_error", "actual_total <= establishment_total * 1.2", ["actual_total"],
             "Quân số thực có vượt biên chế hơn 20%: số liệu không hợp lệ.",
             "The actual strength is more than 20% over the establishment: not valid."),
        rule("row_excess_warning", "actual <= establishment * 1.1", ["actual"],
             "Vượt biên chế hơn 10% ở chức danh này.",
             "More than 10% over the establishment for this position.",
             severity="warning", table="staffing"),
        rule("row_excess_error", "actual <= establishment * 1.2", ["actual"],
             "Vượt biên chế hơn 20% ở chức danh này: số liệu không hợp lệ.",
             "More than 20% over the establishment for this position: not valid.",
             table="staffing"),
    ],
}


def people_table(key: str, vi: str, en: str, rows: list[tuple[str, str, str]]
                 ) -> dict[str, Any]:
    return {"key": key, "type": "table", "label": t(vi, en),
            "rows": [{"key": k, "label": t(rvi, ren)} for k, rvi, ren in rows],
            "columns": [integer("people", "Số người", "People", required=True)]}


STAFF: dict[str, Any] = {
    "key": "staff_qualifications",
    "version": 1,
    "title": t("Trình độ, năng lực cán bộ", "Staff qualifications and capacity"),
    "description": t("Số lượng, cơ cấu và trình độ của cán bộ, chiến sĩ tại ngày báo cáo.",
                     "Numbers, composition and qualifications of officers at the "
                     "reference date."),
    "sections": [
        {"key": "general", "title": t("Số lượng, cơ cấu", "Numbers and composition"),
         "fields": [
             integer("total", "Tổng số cán bộ, chiến sĩ", "Total officers", required=True,
                     maximum=100000),
             integer("women", "Nữ", "Women", required=True),
             integer("party_members", "Đảng viên", "Party members", required=True),
             integer("ethnic_minorities", "Người dân tộc thiểu số", "Ethnic minorities",
                     required=True),
             people_table("age_bands", "Độ tuổi", "Age bands", [
                 ("under_30", "Dưới 30 tuổi", "Under 30"),
                 ("from_30_to_39", "Từ 30 đến 39 tuổi", "30 to 39"),
                 ("from_40_to_49", "Từ 40 đến 49 tuổi", "40 to 49"),
                 ("from_50", "Từ 50 tuổi trở lên", "50 and over")]),
         ]},
        {"key": "education", "title": t("Trình độ học vấn, lý luận chính trị",
                                        "Education and political theory"),
         "fields": [
             people_table("education", "Trình độ chuyên môn cao nhất",
                          "Highest education", [
                              ("doctorate", "Tiến sĩ", "Doctorate"),
                              ("master", "Thạc sĩ", "Master"),
                              ("university", "Đại học", "University"),
                              ("college", "Cao đẳng", "College"),
                              ("intermediate", "Trung cấp", "Intermediate"),
                              ("untrained", "Chưa qua đào tạo", "Untrained")]),
             people_table("political_theory", "Lý luận chính trị", "Political theory", [
                 ("advanced", "Cao cấp", "Advanced"),
                 ("intermediate", "Trung cấp", "Intermediate"),
                 ("elementary", "Sơ cấp", "Elementary"),
                 ("no_training", "Chưa qua đào tạo", "None")]),
         ]},
        {"key": "skills", "title": t("Bồi dưỡng, nghiệp vụ, cấp bậc",
                                     "Training, skills and ranks"),
         "fields": [
             integer("state_management", "Đã bồi dưỡng quản lý nhà nước",
                     "Trained in state management"),
             integer("it_certified", "Có chứng chỉ tin học", "IT certificate"),
             integer("foreign_language", "Có chứng chỉ ngoại ngữ",
                     "Foreign-language certificate"),
             integer("police_training", "Đã qua đào tạo nghiệp vụ công an",
                     "Police professional training", required=True),
             people_table("ranks", "Cấp bậc hàm", "Ranks", [
                 ("generals", "Cấp tướng", "Generals"),
                 ("field_officers", "Cấp tá", "Field officers"),
                 ("company_officers", "Cấp úy", "Company officers"),
                 ("ncos", "Hạ sĩ quan", "NCOs"),
                 ("conscripts", "Chiến sĩ nghĩa vụ", "Conscripts"),
                 ("workers", "Công nhân công an", "Police workers")]),
         ]},
    ],
    "rules": [
        not_above_total("women", "Số nữ", "Women"),
        not_above_total("party_members", "Số đảng viên", "Party members"),
        not_above_total("ethnic_minorities", "Số người dân tộc thiểu số", "Ethnic minorities"),
        not_above_total("state_management", "Số đã bồi dưỡng quản lý nhà nước",
                        "Those trained in state management"),
        not_above_total("it_certified", "Số có chứng chỉ tin học", "IT certificate holders"),
        not_above_total("foreign_language", "Số có chứng chỉ ngoại ngữ",
                        "Foreign-language certificate holders"),
        not_above_total("police_training", "Số đã qua đào tạo nghiệp vụ",
                        "Those with police training"),
        rule("degrees_le_total",
             "value(education, 'doctorate', 'people') + value(education, 'master', 'people')"
             " + value(education, 'university', 'people') <= total", ["education"],
             "Số có bằng đại học trở lên không được lớn hơn tổng số.",
             "Holders of a university degree or higher cannot exceed the total."),
        rule("age_sum", "sum(age_bands.people) == total", ["age_bands"],
             "Tổng các độ tuổi phải bằng tổng số cán bộ, chiến sĩ.",
             "The age bands must add up to the total."),
        rule("education_sum", "sum(education.people) == total", ["education"],
             "Tổng các trình độ chuyên môn phải bằng tổng số cán bộ, chiến sĩ.",
             "The education levels must add up to the total."),
        rule("political_sum", "sum(political_theory.people) == total", ["political_theory"],
             "Tổng các trình độ lý luận chính trị phải bằng tổng số cán bộ, chiến sĩ.",
             "The political theory levels must add up to the total."),
        rule("ranks_sum", "sum(ranks.people) == total", ["ranks"],
             "Tổng các cấp bậc hàm phải bằng tổng số cán bộ, chiến sĩ.",
             "The ranks must add up to the total."),
    ],
}

CONDITIONS = [
    {"value": "solid", "label": t("Kiên cố, sử dụng tốt", "Solid, in good use")},
    {"value": "degraded", "label": t("Xuống cấp", "Degraded")},
    {"value": "temporary", "label": t("Mượn, tạm", "Borrowed or temporary")},
    {"value": "none", "label": t("Chưa có trụ sở", "No building")},
]

LAND: dict[str, Any] = {
    "key": "land_headquarters",
    "version": 1,
    "title": t("Đất đai, trụ sở làm việc", "Land and headquarters"),
    "description": t("Các cơ sở nhà, đất đang quản lý, sử dụng và nhu cầu.",
                     "The sites the unit manages or uses, and its needs."),
    "sections": [
        {"key": "sites", "title": t("Cơ sở nhà, đất", "Sites"),
         "help": t("Mỗi cơ sở một dòng.", "One row per site."),
         "fields": [
             {"key": "sites", "type": "table", "label": t("Danh sách cơ sở", "Sites"),
              "required": True, "min_rows": 1, "max_rows": 50,
              "columns": [
                  text("address", "Địa chỉ", "Address", max_length=300, required=True),
                  {"key": "land_area", "type": "decimal", "places": 1, "min": 0,
                   "max": 10000000, "label": t("Diện tích đất", "Land area"),
                   "unit": t("m²", "m²"), "required": True},
                  {"key": "floor_area", "type": "decimal", "places": 1, "min": 0,
                   "max": 10000000, "label": t("Diện tích sàn", "Floor area"),
                   "unit": t("m²", "m²")},
                  {"key": "condition", "type": "choice", "label": t("Hiện trạng", "Condition"),
                   "choices": CONDITIONS, "required": True},
                  {"key": "land_papers", "type": "boolean",
                   "label": t("Có giấy chứng nhận quyền sử dụng đất",
                              "Land-use certificate")},
                  text("needs", "Nhu cầu (xây mới, cải tạo...)",
                       "Needs (new building, renovation...)", max_length=1000),
              ]},
         ]},
        {"key": "summary", "title": t("Tổng hợp", "Summary"),
         "fields": [
             text("needs_summary", "Nhu cầu, kiến nghị chung", "Needs and proposals",
                  max_length=3000),
             {"key": "site_plan", "type": "file",
              "label": t("Sơ đồ hiện trạng (nếu có)", "Site plan (if any)")},
         ]},
    ],
    "rules": [],
}

CONDITION_COLUMNS = [
    integer("good", "Tốt", "Good", required=True),
    integer("fair", "Trung bình", "Fair", required=True),
    integer("unusable", "Hỏng, không sử dụng được", "Unusable", required=True),
]

EQUIPMENT: dict[str, Any] = {
    "key": "equipment",
    "version": 1,
    "title": t("Trang thiết bị", "Equipment"),
    "description": t("Trang thiết bị theo tiêu chuẩn định mức so với thực có, và chất lượng.",
                     "Equipment: the standard allowance against what the unit has, and its "
                     "condition."),
    "sections": [
        {"key": "equipment", "title": t("Trang thiết bị", "Equipment"),
         "fields": [
             {"key": "equipment", "type": "table",
              "label": t("Trang thiết bị theo nhóm", "Equipment by category"),
              "rows": [
                  {"key": "computers", "label": t("Máy vi tính", "Computers")},
                  {"key": "cameras", "label": t("Camera", "Cameras")},
                  {"key": "communications", "label": t("Thiết bị thông tin liên lạc",
                                                       "Communications")},
                  {"key": "support_tools", "label": t("Vũ khí thô sơ, công cụ hỗ trợ",
                                                      "Support tools")},
                  {"key": "fire_equipment", "label": t("Thiết bị phòng cháy, chữa cháy",
                                                       "Fire-fighting equipment")},
              ],
              "columns": [
                  integer("standard", "Tiêu chuẩn định mức", "Standard allowance",
                          required=True),
                  integer("actual", "Thực có", "Actual", required=True),
                  *CONDITION_COLUMNS,
              ]},
             text("equipment_needs", "Nhu cầu bổ sung, kiến nghị", "Needs and proposals",
                  max_length=3000),
         ]},
    ],
    "rules": [
        rule("condition_sum", "good + fair + unusable == actual", ["good"],
             "Tốt + trung bình + hỏng phải bằng số thực có.",
             "Good + fair + unusable must equal the actual number.", table="equipment"),
        rule("below_standard", "actual >= standard", ["actual"],
             "Thực có thấp hơn tiêu chuẩn định mức.",
             "Fewer than the standard allowance.", severity="warning", table="equipment"),
    ],
}

VEHICLES: dict[str, Any] = {
    "key": "vehicles",
    # Version 2: the average age is averaged, not summed, up the unit tree (version 1,
    # stored where it was installed, had no "aggregate" and so summed it).
    "version": 2,
    "title": t("Phương tiện", "Vehicles"),
    "description": t("Số lượng, chất lượng và tuổi trung bình của phương tiện theo loại.",
                     "Number, condition and average age of vehicles by type."),
    "sections": [
        {"key": "vehicles", "title": t("Phương tiện theo loại", "Vehicles by type"),
         "fields": [
             {"key": "vehicles", "type": "table", "label": t("Phương tiện", "Vehicles"),
              "help": t("Ghi 0 cho loại không có.", "Write 0 for the types you do not have."),
              "rows": [
                  {"key": "cars", "label": t("Ô tô (xe con, xe bán tải)", "Cars and pickups")},
                  {"key": "motorbikes", "label": t("Mô tô, xe máy", "Motorbikes")},
                  {"key": "boats", "label": t("Tàu, xuồng", "Boats")},
                  {"key": "fire_rescue", "label": t("Xe chữa cháy, cứu nạn cứu hộ",
                                                    "Fire-fighting and rescue vehicles")},
                  {"key": "specialised", "label": t("Xe chuyên dùng", "Specialised vehicles")},
              ],
              "columns": [
                  integer("quantity", "Số lượng", "Quantity", required=True),
                  *CONDITION_COLUMNS,
                  {"key": "average_age", "type": "decimal", "places": 1, "min": 0, "max": 60,
                   "label": t("Tuổi trung bình", "Average age"), "unit": t("năm", "years"),
                   "aggregate": "average"},
              ]},
             text("vehicle_needs", "Nhu cầu bổ sung, kiến nghị", "Needs and proposals",
                  max_length=3000),
         ]},
    ],
    "rules": [
        rule("condition_sum", "good + fair + unusable == quantity", ["good"],
             "Tốt + trung bình + hỏng phải bằng số lượng.",
             "Good + fair + unusable must equal the quantity.", table="vehicles"),
    ],
}

BUILTIN_FORMS: list[dict[str, Any]] = [ORGANISATION, STAFF, LAND, EQUIPMENT, VEHICLES]


def ensure_builtin_forms(using: str = "default") -> int:
    """Store every built-in form version not stored yet; the number created."""
    from dondoc.surveys.models import SurveyForm

    created = 0
    for data in BUILTIN_FORMS:
        defn = parse_definition(data)  # a broken built-in form fails loudly, here
        if SurveyForm.objects.using(using).filter(key=defn.key,
                                                  version=defn.version).exists():
            continue
        # Installed by ``migrate`` like a data migration: not a user's write, so not in
        # the audit chain (which starts with the first user action).
        with transaction.atomic(using=using):
            SurveyForm.objects.using(using).create(
                key=defn.key, version=defn.version, title_vi=defn.title("vi"),
                title_en=defn.title("en"), definition=defn.to_json(), builtin=True)
        created += 1
    return created
