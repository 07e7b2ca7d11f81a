"""Demo content of the public portal: categories, news about Resolution 12's
implementation in the city police (fictional wording, no real officials), web links."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from dondoc.portal.models import Article, ArticleStatus, Category, Tag, WebLink
from dondoc.portal.sanitise import clean_html

CATEGORIES = [
    ("tin-hoat-dong", "Tin hoạt động", 1),
    ("chi-dao-dieu-hanh", "Chỉ đạo, điều hành", 2),
    ("tuyen-truyen-nghi-quyet-12", "Tuyên truyền Nghị quyết 12", 3),
    ("guong-dien-hinh", "Gương điển hình", 4),
]

LINKS = [
    ("Cổng Thông tin điện tử Chính phủ", "https://chinhphu.vn", 1),
    ("Cổng Thông tin điện tử Bộ Công an", "https://bocongan.gov.vn", 2),
    ("Cổng Thông tin điện tử thành phố Đà Nẵng", "https://danang.gov.vn", 3),
    ("Báo Công an nhân dân", "https://cand.com.vn", 4),
]

# (category slug, days before today, featured, title, summary, paragraphs, tags)
ARTICLES: list[tuple[str, int, bool, str, str, list[str], list[str]]] = [
    ("tuyen-truyen-nghi-quyet-12", 2, True,
     "Quán triệt Nghị quyết 12-NQ/TW đến toàn thể cán bộ, chiến sĩ",
     "Công an thành phố tổ chức hội nghị quán triệt, triển khai Nghị quyết số 12-NQ/TW "
     "ngày 16/3/2022 của Bộ Chính trị đến cán bộ chủ chốt các đơn vị.",
     ["Hội nghị nhằm giúp cán bộ, chiến sĩ nắm vững quan điểm, mục tiêu và các nhóm nhiệm "
      "vụ, giải pháp đẩy mạnh xây dựng lực lượng Công an nhân dân thật sự trong sạch, "
      "vững mạnh, chính quy, tinh nhuệ, hiện đại.",
      "Các đơn vị được yêu cầu xây dựng kế hoạch thực hiện, phân công rõ người, rõ việc, "
      "rõ thời hạn và báo cáo kết quả định kỳ về Phòng Tham mưu."],
     ["Nghị quyết 12", "Quán triệt"]),
    ("chi-dao-dieu-hanh", 5, True,
     "Sơ kết việc thực hiện Kế hoạch 118-KH/ĐUCA",
     "Ban Chỉ đạo đánh giá kết quả thực hiện 08 nhóm nhiệm vụ, giải pháp và chỉ ra các "
     "nhiệm vụ cần tập trung trong thời gian tới.",
     ["Qua sơ kết, phần lớn nhiệm vụ được giao đã hoàn thành đúng hạn; một số nhiệm vụ về "
      "hậu cần, trụ sở còn chậm do vướng mắc về đất đai và kinh phí.",
      "Ban Chỉ đạo yêu cầu các đơn vị tháo gỡ khó khăn, đôn đốc hoàn thành các nhiệm vụ "
      "còn tồn đọng trước thời hạn."],
     ["Kế hoạch 118", "Sơ kết"]),
    ("tin-hoat-dong", 8, False,
     "Công an phường Khuê Trung ra mắt mô hình phường điển hình về an ninh trật tự",
     "Mô hình được xây dựng theo Nghị quyết 13-NQ/TU, đánh giá theo 20 tiêu chí.",
     ["Công an phường đã phối hợp với chính quyền địa phương và Nhân dân triển khai các "
      "giải pháp bảo đảm an ninh trật tự và văn minh đô thị trên địa bàn.",
      "Trụ sở làm việc và trang thiết bị tiếp tục được đề xuất bổ sung để đạt đủ tiêu chí."],
     ["Công an phường", "Nghị quyết 13"]),
    ("tin-hoat-dong", 12, False,
     "Đưa vào vận hành hệ thống camera giám sát an ninh trật tự giai đoạn 1",
     "Hệ thống camera tại các tuyến đường trọng điểm hỗ trợ công tác bảo đảm trật tự an "
     "toàn giao thông.",
     ["Dự án được theo dõi theo chỉ tiêu số camera lắp đặt từng quận, huyện.",
      "Các đơn vị được giao tiếp tục khảo sát vị trí lắp đặt cho giai đoạn tiếp theo."],
     ["Chuyển đổi số", "Camera"]),
    ("guong-dien-hinh", 15, False,
     "Tập thể Phòng Cảnh sát giao thông được biểu dương trong phong trào thi đua",
     "Đơn vị hoàn thành sớm các nhiệm vụ được giao trong kế hoạch thực hiện Nghị quyết.",
     ["Đơn vị đã chủ động đề xuất nhiều giải pháp cải cách thủ tục hành chính, rút ngắn "
      "thời gian giải quyết hồ sơ cho người dân."],
     ["Thi đua"]),
    ("tuyen-truyen-nghi-quyet-12", 20, False,
     "Tọa đàm về xây dựng Công an xã, phường chính quy",
     "Tọa đàm trao đổi kinh nghiệm bố trí lực lượng và nâng cao năng lực cán bộ cơ sở.",
     ["Các ý kiến tập trung vào đào tạo, bồi dưỡng cán bộ và bảo đảm cơ sở vật chất cho "
      "Công an cấp cơ sở."],
     ["Nghị quyết 12", "Công an phường"]),
]


def load(stdout: Any = None) -> None:
    categories = {}
    for slug, name, position in CATEGORIES:
        categories[slug], _created = Category.objects.get_or_create(
            slug=slug, defaults={"name": name, "position": position})
    for title, url, position in LINKS:
        WebLink.objects.get_or_create(url=url, defaults={"title": title, "position": position})
    now = timezone.now().replace(hour=8, minute=0, second=0, microsecond=0)
    for index, (slug, days, featured, title, summary, paragraphs, tags) in enumerate(ARTICLES):
        article, created = Article.objects.get_or_create(
            slug=f"demo-{index + 1}", defaults={
                "title": title, "summary": summary, "category": categories[slug],
                "featured": featured, "status": ArticleStatus.PUBLISHED,
                "published_at": now - dt.timedelta(days=days),
                "body": clean_html("".join(f"<p>{p}</p>" for p in paragraphs)),
            })
        if created:
            tag_objects = []
            for name in tags:
                tag, _made = Tag.objects.get_or_create(
                    name=name, defaults={"slug": name_to_slug(name)})
                tag_objects.append(tag)
            article.tags.set(tag_objects)
    if stdout is not None:
        stdout.write("Portal: demo news, categories and web links ready.")


def name_to_slug(name: str) -> str:
    from django.utils.text import slugify

    from dondoc.core.text import fold

    return slugify(fold(name))
