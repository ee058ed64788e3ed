"""Bad input: every problem with its exact message, and nothing written."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from legal_track.intake import IntakeError, import_bytes, import_file
from tests.intake.files import (
    CONTACT_ROWS,
    CONTACT_ZH,
    LEDGER_EN,
    LEDGER_ROWS,
    LEDGER_ZH,
    LOAN_EN,
    LOAN_ROWS,
    LOAN_ZH,
    counts,
    problems_of,
    sample_file,
    write_csv,
    write_xlsx,
)


@pytest.fixture
def loaded(session, tmp_path, now):
    """A database holding the three sample loans (for ledger and contacts files)."""
    import_file(
        session, kind="loans", path=sample_file(tmp_path, "loans", "utf-8"), actor="t", now=now
    )
    return session


def loans_with(tmp_path, changes: dict[tuple[int, int], str], header=LOAN_ZH, name="loans.csv"):
    """The sample loans file with cells replaced: {(row index, column index): text}."""
    rows = [list(r) for r in LOAN_ROWS]
    for (r, c), value in changes.items():
        rows[r][c] = value
    return write_csv(tmp_path / name, header, rows)


COL = {key: i for i, key in enumerate(LOAN_EN)}


def test_unknown_encoding_names_offset_and_line(session, tmp_path, now):
    path = tmp_path / "loans.csv"
    head = ",".join(LOAN_EN).encode() + b"\r\n"
    path.write_bytes(head + b"HT-1,\xff\xfe\xfd," + b"x" * 10 + b"\r\n")
    assert problems_of(session, "loans", path, now) == [
        f"loans.csv row 2: unknown encoding: not UTF-8 or GBK/GB18030 "
        f"(byte 0xFF at offset {len(head) + 5}, line 2)"
    ]


def test_undecodable_byte_deep_in_a_large_file_is_located(session, tmp_path, now):
    line = "HT,张三,甲乙丙丁\r\n".encode()
    body = line * 200_000  # > 1 MiB so the bad byte sits in a later read chunk
    path = tmp_path / "big.csv"
    path.write_bytes(",".join(LOAN_EN).encode() + b"\r\n" + body + b"\x80\r\n")
    offset = path.stat().st_size - 3
    assert problems_of(session, "loans", path, now) == [
        f"big.csv row 200002: unknown encoding: not UTF-8 or GBK/GB18030 "
        f"(byte 0x80 at offset {offset}, line 200002)"
    ]


def test_missing_columns_named_in_both_languages(session, tmp_path, now):
    keep = [i for i, h in enumerate(LOAN_ZH) if h not in ("身份证号", "出借人")]
    path = write_csv(
        tmp_path / "loans.csv",
        [LOAN_ZH[i] for i in keep],
        [[r[i] for i in keep] for r in LOAN_ROWS],
    )
    assert problems_of(session, "loans", path, now) == [
        "loans.csv row 1: missing column(s): 身份证号 (id_number), 出借人 (creditor)"
    ]


def test_column_given_twice(session, tmp_path, now):
    header = [*LOAN_ZH, "contract_no"]
    rows = [[*r, r[0]] for r in LOAN_ROWS]
    path = write_csv(tmp_path / "loans.csv", header, rows)
    assert problems_of(session, "loans", path, now) == [
        "loans.csv row 1, column contract_no: column appears twice: 合同编号 (contract_no)"
    ]


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("disbursed_on", "2025-02-30", "not a date: '2025-02-30' (use 2026-01-05, 2026/1/5 or 2026年1月5日)"),
        ("maturity_on", "明年", "not a date: '明年' (use 2026-01-05, 2026/1/5 or 2026年1月5日)"),
        ("principal", "-5", "negative amount: '-5'"),
        ("outstanding_principal", "-1,000.00", "negative amount: '-1,000.00'"),
        ("principal", "12,3a", "not an amount: '12,3a'"),
        ("principal", "10.005", "more than two decimal places: '10.005'"),
        ("annual_rate", "18", "rate '18' is not between 0 and 100%: write 0.18 or 18%"),
        ("annual_rate", "abc%", "not a rate: 'abc%' (use 0.18 or 18%)"),
        ("id_number", LOAN_ROWS[0][2][:-1] + ("0" if LOAN_ROWS[0][2][-1] != "0" else "1"),
         f"ID number checksum fails (last character should be {LOAN_ROWS[0][2][-1]})"),
        ("id_number", "11010119900307", "ID number must be 17 digits followed by a digit or X"),
        ("id_number", "110101199002301234", "ID number has an impossible birth date 19900230"),
        ("creditor", "=HYPERLINK(\"http://x\")", "starts like a spreadsheet formula: '=HYPERLINK(\"http://x\")'"),
        ("address", "+cmd|' /C calc'!A0", "starts like a spreadsheet formula: \"+cmd|' /C calc'!A0\""),
        ("borrower_name", "@SUM(A1:A9)", "starts like a spreadsheet formula: '@SUM(A1:A9)'"),
        ("phone", "-2+3", "starts like a spreadsheet formula: '-2+3'"),
        ("borrower_name", "", "required value is empty"),
        ("principal", "   ", "required value is empty"),
        ("email", "not-an-email", "not an e-mail address: 'not-an-email'"),
        ("contract_no", "X" * 65, "too long: 65 characters (at most 64)"),
        ("maturity_on", "2024-01-01", "maturity date 2024-01-01 is before the disbursement date 2025-01-05"),
    ],
    ids=lambda v: v if isinstance(v, str) and len(v) < 20 else None,
)  # fmt: skip
def test_bad_loan_cell(session, tmp_path, now, column, value, message):
    path = loans_with(tmp_path, {(0, COL[column]): value})
    header = LOAN_ZH[COL[column]]
    assert problems_of(session, "loans", path, now) == [
        f"loans.csv row 2, column {header}: {message}"
    ]


def test_negative_number_is_a_negative_amount_not_a_formula(session, tmp_path, now):
    path = loans_with(tmp_path, {(1, COL["principal"]): "-5"}, header=LOAN_EN)
    assert problems_of(session, "loans", path, now) == [
        "loans.csv row 3, column principal: negative amount: '-5'"
    ]


def test_contract_number_repeated_in_the_file(session, tmp_path, now):
    path = loans_with(tmp_path, {(2, COL["contract_no"]): "HT-2025-001"})
    assert problems_of(session, "loans", path, now) == [
        "loans.csv row 4, column 合同编号: contract number repeated in the file (first on row 2)"
    ]


def test_borrower_details_must_agree_for_one_id_number(session, tmp_path, now):
    path = loans_with(tmp_path, {(1, COL["borrower_name"]): "张叁"})
    assert problems_of(session, "loans", path, now) == [
        "loans.csv row 3, column 身份证号: borrower with this ID number has other details on "
        "row 2 (name, phone, address and e-mail must match)"
    ]


def test_every_problem_of_every_row_is_listed_in_row_order(session, tmp_path, now):
    path = loans_with(
        tmp_path,
        {
            (0, COL["principal"]): "-5",
            (0, COL["creditor"]): "=1+1",
            (1, COL["disbursed_on"]): "2025-13-01",
            (2, COL["contract_no"]): "HT-2025-002",
            (2, COL["id_number"]): "123",
        },
    )
    assert problems_of(session, "loans", path, now) == [
        "loans.csv row 2, column 出借人: starts like a spreadsheet formula: '=1+1'",
        "loans.csv row 2, column 借款本金: negative amount: '-5'",
        "loans.csv row 3, column 放款日期: not a date: '2025-13-01' (use 2026-01-05, 2026/1/5 or "
        "2026年1月5日)",
        "loans.csv row 4, column 身份证号: ID number must be 17 digits followed by a digit or X",
        "loans.csv row 4, column 合同编号: contract number repeated in the file (first on row 3)",
    ]


def test_xlsx_problems_use_the_spreadsheet_row_and_header(loaded, tmp_path, now):
    rows = [
        ["HT-1", "2025-01-05", "还款", 100, "R1"],
        [None, None, None, None, None],
        ["HT-2025-001", "2025-01-05", "还款", -100, "R2"],
        ["HT-2025-001", 1.5, "退款", "=A1*2", "R3"],
    ]
    path = write_xlsx(tmp_path / "流水.xlsx", LEDGER_EN, rows)
    assert problems_of(loaded, "ledger", path, now) == [
        "流水.xlsx row 2, column contract_no: unknown contract number 'HT-1': import it in a "
        "loans file first",
        "流水.xlsx row 4, column amount: negative amount: '-100'",
        "流水.xlsx row 5, column date: not a date: '1.5' (use 2026-01-05, 2026/1/5 or 2026年1月5日)",
        "流水.xlsx row 5, column kind: unknown value '退款'; accepted: disbursement, repayment, "
        "fee, write_off, 放款, 还款, 费用, 核销",
        "流水.xlsx row 5, column amount: starts like a spreadsheet formula: '=A1*2'",
    ]


def test_id_number_kept_as_an_excel_number(session, tmp_path, now):
    rows = [list(r) for r in LOAN_ROWS]
    rows[0][COL["id_number"]] = 1.10101199003071e17
    path = write_xlsx(tmp_path / "loans.xlsx", LOAN_ZH, rows)
    assert problems_of(session, "loans", path, now) == [
        "loans.xlsx row 2, column 身份证号: ID number stored as a number loses digits: format the "
        "column as text"
    ]


def test_unknown_contract_and_enum_in_a_ledger_file(loaded, tmp_path, now):
    rows = [list(r) for r in LEDGER_ROWS]
    rows[1][0] = "HT-9999"
    rows[3][2] = "refund"
    rows[4][3] = "100.00"  # GBK has no '¥'
    path = write_csv(tmp_path / "ledger.csv", LEDGER_ZH, rows, "gbk")
    assert problems_of(loaded, "ledger", path, now) == [
        "ledger.csv row 3, column 合同编号: unknown contract number 'HT-9999': import it in a "
        "loans file first",
        "ledger.csv row 5, column 类型: unknown value 'refund'; accepted: disbursement, "
        "repayment, fee, write_off, 放款, 还款, 费用, 核销",
    ]


def test_ledger_reference_repeated_for_one_contract(loaded, tmp_path, now):
    rows = [*LEDGER_ROWS, ["HT-2025-001", "2025-04-05", "还款", "100", "RP-0001"]]
    rows.append(["HT-2025-002", "2025-04-05", "还款", "100", "RP-0001"])  # other loan: fine
    path = write_csv(tmp_path / "ledger.csv", LEDGER_ZH, rows)
    assert problems_of(loaded, "ledger", path, now) == [
        "ledger.csv row 7, column 流水号: same contract and reference already on row 3"
    ]


def test_bad_contact_rows(loaded, tmp_path, now):
    rows = [list(r) for r in CONTACT_ROWS]
    rows[0][1] = "2025-07-01 25:00"
    rows[1][2] = "微信"
    rows[2][5] = "送达"
    rows[3][0] = "HT-404"
    rows.append(list(CONTACT_ROWS[1]))
    rows.append(list(CONTACT_ROWS[1]) + [])
    rows[-1][7] = "下周"
    path = write_csv(tmp_path / "contacts.csv", CONTACT_ZH, rows)
    assert problems_of(loaded, "contacts", path, now) == [
        "contacts.csv row 2, column 时间: not a date and time: '2025-07-01 25:00' (use "
        "2026-01-05 14:30)",
        "contacts.csv row 3, column 渠道: unknown value '微信'; accepted: sms, email, app, call, "
        "letter, visit, 短信, 邮件, 站内信, 电话, 信函, 上门",
        "contacts.csv row 4, column 送达状态: unknown value '送达'; accepted: delivered, failed, "
        "unknown, 已送达, 失败, 未知",
        "contacts.csv row 5, column 合同编号: unknown contract number 'HT-404': import it in a "
        "loans file first",
        "contacts.csv row 7, column 承诺还款日: not a date: '下周' (use 2026-01-05, 2026/1/5 or "
        "2026年1月5日)",
        "contacts.csv row 7, column 时间: same contract, time, channel and target already on row 6",
    ]


def test_contacts_for_unknown_contracts_in_an_empty_database(session, tmp_path, now):
    path = sample_file(tmp_path, "contacts", "xlsx")
    problems = problems_of(session, "contacts", path, now)
    assert len(problems) == 4
    assert problems[0] == (
        "contacts.xlsx row 2, column 合同编号: unknown contract number 'HT-2025-001': import it "
        "in a loans file first"
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "the file is empty: no header row"),
        (b"\r\n\r\n", "the file is empty: no header row"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512,
         "the old Excel .xls format is not supported: save the file as .xlsx or CSV"),
        (b"PK\x03\x04 not really a zip",
         "not a readable XLSX workbook: File is not a zip file"),
    ],
    ids=["empty", "blank-lines", "xls", "broken-xlsx"],
)  # fmt: skip
def test_unreadable_files(session, tmp_path, now, data, message):
    path = tmp_path / "upload.xlsx"
    path.write_bytes(data)
    assert problems_of(session, "loans", path, now) == [f"upload.xlsx: {message}"]


def test_broken_csv_field(session, tmp_path, now):
    path = tmp_path / "loans.csv"
    path.write_bytes(",".join(LOAN_EN).encode() + b'\r\nHT,"' + b"x" * 200_000 + b'"\r\n')
    assert problems_of(session, "loans", path, now) == [
        "loans.csv row 2: CSV format error: field larger than field limit (131072)"
    ]


def test_nul_character_in_a_cell(session, tmp_path, now):
    path = loans_with(tmp_path, {(0, COL["address"]): "北京\0市"})
    assert problems_of(session, "loans", path, now) == [
        "loans.csv row 2, column 地址: contains a NUL character (0x00)"
    ]


def test_problem_text_in_chinese(session, tmp_path, now):
    path = loans_with(tmp_path, {(0, COL["principal"]): "-5"})
    with pytest.raises(IntakeError) as caught:
        import_bytes(session, kind="loans", data=path.read_bytes(), filename="借款.csv",
                     actor="t", now=now)  # fmt: skip
    (problem,) = caught.value.problems
    assert (problem.file, problem.row, problem.column, problem.code) == (
        "借款.csv",
        2,
        "借款本金",
        "negative_amount",
    )
    assert problem.text("zh") == "借款.csv 第 2 行，列「借款本金」：金额为负数：'-5'"
    assert problem.text("en") == str(problem)
    assert str(caught.value) == str(problem)


def test_problem_list_is_capped_with_a_count(session, tmp_path, now, monkeypatch):
    monkeypatch.setattr("legal_track.intake.problems.MAX_PROBLEMS", 2)
    rows = [
        [f"HT-{i}", "", "", "", "", "", "", "", "", "", "", "", "", "", "", ""] for i in range(3)
    ]
    path = write_csv(tmp_path / "loans.csv", LOAN_EN, rows)
    problems = problems_of(session, "loans", path, now)
    assert problems[:2] == [
        "loans.csv row 2, column borrower_name: required value is empty",
        "loans.csv row 2, column id_number: required value is empty",
    ]
    assert problems[2:] == ["loans.csv: 22 more problem(s) not listed"]


def test_unknown_kind_is_refused(session, tmp_path, now):
    with pytest.raises(ValueError, match="unknown import kind 'cases'"):
        import_file(session, kind="cases", path=tmp_path / "x.csv", actor="t", now=now)


def test_a_database_error_while_writing_rolls_everything_back(session, tmp_path, now, monkeypatch):
    """Real SQLite refusing the third loan after two chunks were written: nothing stays."""
    monkeypatch.setattr("legal_track.intake.service.CHUNK_ROWS", 1)
    session.execute(
        text(
            "CREATE TRIGGER refuse BEFORE INSERT ON loan WHEN NEW.contract_no = 'HT-2025-003' "
            "BEGIN SELECT RAISE(ABORT, 'refused by trigger'); END"
        )
    )
    session.commit()
    called = []
    path = sample_file(tmp_path, "loans", "utf-8")
    with pytest.raises(IntakeError) as caught:
        import_file(session, kind="loans", path=path, actor="t", now=now,
                    after_import=lambda s, ids: called.append(ids))  # fmt: skip
    assert [str(p) for p in caught.value.problems] == [
        "loans.csv: database error, nothing was imported: refused by trigger"
    ]
    assert set(counts(session).values()) == {0} and called == []
