"""MARC-8 → Unicode decoding that counts what it cannot decode instead of hiding it (pure).

pymarc's own decoder writes to stderr, turns an unknown character into a space, drops
control characters and a combining mark left at the end of a string, and loses the
spaces of East Asian (EACC) and Cyrillic text, whose sets have no 0x20 of their own.
This one uses pymarc's LC mapping tables but:

- returns how many bytes it could not map, each shown as U+FFFD, so the caller can report
  the record instead of storing a silently altered text;
- reads 0x20 as a space in every set (real MARC-8 writes EACC spaces as one byte);
- looks a set up in the other half of the code table when it is designated to G1 but
  tabled as G0 (or the reverse), as the MARC-8 specification allows;
- takes a plain-ASCII string straight through, which is most control fields and
  subfields even in MARC-8 records.

See https://www.loc.gov/marc/specifications/speccharmarc8.html.
"""

from __future__ import annotations

import unicodedata

from pymarc.marc8_mapping import CODESETS, ODD_MAP

ESC = 0x1B
REPLACEMENT = "\ufffd"

BASIC_LATIN = 0x42
ANSEL = 0x45
EACC = 0x31  # the only multibyte set
_SUBSCRIPT, _GREEK_SYMBOLS, _SUPERSCRIPT, _ASCII_DEFAULT = 0x62, 0x67, 0x70, 0x73

# Intermediate bytes of the escape sequences that designate a set to G0 or G1.
_G0_INTERMEDIATES = {0x28, 0x2C}  # "(" ","
_G1_INTERMEDIATES = {0x29, 0x2D}  # ")" "-"
_INTERMEDIATES = _G0_INTERMEDIATES | _G1_INTERMEDIATES
_MULTIBYTE = 0x24  # "$"


def decode_marc8(data: bytes) -> tuple[str, int]:
    """Decode MARC-8 ``data``; return the NFC text and how many bytes could not be mapped."""
    if data.isascii() and ESC not in data:
        return data.decode("ascii"), 0
    return _Decoder().decode(data)


class _Decoder:
    """One decoding pass: the G0/G1 designations persist only within one string."""

    __slots__ = ("errors", "g0", "g1")

    def __init__(self) -> None:
        self.g0 = BASIC_LATIN
        self.g1 = ANSEL
        self.errors = 0

    def decode(self, data: bytes) -> tuple[str, int]:
        out: list[str] = []
        combining: list[str] = []  # MARC-8 puts marks before their base, Unicode after
        pos, size = 0, len(data)
        while pos < size:
            byte = data[pos]
            if byte == ESC:
                after = self._escape(data, pos)
                if after is not None:
                    pos = after
                    continue
                # A broken escape: mark it and read the bytes after it as text.
                char, is_mark, pos = REPLACEMENT, False, pos + 1
                self.errors += 1
            elif self.g0 == EACC and byte < 0x80:
                char, is_mark, pos = self._eacc(data, pos)
            elif byte <= 0x20 or byte == 0x7F:
                # Controls and the space are the same in every MARC-8 set.
                char, is_mark, pos = chr(byte), False, pos + 1
            else:
                char, is_mark = self._single(byte)
                pos += 1
            if is_mark:
                combining.append(char)
                continue
            out.append(char)
            if combining:
                out.extend(combining)
                combining.clear()
        out.extend(combining)  # a dangling mark is kept, not dropped
        text = "".join(out)
        if not unicodedata.is_normalized("NFC", text):
            text = unicodedata.normalize("NFC", text)
        return text, self.errors

    def _escape(self, data: bytes, pos: int) -> int | None:
        """Apply the escape sequence at ``pos``; return the position after it, or None
        if it is incomplete or unknown (the caller then reads on from the next byte)."""
        rest = data[pos + 1 : pos + 4]
        first = rest[0] if rest else None
        if first in (_SUBSCRIPT, _GREEK_SYMBOLS, _SUPERSCRIPT):
            self.g0 = first
            return pos + 2
        if first == _ASCII_DEFAULT:
            self.g0 = BASIC_LATIN
            return pos + 2
        if first == _MULTIBYTE:
            # ESC $ F, ESC $ , F (G0) or ESC $ ) F, ESC $ - F (G1); the bare form is G0.
            if len(rest) == 3 and rest[1] in _INTERMEDIATES:
                if rest[1] in _G0_INTERMEDIATES:
                    self.g0 = rest[2]
                else:
                    self.g1 = rest[2]
                return pos + 4
            if len(rest) >= 2 and rest[1] not in _INTERMEDIATES:
                self.g0 = rest[1]
                return pos + 3
            return None
        if first in _INTERMEDIATES and len(rest) >= 2:
            if first in _G0_INTERMEDIATES:
                self.g0 = rest[1]
            else:
                self.g1 = rest[1]
            return pos + 3
        return None

    def _eacc(self, data: bytes, pos: int) -> tuple[str, bool, int]:
        """Read one three-byte EACC character at ``pos``; a lone space or control byte
        (how real records write them between EACC characters) is read as itself."""
        chunk = data[pos : pos + 3]
        if len(chunk) == 3:
            code = (chunk[0] << 16) | (chunk[1] << 8) | chunk[2]
            hit = CODESETS[EACC].get(code)
            if hit is not None:
                return chr(hit[0]), bool(hit[1]), pos + 3
            odd = ODD_MAP.get(code)
            if odd is not None:
                return chr(odd), False, pos + 3
        byte = chunk[0]
        if byte <= 0x20 or byte == 0x7F:
            return chr(byte), False, pos + 1
        self.errors += 1
        return REPLACEMENT, False, pos + len(chunk)

    def _single(self, byte: int) -> tuple[str, bool]:
        """Map one byte through the G0 (0x21-0x7E) or G1 (0x80-0xFE) set."""
        charset = self.g1 if byte >= 0x80 else self.g0
        table = CODESETS.get(charset)
        if table is not None:
            # A set tabled in one half may be designated to the other half.
            hit = table.get(byte) or table.get(byte ^ 0x80)
            if hit is not None:
                return chr(hit[0]), bool(hit[1])
        odd = ODD_MAP.get(byte)
        if odd is not None:
            return chr(odd), False
        self.errors += 1
        return REPLACEMENT, False
