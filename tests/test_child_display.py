"""Child tables as people read them: an expense claim's show page and its approval panel show the lines and their
total, not "Lines: 2", in the reader's language, escaped, in a fixed number of queries."""

from __future__ import annotations

import re
from datetime import date

import pytest
from werkzeug.test import Client

from conftest import Platform, counting, login
from formwork.workflow.engine import Approvals
from workflow_org import company, employee_id, new_record, open_task

SLUG = "kids"
CLAIM = "oa.expense_claim"
TAXI = "Taxi <b>to the airport</b>"


@pytest.fixture(scope="module")
def runtime(platform: Platform):
    return company(platform, platform.catalog, SLUG, ["core", "oa"])


def claim(runtime, *amounts: str) -> int:
    """A claim of erin's with a line per amount: the first a taxi ride, the others hotel nights."""
    record = new_record(runtime, CLAIM, "erin", employee_id=employee_id(runtime, "erin"), title="Trade fair")
    for number, amount in enumerate(amounts):
        new_record(
            runtime,
            "oa.expense_line",
            claim_id=record,
            spent_on=date(2030, 1, 2 + number),
            category="travel" if number == 0 else "lodging",
            description=TAXI if number == 0 else f"Hotel night {number}",
            amount=amount,
        )
    return record


def signed_in(platform: Platform, user: str = "admin") -> Client:
    client = platform.client()
    assert login(client, SLUG, user).status_code == 302
    return client


def lines_of(page: str) -> str:
    """The part of a page that shows the claim's lines."""
    found = re.search(r'(?s)<div class="fw-child-table" data-field="lines".*?</table>', page)
    assert found, "the page shows no table of lines"
    return found.group(0)


def test_the_show_page_shows_the_lines_and_their_total(platform: Platform, runtime) -> None:
    record = claim(runtime, "120.00", "80.50")
    page = signed_in(platform).get(f"/t/{SLUG}/oa_expense_claim/show/{record}").text
    lines = lines_of(page)
    for text in ("Date", "Category", "Description", "Amount", "Hotel night 1", "120.00", "80.50", "Travel", "Lodging"):
        assert text in lines, text
    assert re.search(r'data-total="amount">[^<]*200\.50<', lines)  # the sum under the amounts
    assert "Total" in lines
    assert "Claim" not in lines  # the link back to the claim is not a column


def test_the_lines_are_escaped(platform: Platform, runtime) -> None:
    lines = lines_of(signed_in(platform).get(f"/t/{SLUG}/oa_expense_claim/show/{claim(runtime, '10.00')}").text)
    assert "Taxi &lt;b&gt;to the airport&lt;/b&gt;" in lines and "<b>to the airport" not in lines


def test_the_lines_speak_chinese(platform: Platform, runtime) -> None:
    client = signed_in(platform)
    client.get(f"/t/{SLUG}/lang/zh")
    lines = lines_of(client.get(f"/t/{SLUG}/oa_expense_claim/show/{claim(runtime, '10.00', '5.00')}").text)
    for text in ("日期", "类别", "说明", "金额", "合计", "差旅", "住宿"):
        assert text in lines, text


def test_a_claim_without_lines_says_so(platform: Platform, runtime) -> None:
    lines = lines_of(signed_in(platform).get(f"/t/{SLUG}/oa_expense_claim/show/{claim(runtime)}").text)
    assert "No rows." in lines and "data-total" not in lines


def test_the_show_page_reads_the_lines_in_one_query_however_many(platform: Platform, runtime) -> None:
    client, engine = signed_in(platform), runtime.session.get_bind()
    few, many = claim(runtime, "1.00"), claim(runtime, "1.00", "2.00", "3.00", "4.00", "5.00")
    client.get(f"/t/{SLUG}/oa_expense_claim/show/{few}")  # warm: rights, menu
    with counting(engine) as statements:
        client.get(f"/t/{SLUG}/oa_expense_claim/show/{few}")
    counted = len(statements)
    with counting(engine) as statements:
        page = client.get(f"/t/{SLUG}/oa_expense_claim/show/{many}").text
    assert "Hotel night 4" in page and len(statements) == counted
    assert sum("FROM oa_expense_line" in s for s in statements) == 1


def test_the_approver_of_a_claim_sees_its_lines_and_total_on_the_task_page(platform: Platform, runtime) -> None:
    record, approvals = claim(runtime, "300.00", "45.25"), Approvals(runtime)
    instance = approvals.submit(CLAIM, record, "erin")
    approvals.approve(open_task(approvals, instance, "mike"), "mike")  # now with finance: fiona and fred
    page = signed_in(platform, "fiona").get(f"/t/{SLUG}/oa_expense_claim/show/{record}").text
    assert 'data-action="approve"' in page  # her task's buttons
    lines = lines_of(page)
    for text in ("Hotel night 1", "300.00", "45.25", "345.25"):
        assert text in lines, text
    assert "Taxi &lt;b&gt;to the airport&lt;/b&gt;" in lines


def test_the_approval_panel_of_the_edit_page_shows_the_lines_and_total(platform: Platform, runtime) -> None:
    record, approvals = claim(runtime, "70.00", "30.00"), Approvals(runtime)
    approvals.submit(CLAIM, record, "erin")
    page = signed_in(platform).get(f"/t/{SLUG}/oa_expense_claim/edit/{record}").text
    panel = page[page.index('id="fw-approval"') :]
    lines = lines_of(panel)
    for text in ("Hotel night 1", "70.00", "30.00", "100.00"):
        assert text in lines, text
