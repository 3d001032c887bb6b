"""One line-oriented parser for the three tagged formats: RIS, MEDLINE (nbib) and Web of Science.

They differ only in how a tag line looks, what starts and ends a record and how a value goes on
over the next line, so one loop serves all three (``Dialect`` holds the differences). Every tag is
kept in order with every value, and each record knows the line it starts on, so errors can name it.

Why not rispy and ``Bio.Medline``: both are measured beside this parser in
``benchmarks/import_bench.py``; rispy keeps only the last value of a repeated single-value tag
(an Ovid record with two ``PB`` lines loses one), drops a truncated last record without a word, and
neither reports line numbers for errors. Web of Science tagged text has no parser in either.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from scoping.errors import ScopingError

_RECORD_NUMBER = re.compile(r"^\s*\d+\.\s*$")  # Ovid numbers records between them


@dataclass(frozen=True, slots=True)
class Dialect:
    """How one tagged format spells its records."""

    name: str
    tag_line: re.Pattern[str]  # group 1: tag, group 2: value (may be None)
    start_tags: frozenset[str] | None  # None: any tag opens a record
    end_tag: str | None  # None: a blank line closes the record
    header_tags: frozenset[str] = frozenset()  # file-level tags outside records (WoS FN, VR, EF)
    indent_continues: bool = False  # only indented lines continue a value (MEDLINE, WoS)
    malformed_tag: re.Pattern[str] | None = None  # a line that looks like a bad tag line
    fix: str = ""


@dataclass(slots=True)
class TaggedRecord:
    """One record: its first line number and its ``[tag, [lines]]`` fields in file order."""

    line: int
    fields: list[tuple[str, list[str]]] = field(default_factory=list)
    trailing: list[str] = field(default_factory=list)  # text after the end tag (Ovid links)
    _index: dict[str, list[list[str]]] | None = None

    def _by_tag(self) -> dict[str, list[list[str]]]:
        # Built once per record: mapping a record asks for about 25 tags.
        if self._index is None:
            index: dict[str, list[list[str]]] = {}
            for tag, lines in self.fields:
                index.setdefault(tag, []).append(lines)
            self._index = index
        return self._index

    def values(self, tag: str) -> list[str]:
        """Every value of ``tag``, continuation lines joined with a space."""
        out = []
        for lines in self._by_tag().get(tag, ()):
            if len(lines) == 1:
                out.append(lines[0].strip())
            else:
                out.append(" ".join(p.strip() for p in lines if p.strip()))
        return out

    def lines(self, tag: str) -> list[str]:
        """Every line of every value of ``tag`` (WoS puts one author per line)."""
        return [p.strip() for lines in self._by_tag().get(tag, ()) for p in lines if p.strip()]

    def first(self, *tags: str) -> str:
        """First non-empty value among ``tags``, in the order given."""
        index = self._by_tag()
        for tag in tags:
            for lines in index.get(tag, ()):
                value = (
                    lines[0].strip()
                    if len(lines) == 1
                    else " ".join(p.strip() for p in lines if p.strip())
                )
                if value:
                    return value
        return ""

    def raw(self) -> dict[str, object]:
        """Raw fields for audit: tag -> value, or a list where a tag repeats."""
        out: dict[str, object] = {}
        for tag, values in self._by_tag().items():
            texts = [
                lines[0].strip() if len(lines) == 1 else "\n".join(lines).strip()
                for lines in values
            ]
            out[tag] = texts[0] if len(texts) == 1 else texts
        if self.trailing:
            out["_after_record"] = "\n".join(self.trailing)
        return out


#: Tags of the RIS specification (RefMan/EndNote); vendors add their own, which are kept too.
RIS_TAGS = frozenset(
    {
        "TY",
        "A1",
        "A2",
        "A3",
        "A4",
        "AB",
        "AD",
        "AN",
        "AU",
        "AV",
        "BT",
        "C1",
        "C2",
        "C3",
        "C4",
        "C5",
        "C6",
        "C7",
        "C8",
        "CA",
        "CN",
        "CP",
        "CT",
        "CY",
        "DA",
        "DB",
        "DO",
        "DP",
        "ED",
        "EP",
        "ER",
        "ET",
        "ID",
        "IS",
        "J1",
        "J2",
        "JA",
        "JF",
        "JO",
        "KW",
        "L1",
        "L2",
        "L3",
        "L4",
        "LA",
        "LB",
        "LK",
        "M1",
        "M2",
        "M3",
        "N1",
        "N2",
        "NV",
        "OP",
        "PB",
        "PP",
        "PY",
        "RI",
        "RN",
        "RP",
        "SE",
        "SN",
        "SP",
        "ST",
        "T1",
        "T2",
        "T3",
        "TA",
        "TI",
        "TT",
        "U1",
        "U2",
        "U3",
        "U4",
        "U5",
        "UR",
        "VL",
        "VO",
        "Y1",
        "Y2",
    }
)

RIS = Dialect(
    name="ris",
    tag_line=re.compile(r"^([A-Z][A-Z0-9])  -(?: (.*))?$"),
    start_tags=frozenset({"TY"}),
    end_tag="ER",
    # A known tag with the wrong spacing ("TI - x", "TI- x") would otherwise be glued silently
    # onto the previous value.
    malformed_tag=re.compile(
        rf"^(?:{'|'.join(sorted(RIS_TAGS))})(?:(?: ?-| {{3,}}-)(?: |$)|  -(?=\S))"
    ),
    fix="each line must be a two-character tag, two spaces, '-', a space and the value "
    "('TI  - Title'); export the file again from the database",
)
MEDLINE = Dialect(
    name="medline",
    tag_line=re.compile(r"^([A-Z][A-Z0-9 ]{1,3})- (.*)$"),
    start_tags=None,
    end_tag=None,
    indent_continues=True,
    fix="export again from PubMed (Send to > Citation manager / Save as PubMed format)",
)
WOS = Dialect(
    name="wos",
    tag_line=re.compile(r"^([A-Z][A-Z0-9])(?: (.*))?$"),
    start_tags=None,
    end_tag="ER",
    header_tags=frozenset({"FN", "VR", "EF"}),
    indent_continues=True,
    fix="export again from Web of Science (Export > Plain text file, full record)",
)


def iter_tagged(text: str, *, dialect: Dialect, path: str | Path) -> Iterator[TaggedRecord]:
    """Records of a tagged export; raises ``ScopingError`` naming the line of a broken record."""
    match_tag = dialect.tag_line.match
    start_tags = dialect.start_tags
    end_tag = dialect.end_tag
    header_tags = dialect.header_tags
    indent_continues = dialect.indent_continues
    malformed = dialect.malformed_tag
    current: TaggedRecord | None = None
    pending: TaggedRecord | None = None  # closed, held back to collect trailing lines
    last_lines: list[str] | None = None
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    # str.split, not splitlines: splitlines also breaks at \x1c-\x1e, \x85 and \u2028 inside values.
    for number, line in enumerate(text.split("\n"), start=1):
        if not line or line.isspace():
            if end_tag is None and current is not None:
                yield current
                current, last_lines = None, None
            continue
        m = None if (indent_continues and line[0] in " \t") else match_tag(line)
        if m is None:
            if current is not None and last_lines is not None:
                if malformed is not None and malformed.match(line):
                    raise ScopingError(
                        f"malformed tag line '{line[:20]}' in the {dialect.name.upper()} record "
                        f"that starts at line {current.line}",
                        file=path,
                        line=number,
                        fix=dialect.fix + ".",
                    )
                last_lines.append(line)
            elif pending is not None and not _RECORD_NUMBER.match(line):
                pending.trailing.append(line.strip())
            continue
        tag, value = m.groups()
        if tag[-1] == " ":
            tag = tag.rstrip()  # MEDLINE pads tags to four characters
        if current is None:
            if tag in header_tags:
                continue  # file headers (WoS FN, VR, EF)
            if start_tags is not None and tag not in start_tags:
                # Ovid writes an "NL" tag after "ER": kept with the record before it. Before
                # the first record a tag line means that record lost its first line.
                if pending is not None:
                    pending.trailing.append(line.strip())
                    continue
                raise ScopingError(
                    f"tag '{tag}' outside a record: the record has no "
                    f"'{sorted(start_tags)[0]}' line before it",
                    file=path,
                    line=number,
                    fix=f"add the record's '{sorted(start_tags)[0]}  - ' line "
                    "or export the file again.",
                )
            if pending is not None:
                yield pending
                pending = None
            current = TaggedRecord(line=number)
        elif start_tags is not None and tag in start_tags:
            raise ScopingError(
                f"a new record starts before the record at line {current.line} ended "
                f"(no '{end_tag}' line)",
                file=path,
                line=number,
                fix=f"add the missing '{end_tag}' line or export the file again.",
            )
        if tag == end_tag:
            pending, current, last_lines = current, None, None
            continue
        last_lines = [value or ""]
        current.fields.append((tag, last_lines))
    if current is not None:
        if end_tag is not None:
            raise ScopingError(
                f"the last record (from line {current.line}) has no '{end_tag}' line: "
                "the file looks truncated",
                file=path,
                line=current.line,
                fix=f"export the file again, or end the record with an '{end_tag}' line.",
            )
        yield current
    if pending is not None:
        yield pending
