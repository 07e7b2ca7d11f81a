"""The only HTML a portal article may carry: what the editor produces, nothing active.

Everything an editor submits goes through ``clean_html`` before it is stored (and so
before it is ever shown): scripts, event handlers, styles, iframes, forms and
``javascript:``/``data:`` addresses are removed by nh3 (the Rust ``ammonia`` sanitiser),
links get ``rel="noopener noreferrer"``.
"""

from __future__ import annotations

import nh3

ALLOWED_TAGS = {
    "p", "br", "div", "strong", "b", "em", "i", "u", "s", "del", "sub", "sup",
    "h2", "h3", "h4", "blockquote", "pre", "code", "ul", "ol", "li", "a",
    "figure", "figcaption", "table", "thead", "tbody", "tr", "th", "td", "hr",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "th": {"colspan", "rowspan"},
    "td": {"colspan", "rowspan"},
}
URL_SCHEMES = {"http", "https", "mailto"}


def clean_html(html: str) -> str:
    return nh3.clean(
        html or "",
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    ).strip()
