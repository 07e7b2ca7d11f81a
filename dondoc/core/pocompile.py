"""Compile gettext ``.po`` catalogues to ``.mo`` without GNU gettext installed.

``make`` uses Django's ``compilemessages`` (GNU ``msgfmt``) when it is present and falls
back to this module otherwise, so a fresh machine without gettext still gets the
Vietnamese interface. Fuzzy entries are skipped, as ``msgfmt`` does.
"""

from __future__ import annotations

import ast
import struct
import sys
from pathlib import Path

MAGIC = 0x950412DE


def _unquote(text: str) -> str:
    value = ast.literal_eval(text)
    if not isinstance(value, str):
        raise ValueError(f"not a string: {text!r}")
    return value


def parse(po_text: str) -> dict[str, str]:
    """The translated messages of a catalogue: ``{msgid: msgstr}``.

    Entries are the blank-line separated blocks ``makemessages`` writes. Plural forms are
    keyed ``singular\0plural`` with the forms joined by ``\0``; a context makes the key
    ``context\x04msgid``. Untranslated and fuzzy entries are left out.
    """
    messages: dict[str, str] = {}
    for block in po_text.split("\n\n"):
        lines = [line.strip() for line in block.splitlines() if line.strip()]
        if any(line.startswith("#,") and "fuzzy" in line for line in lines):
            continue
        fields: dict[str, str] = {}
        current = ""
        for line in lines:
            if line.startswith("#"):
                continue
            if line.startswith('"'):
                fields[current] += _unquote(line)
                continue
            current, _space, rest = line.partition(" ")
            fields[current] = _unquote(rest)
        if "msgid" not in fields:
            continue
        key = fields["msgid"]
        if "msgid_plural" in fields:
            key = f"{key}\0{fields['msgid_plural']}"
            forms = sorted((k for k in fields if k.startswith("msgstr[")),
                           key=lambda k: int(k[7:-1]))
            value = "\0".join(fields[k] for k in forms)
        else:
            value = fields.get("msgstr", "")
        if "msgctxt" in fields:
            key = f"{fields['msgctxt']}\x04{key}"
        if value.replace("\0", "") or key == "":
            messages[key] = value
    return messages


def mo_bytes(messages: dict[str, str]) -> bytes:
    """The GNU ``.mo`` encoding of ``messages`` (sorted keys, no hash table)."""
    keys = sorted(messages)
    ids = [key.encode("utf-8") for key in keys]
    strs = [messages[key].encode("utf-8") for key in keys]
    count = len(keys)
    header_size = 7 * 4
    originals_at = header_size
    translations_at = originals_at + count * 8
    data_at = translations_at + count * 8
    table_ids, table_strs, blob = [], [], b""
    for encoded in ids:
        table_ids.append((len(encoded), data_at + len(blob)))
        blob += encoded + b"\0"
    for encoded in strs:
        table_strs.append((len(encoded), data_at + len(blob)))
        blob += encoded + b"\0"
    out = struct.pack("<7I", MAGIC, 0, count, originals_at, translations_at, 0, 0)
    out += b"".join(struct.pack("<2I", length, offset) for length, offset in table_ids)
    out += b"".join(struct.pack("<2I", length, offset) for length, offset in table_strs)
    return out + blob


def compile_tree(root: Path) -> list[Path]:
    """Compile every ``locale/*/LC_MESSAGES/*.po`` below ``root``; return the .mo paths."""
    written = []
    for po in sorted(root.glob("locale/*/LC_MESSAGES/*.po")):
        mo = po.with_suffix(".mo")
        mo.write_bytes(mo_bytes(parse(po.read_text(encoding="utf-8"))))
        written.append(mo)
    return written


if __name__ == "__main__":
    for path in compile_tree(Path(sys.argv[1] if len(sys.argv) > 1 else ".")):
        print(f"compiled {path}")
