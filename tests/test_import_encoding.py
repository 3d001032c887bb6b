"""Encodings: detected, reported and logged; never a silent replacement of characters."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest
from import_helpers import run_cli

from scoping.errors import ScopingError
from scoping.readers import read_file
from scoping.readers.textio import decode_bytes, detect_encoding

SCOPUS = "formats/citesource/topic_data/20221207_gambling-harms_scopus_255.ris"


def _records_encodable(text: str, encoding: str) -> str:
    """The RIS records of ``text`` that ``encoding`` can hold, joined (real records, re-encoded)."""
    records = re.findall(r"^TY  - .*?^ER  -[^\n]*\n", text, flags=re.MULTILINE | re.DOTALL)
    kept = []
    for rec in records:
        try:
            rec.encode(encoding)
        except UnicodeEncodeError:
            continue
        kept.append(rec)
    return "".join(kept)


@pytest.fixture(scope="module")
def scopus_text(shared_data: Path) -> str:
    return (shared_data / SCOPUS).read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("encoding", "reported"),
    [
        ("utf-8", ("utf-8",)),
        ("utf-8-sig", ("utf-8-sig",)),
        ("utf-16", ("utf-16",)),  # Python writes a BOM
        ("utf-16-le", ("utf-16-le",)),  # no BOM
        ("cp1252", ("cp1252",)),
        ("latin-1", ("cp1252", "latin-1")),  # identical for the characters latin-1 holds
    ],
)
def test_reencoded_export_reads_the_same(
    scopus_text: str, tmp_path: Path, caplog, encoding: str, reported: tuple[str, ...]
) -> None:
    text = _records_encodable(scopus_text, encoding)
    assert sum(not ch.isascii() for ch in text) > 20, "the sample must carry accented text"
    reference = tmp_path / "utf8.ris"
    reference.write_text(text, encoding="utf-8")
    path = tmp_path / f"{encoding}.ris"
    path.write_bytes(text.encode(encoding))
    with caplog.at_level(logging.INFO, logger="scoping.readers.textio"):
        result = read_file(path)
    assert result.encoding in reported
    assert any(result.encoding in m and str(path) in m for m in caplog.messages)
    want = read_file(reference).records
    assert [r.title for r in result.records] == [r.title for r in want]
    assert [r.authors for r in result.records] == [r.authors for r in want]
    assert [r.abstract for r in result.records] == [r.abstract for r in want]
    assert not any("\ufffd" in r.abstract + r.title for r in result.records)


def test_real_bom_file(shared_data: Path) -> None:
    result = read_file(shared_data / "formats/rispy/example_bom.ris")
    assert result.encoding == "utf-8-sig"
    assert result.records[0].raw  # the BOM did not hide the TY tag


def test_cp1252_bytes_are_not_latin1_controls() -> None:
    # 0x93/0x94 are curly quotes in cp1252 and invisible C1 controls in latin-1.
    text, enc = decode_bytes(b"TI  - \x93Quoted\x94 title\r\n", path="x.ris")
    assert enc == "cp1252"
    assert "\u201cQuoted\u201d" in text


def test_latin1_when_cp1252_cannot_decode() -> None:
    assert detect_encoding("Ä title".encode("latin-1") + b"\x81") == "latin-1"


def test_forced_wrong_encoding_names_the_line(
    scopus_text: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = _records_encodable(scopus_text, "cp1252")
    path = tmp_path / "cp1252.ris"
    path.write_bytes(text.encode("cp1252"))
    bad_line = next(i for i, line in enumerate(text.split("\n"), 1) if not line.isascii())
    with pytest.raises(ScopingError, match=rf"line {bad_line}: the file is not valid utf-8"):
        read_file(path, encoding="utf-8")
    code, _, err = run_cli(["import", str(path), "--encoding", "utf-8"], capsys)
    assert code == 2
    assert "re-save the file as UTF-8" in err


def test_csv_in_utf16_from_excel(shared_data: Path, tmp_path: Path) -> None:
    source = shared_data / "formats/asysd/zotero_export.csv"
    text = source.read_text(encoding="utf-8-sig")
    path = tmp_path / "zotero_utf16.csv"
    path.write_bytes(text.encode("utf-16"))
    result = read_file(path)
    assert result.encoding == "utf-16"
    assert result.flavour == "Zotero"
    assert [r.title for r in result.records] == [r.title for r in read_file(source).records]


def test_double_encoded_text_is_reported(shared_data: Path) -> None:
    # Scopus wrote "p =Â 0.001" (a no-break space converted to UTF-8 twice) at line 4343.
    result = read_file(shared_data / "formats/revtools/restoration_scopus.ris")
    assert any(p.startswith("line 4343: text like 'Ã©'") for p in result.problems)
    clean = read_file(shared_data / SCOPUS)
    assert not any("converted to UTF-8 twice" in p for p in clean.problems)
