"""Digital signature (ký số) of issued reports: PAdES with pyHanko, and its validation.

The certificate is a PKCS#12 file named by ``DONDOC_SIGN_P12`` with its password in
``DONDOC_SIGN_PASSWORD``. Without one, ``dondoc demo`` leaves a self-signed DEMO
certificate in the data folder ("DEMO — không có giá trị pháp lý"), used only when no
certificate is configured; with neither, reports are issued unsigned and say so.

Validation runs offline (an isolated network fetches no revocation data): the signature
must be intact and cryptographically valid, and the signer's certificate must chain to
the configured certificate (or one of the CA certificates in its PKCS#12 file).
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

DEMO_FOLDER = "demo-signing"
DEMO_FILE = "demo-signing.p12"
DEMO_PASSWORD = "dondoc-demo"  # noqa: S105 - the demo certificate's documented password
DEMO_NAME = "DEMO — không có giá trị pháp lý"


@dataclass(frozen=True)
class Certificate:
    path: Path
    password: bytes
    demo: bool


def demo_path() -> Path:
    return Path(settings.DATA_DIR) / DEMO_FOLDER / DEMO_FILE


def configured() -> Certificate | None:
    """The certificate reports are signed with, or ``None`` (unsigned)."""
    given = str(getattr(settings, "DONDOC_SIGN_P12", "") or "")
    if given:
        return Certificate(Path(given), str(settings.DONDOC_SIGN_PASSWORD).encode(), demo=False)
    demo = demo_path()
    if demo.is_file():
        return Certificate(demo, DEMO_PASSWORD.encode(), demo=True)
    return None


def _load(certificate: Certificate) -> Any:
    from cryptography.hazmat.primitives.serialization import pkcs12

    return pkcs12.load_key_and_certificates(certificate.path.read_bytes(),
                                            certificate.password or None)


def configuration_problem() -> str:
    """Why the configured certificate cannot sign, or an empty string."""
    certificate = configured()
    if certificate is None:
        return ""
    try:
        key, cert, _extra = _load(certificate)
    except FileNotFoundError:
        return f"DONDOC_SIGN_P12: no such file: {certificate.path}"
    except (ValueError, TypeError) as error:
        return f"DONDOC_SIGN_P12 cannot be opened with DONDOC_SIGN_PASSWORD: {error}"
    if key is None or cert is None:
        return f"DONDOC_SIGN_P12 holds no private key and certificate: {certificate.path}"
    return ""


def ensure_demo_certificate() -> Path:
    """Create the self-signed DEMO certificate in the data folder (once)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import pkcs12
    from cryptography.x509.oid import NameOID

    path = demo_path()
    if path.is_file():
        return path
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "dondoc — dữ liệu mẫu"),
        x509.NameAttribute(NameOID.COMMON_NAME, DEMO_NAME),
    ])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(
                digital_signature=True, content_commitment=True, key_encipherment=False,
                data_encipherment=False, key_agreement=False, key_cert_sign=True,
                crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
            .sign(key, hashes.SHA256()))
    data = pkcs12.serialize_key_and_certificates(
        b"dondoc-demo", key, cert, None,
        serialization.BestAvailableEncryption(DEMO_PASSWORD.encode()))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    path.chmod(0o600)
    return path


def sign_pdf(pdf: bytes, *, reason: str, location: str) -> tuple[bytes, str] | None:
    """The PDF signed (PAdES B-B) and the signer's name; ``None`` without a certificate."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    certificate = configured()
    if certificate is None:
        return None
    signer = signers.SimpleSigner.load_pkcs12(str(certificate.path),
                                              passphrase=certificate.password or None)
    if signer is None:
        raise ValueError(configuration_problem() or "the signing certificate cannot be read")
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    metadata = signers.PdfSignatureMetadata(
        field_name="ChuKySo", subfilter=fields.SigSeedSubFilter.PADES, md_algorithm="sha256",
        reason=reason, location=location)
    signed = signers.sign_pdf(writer, metadata, signer=signer)
    subject = signer.signing_cert.subject.human_friendly
    return signed.getvalue(), subject


@dataclass(frozen=True)
class SignatureCheck:
    signed: bool
    intact: bool = False
    valid: bool = False
    trusted: bool = False
    signer: str = ""
    signed_at: dt.datetime | None = None
    demo: bool = False

    @property
    def ok(self) -> bool:
        return self.signed and self.intact and self.valid and self.trusted

    def summary(self) -> str:
        if not self.signed:
            return _("Not digitally signed.")
        if not (self.intact and self.valid):
            return _("The digital signature is NOT valid: the file was changed after "
                     "signing or the signature is damaged.")
        if not self.trusted:
            return _("The signature is intact, but the signing certificate is not the "
                     "configured one.")
        return _("The digital signature is valid.")


def check_pdf(pdf: bytes) -> SignatureCheck:
    """Validate the first signature of ``pdf`` offline (see the module's docstring)."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    reader = PdfFileReader(io.BytesIO(pdf))
    if not reader.embedded_signatures:
        return SignatureCheck(signed=False)
    signature = reader.embedded_signatures[0]
    roots = []
    certificate = configured()
    if certificate is not None and not configuration_problem():
        from asn1crypto import x509 as asn1_x509
        from cryptography.hazmat.primitives.serialization import Encoding

        _key, cert, extra = _load(certificate)
        for item in [cert, *(extra or [])]:
            roots.append(asn1_x509.Certificate.load(item.public_bytes(Encoding.DER)))
    context = ValidationContext(trust_roots=roots, allow_fetching=False)
    status = validate_pdf_signature(signature, context)
    subject = status.signing_cert.subject.human_friendly if status.signing_cert else ""
    return SignatureCheck(signed=True, intact=bool(status.intact), valid=bool(status.valid),
                          trusted=bool(status.trusted), signer=subject,
                          signed_at=status.signer_reported_dt, demo=DEMO_NAME in subject)
