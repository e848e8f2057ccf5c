"""Exports people can use: XLSX cells a spreadsheet computes with (money, computed totals, dates), CSV with raw
values an import reads back and a header in the reader's language, and files named after the list and the day."""

from __future__ import annotations

import re
from datetime import datetime
from io import BytesIO
from typing import Any
from urllib.parse import quote

import pytest
from werkzeug.test import Client

from conftest import Platform, jwt, login

SLUG = "exporter"
PIPELINE = f"/t/{SLUG}/crm_opportunity/view/pipeline/export"
DEAL = "Harbour expansion"


@pytest.fixture(scope="module")
def site(platform: Platform) -> tuple[Client, dict[str, str]]:
    """A crm tenant with one opportunity of CN¥38,980,000.00 at 50 %, closing on 2026-12-07."""
    platform.tenant(SLUG, packs=["core", "crm"])
    client = platform.client()
    auth = jwt(client, SLUG)
    account = client.post(f"/t/{SLUG}/api/v1/crm_account/", json={"name": "Harbour Group"}, headers=auth)
    assert account.status_code == 201, account.text
    deal = {
        "name": DEAL,
        "account": account.json["id"],
        "stage": "proposal",
        "amount": "38980000.00",
        "probability": 50,
        "close_date": "2026-12-07",
    }
    created = client.post(f"/t/{SLUG}/api/v1/crm_opportunity/", json=deal, headers=auth)
    assert created.status_code == 201, created.text
    assert login(client, SLUG).status_code == 302
    return client, auth


def sheet_rows(data: bytes) -> list[list[Any]]:
    from openpyxl import load_workbook

    return [list(row) for row in load_workbook(BytesIO(data)).active.iter_rows()]


def deal_row(rows: list[list[Any]]) -> list[Any]:
    return next(row for row in rows if row[0].value == DEAL)


def test_an_xlsx_export_holds_money_computed_totals_and_dates_as_typed_cells(site) -> None:
    client, _ = site
    exported = client.get(f"{PIPELINE}/xlsx")
    assert exported.status_code == 200
    rows = sheet_rows(exported.data)
    assert [c.value for c in rows[0]] == [
        "Opportunity",
        "Account",
        "Stage",
        "Amount",
        "Weighted amount",
        "Expected close date",
        "Owner",
    ]
    _, account, stage, amount, weighted, close_date, _ = deal_row(rows)
    assert account.value == "Harbour Group" and stage.value == "Proposal"
    assert amount.data_type == "n" and amount.value == 38980000 and amount.number_format == '"CN¥"#,##0.00'
    assert weighted.data_type == "n" and weighted.value == 19490000  # a formula's result, not "CN¥19,490,000.00"
    assert weighted.number_format == '"CN¥"#,##0.00'
    assert close_date.is_date and close_date.value == datetime(2026, 12, 7) and close_date.number_format == "yyyy-mm-dd"


def test_a_chinese_reader_gets_chinese_headers_labels_and_currency_symbol(site) -> None:
    client, auth = site
    for exported in (
        client.get(f"{PIPELINE}/xlsx", query_string={"_l_": "zh"}),
        client.get(
            f"/t/{SLUG}/api/v1/crm_opportunity/export",
            query_string={"view": "pipeline", "format": "xlsx"},
            headers={**auth, "Accept-Language": "zh"},
        ),
    ):
        assert exported.status_code == 200
        rows = sheet_rows(exported.data)
        assert [c.value for c in rows[0]][:6] == ["商机名称", "客户", "阶段", "金额", "加权金额", "预计成交日期"]
        row = deal_row(rows)
        assert row[2].value == "方案报价" and row[3].value == 38980000 and row[3].number_format == '"¥"#,##0.00'


def test_a_csv_export_writes_raw_values_under_the_column_labels(site) -> None:
    client, auth = site
    screen = client.get(f"{PIPELINE}/csv").data  # a streamed body is read before the next request
    api = client.get(f"/t/{SLUG}/api/v1/crm_opportunity/export", query_string={"view": "pipeline"}, headers=auth).data
    for data in (screen, api):
        assert data.startswith(b"\xef\xbb\xbf")  # Excel reads it as UTF-8
        lines = data.decode("utf-8-sig").splitlines()
        assert lines[0] == "Opportunity,Account,Stage,Amount,Weighted amount,Expected close date,Owner"
        assert f"{DEAL},Harbour Group,Proposal,38980000.00,19490000.00,2026-12-07," in lines


def test_a_chinese_csv_has_chinese_headers_and_choice_labels_the_import_reads_back(site) -> None:
    client, auth = site
    exported = client.get(f"{PIPELINE}/csv", query_string={"_l_": "zh"})
    text = exported.data.decode("utf-8-sig")
    assert text.splitlines()[0] == "商机名称,客户,阶段,金额,加权金额,预计成交日期,负责人"
    assert f"{DEAL},Harbour Group,方案报价,38980000.00,19490000.00,2026-12-07," in text.splitlines()
    checked = client.post(
        f"/t/{SLUG}/api/v1/crm_opportunity/import",
        query_string={"dry_run": "1"},
        headers=auth,
        data={
            "file": (BytesIO(exported.data), "back.csv"),
            "mapping": '{"加权金额": ""}',  # computed, never imported
        },
    )
    assert checked.status_code == 200, checked.json
    assert checked.json["created"] == 1 and checked.json["ignored_columns"] == []


def test_export_files_are_named_after_the_list_and_the_day(site) -> None:
    client, auth = site
    english = client.get(f"{PIPELINE}/csv").headers["Content-Disposition"]
    day = re.search(r'filename="Pipeline-(\d{4}-\d{2}-\d{2})\.csv"', english)
    assert day is not None and f"filename*=UTF-8''Pipeline-{day[1]}.csv" in english
    chinese = client.get(f"{PIPELINE}/xlsx", query_string={"_l_": "zh"}).headers["Content-Disposition"]
    assert f'filename="Pipeline-{day[1]}.xlsx"' in chinese  # for clients that read only the ASCII name
    assert f"filename*=UTF-8''{quote(f'销售漏斗-{day[1]}.xlsx')}" in chinese
    default = client.get(f"/t/{SLUG}/api/v1/crm_account/export", query_string={"format": "xlsx"}, headers=auth)
    assert f'filename="Accounts-{day[1]}.xlsx"' in default.headers["Content-Disposition"]
