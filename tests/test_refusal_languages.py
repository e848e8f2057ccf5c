"""A refusal reads whole in one language: a Chinese reader gets a Chinese sentence with the Chinese labels in it, never
an English sentence with a Chinese field name glued in, and an English reader the reverse. Asked of the record
lifecycle's refusals through the API (Accept-Language) and on a screen (the user's language)."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest
from werkzeug.test import Client

from conftest import Platform, csrf_token, jwt, login

SLUG = "refusals"
API = f"/t/{SLUG}/api/v1"
#: a run of Latin letters: English words (the values the tests send are taken out first)
LATIN = re.compile(r"[A-Za-z]{2,}")
#: a run of Chinese characters
HAN = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def client(platform: Platform) -> Client:
    platform.tenant(SLUG, packs=["core", "oa", "crm"])
    return platform.client()


@pytest.fixture(scope="module")
def auth(client: Client) -> dict[str, str]:
    return jwt(client, SLUG)


def messages(body: Any) -> list[str]:
    """Every text of an error body (`{"message": text or {field: [texts]}}`)."""
    if isinstance(body, str):
        return [body]
    if isinstance(body, dict):
        return [text for value in body.values() for text in messages(value)]
    if isinstance(body, list):
        return [text for value in body for text in messages(value)]
    return []


def in_chinese(answer: Any, *values: str) -> list[str]:
    """The answer's messages, each checked to be Chinese throughout once the `values` sent are taken out."""
    found = messages(answer.json["message"])
    assert found, answer.text
    for text in found:
        rest = text
        for value in values:
            rest = rest.replace(value, "")
        assert HAN.search(rest) and not LATIN.search(rest), f"not whole in Chinese: {text!r}"
    return found


def in_english(answer: Any) -> list[str]:
    found = messages(answer.json["message"])
    assert found and not any(HAN.search(text) for text in found), answer.text
    return found


def post(client: Client, auth: dict[str, str], table: str, body: dict[str, Any], language: str = "zh") -> Any:
    return client.post(f"{API}/{table}/", json=body, headers={**auth, "Accept-Language": language})


def created(client: Client, auth: dict[str, str], table: str, body: dict[str, Any]) -> int:
    answer = post(client, auth, table, body, "en")
    assert answer.status_code == 201, answer.text
    return int(answer.json["id"])


def employee(client: Client, auth: dict[str, str]) -> int:
    return created(client, auth, "core_employee", {"name": "Mei Lin", "login": "mei", "email": "mei@example.com"})


def test_a_missing_required_value_is_refused_in_chinese(client: Client, auth: dict[str, str]) -> None:
    answer = post(client, auth, "crm_account", {"industry": "retail"})
    assert answer.status_code == 400
    assert in_chinese(answer) == ["缺少必填字段。"]


def test_a_taken_unique_value_names_the_field_in_the_readers_language(client: Client, auth: dict[str, str]) -> None:
    created(client, auth, "crm_account", {"name": "Jade Foods"})
    chinese = post(client, auth, "crm_account", {"name": "Jade Foods"})
    assert chinese.status_code == 400
    assert in_chinese(chinese, "Jade Foods") == ["客户名称“Jade Foods”已被其他记录使用。"]
    english = post(client, auth, "crm_account", {"name": "Jade Foods"}, "en")
    assert in_english(english) == ["Account name 'Jade Foods' is already used by another record."]


def test_a_rule_and_a_lock_are_refused_in_chinese(client: Client, auth: dict[str, str]) -> None:
    today = date.today()
    leave = {"employee": employee(client, auth), "leave_type": "annual", "reason": "Rest"}
    backwards = post(client, auth, "oa_leave_request", {**leave, "start_date": "2026-12-10", "end_date": "2026-12-09"})
    assert backwards.status_code == 400
    assert in_chinese(backwards) == ["结束日期不能早于开始日期。"]
    old = (today - timedelta(days=60)).isoformat()
    locked = created(client, auth, "oa_leave_request", {**leave, "start_date": old, "end_date": old})
    changed = client.put(
        f"{API}/oa_leave_request/{locked}", json={"reason": "Travel"}, headers={**auth, "Accept-Language": "zh"}
    )
    assert changed.status_code == 400
    assert in_chinese(changed) == ["此请假申请已锁定，不能修改。"]


def test_conflicts_are_refused_in_chinese(client: Client, auth: dict[str, str]) -> None:
    account = created(client, auth, "crm_account", {"name": "Lotus Retail"})
    created(client, auth, "crm_contact", {"name": "Wu Fang", "account": account})
    zh = {**auth, "Accept-Language": "zh"}
    in_use = client.delete(f"{API}/crm_account/{account}", headers=zh)
    assert in_use.status_code == 409
    assert in_chinese(in_use, "Lotus Retail") == ["客户“Lotus Retail”不能删除：仍被1 条联系人（客户）使用。"]
    stale = client.put(f"{API}/crm_account/{account}", json={"city": "Xi'an", "version": 99}, headers=zh)
    assert stale.status_code == 409
    in_chinese(stale)


def test_rows_of_another_record_are_refused_in_chinese(client: Client, auth: dict[str, str]) -> None:
    person = employee_named(client, auth, "Zhou Min", "zhoumin")
    line = {"spent_on": "2026-11-20", "category": "travel", "amount": "100"}
    first = created(client, auth, "oa_expense_claim", {"employee": person, "title": "Expo", "lines": [line]})
    second = created(client, auth, "oa_expense_claim", {"employee": person, "title": "Fair"})
    row = client.get(f"{API}/oa_expense_claim/{first}", headers=auth).json["result"]["lines"][0]["id"]
    stolen = client.put(
        f"{API}/oa_expense_claim/{second}",
        json={"lines": [{**line, "id": row}]},
        headers={**auth, "Accept-Language": "zh"},
    )
    assert stolen.status_code == 400
    in_chinese(stolen)


def employee_named(client: Client, auth: dict[str, str], name: str, login_name: str) -> int:
    return created(client, auth, "core_employee", {"name": name, "login": login_name, "email": f"{login_name}@x.cn"})


def test_a_screen_refuses_in_the_users_language(platform: Platform, client: Client, auth: dict[str, str]) -> None:
    old = (date.today() - timedelta(days=45)).isoformat()
    person = employee_named(client, auth, "Gao Yan", "gaoyan")
    leave = created(
        client,
        auth,
        "oa_leave_request",
        {"employee": person, "leave_type": "annual", "start_date": old, "end_date": old, "reason": "Rest"},
    )
    browser = platform.client()
    assert login(browser, SLUG).status_code == 302
    browser.get(f"/t/{SLUG}/lang/zh")
    form = browser.get(f"/t/{SLUG}/oa_leave_request/edit/{leave}")
    answer = browser.post(
        f"/t/{SLUG}/oa_leave_request/edit/{leave}",
        data={
            "csrf_token": csrf_token(form.text),
            "employee": str(person),
            "leave_type": "annual",
            "start_date": old,
            "end_date": old,
            "reason": "Travel",
            "record_version": "1",
        },
    )
    assert "此请假申请已锁定，不能修改。" in answer.text
    assert "is locked and cannot be changed" not in answer.text
