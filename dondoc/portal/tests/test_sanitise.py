"""Article HTML keeps formatting and loses everything active (XSS payloads)."""

import pytest

from dondoc.portal.sanitise import clean_html

PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    '<a href="javascript:alert(1)">x</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href="jav&#x09;ascript:alert(1)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    '<iframe src="https://evil.example"></iframe>',
    '<object data="x.swf"></object>',
    '<embed src="x.swf">',
    '<form action="https://evil.example"><input name=a></form>',
    '<p style="background:url(javascript:alert(1))">x</p>',
    "<style>body{display:none}</style>",
    '<div onclick="alert(1)">x</div>',
    '<body onload=alert(1)>',
    '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>',
    '<meta http-equiv="refresh" content="0;url=https://evil.example">',
    '<base href="https://evil.example/">',
    '<link rel=stylesheet href="https://evil.example/x.css">',
    '"><script>alert(1)</script>',
    "<scr<script>ipt>alert(1)</script>",
    '<details open ontoggle=alert(1)>',
    '<video><source onerror=alert(1)></video>',
    '<a href="vbscript:msgbox(1)">x</a>',
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_nothing_active_survives(payload):
    cleaned = clean_html(payload).lower()
    for marker in ("<script", "onerror", "onload", "onclick", "ontoggle", "javascript:",
                   "vbscript:", "data:text", "<iframe", "<object", "<embed", "<form",
                   "<style", "style=", "<meta", "<base", "<link", "<svg", "<img", "<video"):
        assert marker not in cleaned, (payload, cleaned)


def test_formatting_and_safe_links_are_kept():
    html = ('<h2>Kết quả</h2><p><strong>Đạt</strong> và <em>vượt</em></p>'
            '<ul><li>Một</li></ul><a href="https://danang.gov.vn">Cổng</a>')
    cleaned = clean_html(html)
    assert "<h2>Kết quả</h2>" in cleaned
    assert "<strong>Đạt</strong>" in cleaned and "<em>vượt</em>" in cleaned
    assert "<li>Một</li>" in cleaned
    assert 'href="https://danang.gov.vn"' in cleaned
    assert 'rel="noopener noreferrer"' in cleaned
