"""The Content Security Policy refuses inline styles (``style-src 'self'``): a ``style=``
attribute in a template is silently ignored by the browser, so none may be written."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
STYLE_ATTRIBUTE = re.compile(r"""\sstyle\s*=\s*["']""", re.IGNORECASE)


def test_no_template_has_an_inline_style_attribute():
    templates = [*ROOT.glob("templates/**/*.html"), *ROOT.glob("dondoc/*/templates/**/*.html")]
    assert len(templates) > 50  # the templates were found
    offenders = [f"{path.relative_to(ROOT)}:{number}"
                 for path in templates
                 for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                 if STYLE_ATTRIBUTE.search(line)]
    assert offenders == []
