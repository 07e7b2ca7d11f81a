"""``dondoc check``: what the consolidated report needs from the system.

The PDF of a report is LibreOffice's conversion of its DOCX: without ``soffice`` the check
names the Debian package to install (DOCX and XLSX work without it). A configured signing
certificate that cannot be read is an error.
"""

from __future__ import annotations

from typing import Any

from django.core.checks import Error, Info, register

from dondoc.core import officedocs


@register()
def pdf_converter(app_configs: Any = None, **kwargs: Any) -> list[Any]:
    # Info, not Warning: a server without LibreOffice still works (DOCX, XLSX), and
    # `make deploy-check` fails on warnings.
    return [Info(
        f"{missing.program} is missing: consolidated reports are issued without a PDF "
        f"(DOCX and XLSX still work). Install the Debian package {missing.package}: "
        f"apt-get install {missing.package}",
        id="dondoc.reports.I001") for missing in officedocs.missing_converters()]


@register()
def signing_certificate(app_configs: Any = None, **kwargs: Any) -> list[Any]:
    from dondoc.reports import signing

    problem = signing.configuration_problem()
    if problem:
        return [Error(problem, id="dondoc.reports.E001",
                      hint="Set DONDOC_SIGN_P12 to a PKCS#12 file and DONDOC_SIGN_PASSWORD "
                           "to its password, or unset both to issue reports unsigned.")]
    return []
