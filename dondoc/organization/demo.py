"""Demo organisation: the Da Nang City Police, its units and partners, and sample accounts.

Unit codes follow public sources and are treated as assumed; people are fictional.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from dondoc.organization.models import Role, Unit, UnitKind, User

K = UnitKind
DISTRICTS_DISSOLVED = dt.date(2025, 2, 28)

DEPARTMENTS = [
    ("PV01", "Phòng Tham mưu", "Phòng Tham mưu"),
    ("PV05", "Phòng Xây dựng phong trào bảo vệ an ninh Tổ quốc", "Phòng XDPT BVANTQ"),
    ("PV06", "Phòng Hồ sơ nghiệp vụ", "Phòng HSNV"),
    ("PX01", "Phòng Tổ chức cán bộ", "Phòng TCCB"),
    ("PX03", "Phòng Công tác đảng và công tác chính trị", "Phòng CTĐ&CTCT"),
    ("PX05", "Thanh tra Công an thành phố", "Thanh tra"),
    ("PH01", "Phòng Tài chính", "Phòng Tài chính"),
    ("PH10", "Phòng Hậu cần", "Phòng Hậu cần"),
    ("PA01", "Phòng An ninh đối ngoại", "Phòng ANĐN"),
    ("PA02", "Phòng An ninh nội địa", "Phòng ANNĐ"),
    ("PA03", "Phòng An ninh chính trị nội bộ", "Phòng ANCTNB"),
    ("PA04", "Phòng An ninh kinh tế", "Phòng ANKT"),
    ("PA05", "Phòng An ninh mạng và phòng, chống tội phạm sử dụng công nghệ cao", "Phòng ANM&PCTP CNC"),
    ("PA06", "Phòng Kỹ thuật nghiệp vụ", "Phòng KTNV"),
    ("PA08", "Phòng Quản lý xuất nhập cảnh", "Phòng QLXNC"),
    ("PA09", "Phòng An ninh điều tra", "Phòng ANĐT"),
    ("PC01", "Văn phòng Cơ quan Cảnh sát điều tra", "VP CQCSĐT"),
    ("PC02", "Phòng Cảnh sát hình sự", "Phòng CSHS"),
    ("PC03", "Phòng Cảnh sát điều tra tội phạm về tham nhũng, kinh tế, buôn lậu, môi trường", "Phòng CSKT"),
    ("PC04", "Phòng Cảnh sát điều tra tội phạm về ma túy", "Phòng CSMT"),
    ("PC06", "Phòng Cảnh sát quản lý hành chính về trật tự xã hội", "Phòng CSQLHC"),
    ("PC07", "Phòng Cảnh sát phòng cháy, chữa cháy và cứu nạn, cứu hộ", "Phòng CS PCCC&CNCH"),
    ("PC08", "Phòng Cảnh sát giao thông", "Phòng CSGT"),
    ("PC09", "Phòng Kỹ thuật hình sự", "Phòng KTHS"),
    ("PC10", "Phòng Cảnh sát thi hành án hình sự và hỗ trợ tư pháp", "Phòng CS THAHS&HTTP"),
    ("PC11", "Trại tạm giam Công an thành phố", "Trại tạm giam"),
    ("PK02", "Phòng Cảnh sát cơ động", "Phòng CSCĐ"),
]

DISTRICTS = [
    ("CAQ-HC", "Công an quận Hải Châu", "CA Hải Châu",
     [("thach-thang", "phường Thạch Thang"), ("hai-chau-1", "phường Hải Châu I"),
      ("hoa-cuong-bac", "phường Hòa Cường Bắc")]),
    ("CAQ-TK", "Công an quận Thanh Khê", "CA Thanh Khê",
     [("tan-chinh", "phường Tân Chính"), ("thac-gian", "phường Thạc Gián")]),
    ("CAQ-ST", "Công an quận Sơn Trà", "CA Sơn Trà",
     [("an-hai-bac", "phường An Hải Bắc"), ("man-thai", "phường Mân Thái")]),
    ("CAQ-NHS", "Công an quận Ngũ Hành Sơn", "CA Ngũ Hành Sơn",
     [("my-an", "phường Mỹ An"), ("khue-my", "phường Khuê Mỹ")]),
    ("CAQ-LC", "Công an quận Liên Chiểu", "CA Liên Chiểu",
     [("hoa-khanh-bac", "phường Hòa Khánh Bắc"), ("hoa-minh", "phường Hòa Minh")]),
    ("CAQ-CL", "Công an quận Cẩm Lệ", "CA Cẩm Lệ",
     [("khue-trung", "phường Khuê Trung"), ("hoa-tho-dong", "phường Hòa Thọ Đông")]),
    ("CAH-HV", "Công an huyện Hòa Vang", "CA Hòa Vang",
     [("hoa-phuoc", "xã Hòa Phước"), ("hoa-tien", "xã Hòa Tiến")]),
]

EXTERNAL = [
    ("BTGTU", "Ban Tuyên giáo Thành ủy", "Ban Tuyên giáo TU"),
    ("BNCTU", "Ban Nội chính Thành ủy", "Ban Nội chính TU"),
    ("UBKTTU", "Ủy ban Kiểm tra Thành ủy", "UBKT Thành ủy"),
    ("STTTT", "Sở Thông tin và Truyền thông", "Sở TT&TT"),
    ("STC", "Sở Tài chính", "Sở Tài chính"),
    ("SKHDT", "Sở Kế hoạch và Đầu tư", "Sở KH&ĐT"),
    ("STNMT", "Sở Tài nguyên và Môi trường", "Sở TN&MT"),
    ("UBND-HC", "Ủy ban nhân dân quận Hải Châu", "UBND quận Hải Châu"),
    ("UBND-CL", "Ủy ban nhân dân quận Cẩm Lệ", "UBND quận Cẩm Lệ"),
]


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    unit_code: str
    last_name: str
    first_name: str
    position: str


ACCOUNTS = [
    DemoAccount("admin", Role.ADMIN, "PV01", "Quản trị", "Hệ thống", "Quản trị hệ thống"),
    DemoAccount("lanhdao", Role.LEADER, "BGD", "Nguyễn Văn", "Bình", "Phó Giám đốc"),
    DemoAccount("thammuu", Role.STAFF, "PV01", "Lê Thị", "Hoa", "Cán bộ Phòng Tham mưu"),
    DemoAccount("quanly", Role.UNIT_MANAGER, "PC08", "Phạm Minh", "Tuấn", "Trưởng phòng"),
    DemoAccount("canbo", Role.OFFICER, "PC08", "Võ Thị", "Lan", "Cán bộ"),
    DemoAccount("phuong", Role.UNIT_MANAGER, "P-KHUE-TRUNG", "Đặng Quốc", "Huy",
                "Trưởng Công an phường"),
    DemoAccount("thanhtra", Role.INSPECTOR, "PX05", "Hoàng Văn", "Đức", "Thanh tra viên"),
    DemoAccount("theodoi", Role.VIEWER, "BTGTU", "Trương Thị", "Mai", "Chuyên viên"),
    DemoAccount("bientap", Role.EDITOR, "PX03", "Lý Thu", "Trang", "Biên tập viên"),
]


def _unit(parent: Unit | None, code: str, name: str, short: str, kind: str, order: int,
          **extra: Any) -> Unit:
    existing = Unit.objects.filter(code=code).first()
    if existing is not None:
        return existing
    fields = {"code": code, "name": name, "short_name": short, "kind": kind, "order": order,
              **extra}
    if parent is None:
        return Unit.objects.add_root(create_kwargs=fields)
    return Unit.objects.add_child(Unit.objects.get(pk=parent.pk), create_kwargs=fields)


def load_units() -> dict[str, Unit]:
    """Create the unit tree if it is missing; return units by code."""
    bca = _unit(None, "BCA", "Bộ Công an", "Bộ Công an", K.AGENCY, 1, is_scope_root=True)
    catp = _unit(bca, "CATP", "Công an thành phố Đà Nẵng", "CATP Đà Nẵng", K.AGENCY, 1,
                 valid_from=dt.date(1945, 8, 19), is_scope_root=True)
    _unit(catp, "BGD", "Ban Giám đốc Công an thành phố", "Ban Giám đốc", K.LEADERSHIP, 1)
    _unit(catp, "DUCA", "Đảng ủy Công an thành phố", "Đảng ủy CATP", K.PARTY, 2)
    for index, (code, name, short) in enumerate(DEPARTMENTS):
        dept = _unit(catp, code, name, short, K.DEPARTMENT, 10 + index)
        if code == "PC08":
            _unit(dept, "PC08-D1", "Đội Cảnh sát giao thông số 1", "Đội CSGT số 1", K.TEAM, 1)
            _unit(dept, "PC08-D2", "Đội Cảnh sát giao thông số 2", "Đội CSGT số 2", K.TEAM, 2)
    wards_group = _unit(catp, "CAXP", "Công an các xã, phường", "CA xã, phường", K.GROUP, 60)
    ward_order = 1
    for index, (code, name, short, wards) in enumerate(DISTRICTS):
        _unit(catp, code, name, short, K.DISTRICT, 50 + index,
              valid_to=DISTRICTS_DISSOLVED, is_active=False)
        for slug, ward_name in wards:
            _unit(wards_group, f"P-{slug.upper()}", f"Công an {ward_name}",
                  f"CA {ward_name.split(' ', 1)[1]}", K.WARD, ward_order)
            ward_order += 1
    partners = _unit(catp, "NGOAI", "Cơ quan, đơn vị phối hợp ngoài ngành",
                     "Đơn vị phối hợp", K.GROUP, 90)
    for index, (code, name, short) in enumerate(EXTERNAL):
        _unit(partners, code, name, short, K.EXTERNAL, index + 1)
    # Dissolved district police hand their work to the city police.
    Unit.objects.filter(kind=K.DISTRICT, successor__isnull=True).update(successor=catp)
    return {unit.code: unit for unit in Unit.objects.all()}


def load_accounts(*, password: str, otp_exempt: bool) -> list[tuple[DemoAccount, bool]]:
    """Create the sample accounts (one per role); return them with 'created' flags."""
    units = {unit.code: unit for unit in Unit.objects.all()}
    result = []
    for account in ACCOUNTS:
        user = User.objects.filter(username=account.username).first()
        created = user is None
        if user is None:
            user = User(username=account.username)
            user.set_password(password)
        user.role = account.role
        user.unit = units[account.unit_code]
        user.last_name = account.last_name
        user.first_name = account.first_name
        user.position = account.position
        user.email = f"{account.username}@dondoc.invalid"
        user.is_superuser = account.role == Role.ADMIN
        user.is_staff = account.role == Role.ADMIN
        user.otp_exempt = otp_exempt
        user.save()
        result.append((account, created))
    return result
