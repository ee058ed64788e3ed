"""`legal-track bundle make|verify` through Typer's runner (no database involved)."""

from __future__ import annotations

import json
import subprocess

from pypdf import PdfReader, PdfWriter
from typer.testing import CliRunner

from legal_track.cli import app
from legal_track.config import get_settings
from tests.components import require_binary
from tests.pdf import samples
from tests.spreadsheets import HOSTILE_NAME, HOSTILE_PURPOSE, assert_inert_xlsx

runner = CliRunner()


def _inputs(folder):
    return [
        samples.text_pdf(folder / "contract.pdf", ["CONTRACT"]),
        samples.image(folder / "id.png", (400, 600), fmt="PNG"),
        samples.tiff(folder / "scan.tif", 2),
    ]


def test_make_then_verify(env, cjk_font):
    contract, photo, scan = _inputs(env)
    out = env / "out" / "bundle.pdf"
    result = runner.invoke(
        app,
        [
            "bundle", "make", "--out", str(out), "--title", "原告证据", "--prefix", "LT-1-",
            "--case-ref", "（2026）京0105民初1号", "--party", "原告：甲公司", "--party", "被告：乙",
            "--date", "2026-11-29", "--dividers",
            "--index-docx", str(env / "idx.docx"), "--index-xlsx", str(env / "idx.xlsx"),
            f"{contract}::借款合同::证明借款关系::原告提供", f"{photo}::身份证", str(scan),
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert f"wrote {out}" in result.stdout
    assert "证据1  借款合同" in result.stdout and "证据3  scan" in result.stdout
    assert "warning:" in result.stderr and "Helvetica" in result.stderr
    assert (env / "idx.docx").is_file() and (env / "idx.xlsx").is_file()
    assert len(PdfReader(out).pages) == 3 + 4 + 3  # cover, index, manifest + 4 exhibit pages
    checked = runner.invoke(app, ["bundle", "verify", str(out), "--source", str(env)])
    assert checked.exit_code == 0, checked.output
    assert "OK" in checked.stdout and "3 exhibits against their files" in checked.stdout


def test_make_json_and_verify_json(env, cjk_font):
    contract, photo, _ = _inputs(env)
    out = env / "b.pdf"
    made = runner.invoke(
        app, ["bundle", "make", "--out", str(out), "--date", "2026-11-29", "--json", str(contract), str(photo)]
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    data = json.loads(made.stdout)
    assert data["page_count"] == 5 and [r["label"] for r in data["rows"]] == ["证据1", "证据2"]
    assert data["volumes"] == [str(out)] and len(data["sha256"][0]) == 64
    checked = runner.invoke(app, ["bundle", "verify", "--json", str(out)])
    assert checked.exit_code == 0, checked.output
    assert json.loads(checked.stdout)[0]["ok"] is True


def test_verify_names_the_changed_page_and_exits_1(env, cjk_font):
    contract, _, _ = _inputs(env)
    out = env / "b.pdf"
    assert runner.invoke(app, ["bundle", "make", "--out", str(out), str(contract)]).exit_code == 0
    writer = PdfWriter(clone_from=PdfReader(out))
    content = writer.pages[2]["/Contents"][1].get_object()
    content.set_data(content.get_data().replace(b"CONTRACT", b"CONTRACX"))
    tampered = env / "tampered.pdf"
    writer.write(tampered)
    result = runner.invoke(app, ["bundle", "verify", str(tampered)])
    assert result.exit_code == 1
    assert "FAILED" in result.stdout and "第 3 页（证据1）的内容与清单不符" in result.stdout


def test_bad_inputs_exit_1_with_a_message_and_no_file(env, cjk_font):
    contract, _, _ = _inputs(env)
    notes = env / "notes.txt"
    notes.write_text("not evidence")
    out = env / "bundle.pdf"
    cases = [
        ([str(contract), str(env / "missing.pdf")], "证据2 (" + str(env / "missing.pdf") + "): file not found"),
        ([str(notes)], "unsupported file type"),
        ([f"{contract}::a::b::c::d"], "expected PATH or PATH::NAME::PURPOSE"),
    ]  # fmt: skip
    for items, message in cases:
        result = runner.invoke(app, ["bundle", "make", "--out", str(out), *items])
        assert result.exit_code == 1, result.output
        assert message in " ".join(result.stderr.split()), result.stderr
        assert "Traceback" not in result.output
        assert not out.exists()
    missing = runner.invoke(app, ["bundle", "verify", str(env / "nope.pdf")])
    assert missing.exit_code == 1 and "file not found" in missing.stderr


def test_missing_font_is_explained(env, monkeypatch):
    contract = samples.shapes_pdf(env / "a.pdf", 1)
    monkeypatch.setenv("LEGAL_TRACK_CJK_FONT", str(env / "no-such-font.ttc"))
    get_settings.cache_clear()
    result = runner.invoke(app, ["bundle", "make", "--out", str(env / "b.pdf"), str(contract)])
    assert result.exit_code == 1
    message = " ".join(result.stderr.split())
    assert "apt-get install fonts-noto-cjk" in message and "LEGAL_TRACK_CJK_FONT" in message
    assert not (env / "b.pdf").exists()


def test_make_takes_csv_and_xlsx_as_table_printouts(env, cjk_font):
    """A transactions export goes straight into a bundle: a GBK CSV and an XLSX become A4
    table exhibits whose text is the file's cells and whose footer carries its SHA-256."""
    import hashlib

    from openpyxl import Workbook

    csv_file = env / "流水.csv"
    csv_file.write_bytes(
        "日期,摘要,金额\n2025-01-05,还款,1200.00\n2025-02-05,还款,800.00\n".encode("gbk")
    )
    xlsx_file = env / "还款计划.xlsx"
    book = Workbook()
    sheet = book.active
    sheet.title = "计划"
    sheet.append(["期数", "到期日", "本金"])
    sheet.append([1, "2025-03-05", 3000])
    book.save(xlsx_file)
    contract = samples.text_pdf(env / "contract.pdf", ["CONTRACT"])
    out = env / "bundle.pdf"
    made = runner.invoke(
        app,
        ["bundle", "make", "--out", str(out), "--date", "2026-11-29", "--json", str(contract),
         f"{csv_file}::交易流水::证明还款情况", str(xlsx_file)],
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    data = json.loads(made.stdout)
    assert [r["name"] for r in data["rows"]] == ["contract", "交易流水", "还款计划"]
    exe = require_binary("pdftotext", "poppler-utils")
    text = subprocess.run([exe, "-layout", str(out), "-"], capture_output=True, text=True,
                          check=True).stdout  # fmt: skip
    assert "2025-02-05" in text and "800.00" in text, "the CSV's rows are printed"
    assert "计划" in text and "3000" in text, "the XLSX sheet is printed"
    assert hashlib.sha256(csv_file.read_bytes()).hexdigest() in text.replace("\n", "")


def test_make_names_a_csv_it_cannot_print(env, cjk_font):
    bad = env / "broken.csv"
    bad.write_bytes(b"\x00\x01\x02 not a table \xff\xfe")
    contract = samples.text_pdf(env / "contract.pdf", ["CONTRACT"])
    out = env / "bundle.pdf"
    result = runner.invoke(app, ["bundle", "make", "--out", str(out), str(contract), str(bad)])
    assert result.exit_code == 1
    assert "broken.csv" in result.stderr, result.stderr
    assert not out.exists(), "no half-written bundle is left behind"


def test_make_writes_formula_like_names_into_the_index_as_text(env, cjk_font):
    contract = samples.text_pdf(env / "contract.pdf", ["CONTRACT"])
    out, xlsx = env / "b.pdf", env / "idx.xlsx"
    made = runner.invoke(
        app, ["bundle", "make", "--out", str(out), "--date", "2026-11-29", "--index-xlsx", str(xlsx),
              f"{contract}::{HOSTILE_NAME}::{HOSTILE_PURPOSE}"],
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    row = assert_inert_xlsx(xlsx)[1]
    assert row[1] == HOSTILE_NAME and row[3].startswith(HOSTILE_PURPOSE + "\n注：原件未嵌入字体")


def test_make_embed_fonts_passes_the_font_check_and_still_verifies(env, cjk_font, substitute_fonts):
    contract = samples.text_pdf(env / "contract.pdf", ["CONTRACT"])
    out = env / "b.pdf"
    made = runner.invoke(app, ["bundle", "make", "--out", str(out), "--embed-fonts", str(contract)])
    assert made.exit_code == 0, made.output
    assert "本证据材料已嵌入度量相同的替代字体" in made.stdout
    assert "embedded substitutes: Helvetica -> Liberation Sans" in " ".join(made.stderr.split())
    pdffonts = require_binary("pdffonts", "poppler-utils")
    listing = subprocess.run([pdffonts, str(out)], capture_output=True, text=True, check=True)
    assert [line.split()[-5] for line in listing.stdout.splitlines()[2:]] == ["yes", "yes"]
    checked = runner.invoke(app, ["bundle", "verify", str(out), "--source", str(contract)])
    assert checked.exit_code == 0, checked.output
