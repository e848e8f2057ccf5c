"""Every field type end to end: through the REST API, the add form and the list."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from io import BytesIO

import pytest

from conftest import PASSWORD, Platform, csrf_token, jwt, login
from formwork.tenancy.registry import find_tenant

SPECIMENS = "/t/lab/api/v1/lab_specimen/"


@pytest.fixture(scope="module")
def lab(platform: Platform):
    platform.tenant("lab", packs=["lab"])
    client = platform.client()
    auth = jwt(client, "lab")
    employees = [
        client.post("/t/lab/api/v1/core_employee/", json={"name": n}, headers=auth).json["id"] for n in ("Ann", "Bo")
    ]
    login(client, "lab")
    return client, auth, employees


def full_specimen(employees: list[int]) -> dict:
    return {
        "code": "AB-123",
        "notes": "plain",
        "body": '<p onclick="x()">Hi <b>there</b><script>alert(1)</script></p>',
        "count": 3,
        "weight": "1.234",
        "price": "99.5",
        "share": "12.5",
        "active": False,
        "day": "2026-11-27",
        "moment": "2026-11-27T09:30:00",
        "at": "14:45:00",
        "colour": "red",
        "flags": ["a", "b"],
        "mail": "a@b.example",
        "phone": "+86 10 1234 5678",
        "site": "https://example.com/x",
        "owner": employees[0],
        "team": employees,
        "assignee": 1,
        "extra": {"k": [1, 2]},
        "stars": 4,
    }


def test_every_type_round_trips_through_the_api(lab) -> None:
    client, auth, employees = lab
    created = client.post(SPECIMENS, json=full_specimen(employees), headers=auth)
    assert created.status_code == 201, created.text
    record = client.get(f"{SPECIMENS}{created.json['id']}", headers=auth).json["result"]
    assert record["body"] == "<p>Hi <b>there</b></p>"
    assert (record["weight"], record["price"], record["share"]) == ("1.234", "99.50", "12.50")
    assert (record["day"], record["at"], record["moment"]) == (
        "2026-11-27",
        "14:45:00",
        "2026-11-27T09:30:00+00:00",
    )  # sent without a zone: UTC
    assert record["flags"] == ["a", "b"] and record["extra"] == {"k": [1, 2]} and record["active"] is False
    assert record["owner"] == {"id": employees[0], "name": "Ann"}
    assert sorted(member["name"] for member in record["team"]) == ["Ann", "Bo"]
    assert record["assignee"] == {"id": 1, "username": "admin"}
    assert record["serial"] == "S-0" and record["secret"] is None


@pytest.mark.parametrize(
    "change, field, message",
    [
        ({"code": "ab-12"}, "code", "Does not match the expected format"),
        ({"count": 11}, "count", "Must be greater than or equal to 0 and less than or equal to 10."),
        ({"share": "101"}, "share", "less than or equal to 100"),
        ({"colour": "green"}, "colour", "Must be one of: red, blue."),
        ({"flags": ["a", "z"]}, "flags", "Must be one of: a, b."),
        ({"stars": 6}, "stars", "less than or equal to 5"),
        ({"extra": "text"}, "extra", "Must be a JSON object or list."),
        ({"at": "25:00"}, "at", "Not a valid time."),
        ({"team": [999]}, "team", "No core.employee with id 999."),
        ({"assignee": 999}, "assignee", "No user with id 999."),
        ({"serial": "S-9"}, "serial", "This field is read-only."),
    ],
)
def test_each_type_refuses_bad_values(lab, change: dict, field: str, message: str) -> None:
    client, auth, employees = lab
    response = client.post(SPECIMENS, json={**full_specimen(employees), "code": "ZZ-999", **change}, headers=auth)
    assert response.status_code == 400, response.text
    assert message in str(response.json["message"][field])


def test_add_form_renders_every_type_and_saves(lab) -> None:
    client, auth, employees = lab
    page = client.get("/t/lab/lab_specimen/add")
    assert page.status_code == 200
    assert 'placeholder="AB-123"' in page.text
    assert 'type="time"' in page.text
    assert 'name="serial"' not in page.text and 'name="secret"' not in page.text  # read-only and hidden fields
    response = client.post(
        "/t/lab/lab_specimen/add",
        follow_redirects=True,
        data={
            "csrf_token": csrf_token(page.text),
            "code": "CD-456",
            "body": "<i>ok</i><img src=x onerror=alert(1)>",
            "colour": "red",
            "flags": ["b"],
            "stars": "2",
            "extra": '{"a": 1}',
            "team": [str(e) for e in employees],
            "share": "7.5",
            "price": "10",
            "at": "08:15",
        },
    )
    assert response.status_code == 200
    listing = client.get("/t/lab/lab_specimen/list/")
    assert "CD-456" in listing.text
    assert '<span class="label fw-badge fw-red">Red</span>' in listing.text
    assert "★★☆☆☆" in listing.text and "7.5%" in listing.text
    record = client.get(
        SPECIMENS, headers=auth, query_string={"q": "(filters:!((col:code,opr:eq,value:'CD-456')))"}
    ).json["result"][0]
    assert record["body"] == '<i>ok</i><img src="x">' or "onerror" not in record["body"]
    assert record["extra"] == {"a": 1} and record["flags"] == ["b"] and len(record["team"]) == 2


def test_bad_json_in_a_form_is_a_field_error(lab) -> None:
    client, _, _ = lab
    page = client.get("/t/lab/lab_specimen/add")
    response = client.post(
        "/t/lab/lab_specimen/add", data={"csrf_token": csrf_token(page.text), "code": "EF-789", "extra": "{nope"}
    )
    assert response.status_code == 200
    assert "Not valid JSON" in response.text


def test_read_only_field_cannot_be_changed_through_the_edit_form(lab) -> None:
    client, auth, employees = lab
    pk = client.post(SPECIMENS, json={**full_specimen(employees), "code": "GH-100"}, headers=auth).json["id"]
    page = client.get(f"/t/lab/lab_specimen/edit/{pk}")
    assert "readonly" in page.text
    client.post(
        f"/t/lab/lab_specimen/edit/{pk}",
        data={"csrf_token": csrf_token(page.text), "record_version": "1", "code": "GH-100", "serial": "HACKED"},
    )
    assert client.get(f"{SPECIMENS}{pk}", headers=auth).json["result"]["serial"] == "S-0"


def test_auto_numbers_are_given_on_insert_and_refused_as_input(lab) -> None:
    client, auth, employees = lab
    first = client.post(SPECIMENS, json={"code": "AN-001"}, headers=auth).json["result"]["number"]
    second = client.post(SPECIMENS, json={"code": "AN-002"}, headers=auth).json["result"]["number"]
    year = date.today().year
    assert re.fullmatch(rf"SP-{year}-\d{{4}}", first)
    assert int(second[-4:]) == int(first[-4:]) + 1
    refused = client.post(SPECIMENS, json={"code": "AN-003", "number": "SP-1999-0001"}, headers=auth)
    assert refused.status_code == 400
    assert refused.json["message"]["number"] == ["This field is filled in automatically."]


def test_auto_numbers_are_unique_under_concurrent_inserts(lab, platform: Platform) -> None:
    _, auth, _ = lab

    def insert(i: int) -> str:
        client = platform.client()
        response = client.post(SPECIMENS, json={"code": f"CC-{i:03d}"}, headers=auth)
        assert response.status_code == 201, response.text
        return response.json["result"]["number"]

    with ThreadPoolExecutor(max_workers=6) as pool:
        numbers = list(pool.map(insert, range(30)))
    counters = sorted(int(n[-4:]) for n in numbers)
    assert len(set(numbers)) == 30
    assert counters == list(range(counters[0], counters[0] + 30))


def test_each_role_gets_its_own_form(lab, platform: Platform) -> None:
    client, auth, _ = lab
    app = platform.app.tenant_apps.get(find_tenant(platform.settings.database_url, "lab"))
    with app.app_context():
        sm = app.appbuilder.sm
        admin = sm.find_role("Admin")
        role = sm.add_role("Lab assistant", permissions=list(admin.permissions))
        sm.add_user("assistant", "Lab", "Assistant", "assistant@lab.example", role, password=PASSWORD)
    assistant = platform.client()
    login(assistant, "lab", "assistant")
    page = assistant.get("/t/lab/lab_specimen/add")
    assert "Quick entry" in page.text and 'name="notes"' in page.text and 'name="price"' not in page.text
    saved = assistant.post(
        "/t/lab/lab_specimen/add",
        data={"csrf_token": csrf_token(page.text), "code": "QQ-001", "notes": "quick", "price": "123"},
        follow_redirects=True,
    )
    assert saved.status_code == 200
    record = client.get(
        SPECIMENS, headers=auth, query_string={"q": "(filters:!((col:code,opr:eq,value:'QQ-001')))"}
    ).json["result"][0]
    assert record["notes"] == "quick" and record["price"] is None  # a field not on the form is not taken from the post
    assert 'name="price"' in client.get("/t/lab/lab_specimen/add").text  # the admin still has the full form


def test_labels_with_percent_signs_and_slashes_render_and_export(lab) -> None:
    client, _, _ = lab
    home = client.get("/t/lab/")
    assert home.status_code == 200 and "Top 50% specimens / best" in home.text
    assert client.get("/t/lab/lab_specimen/view/top/").status_code == 200
    assert client.get("/t/lab/lab_specimen/view/top/export/xlsx").status_code == 200


def test_a_formula_follows_the_record_it_reads(lab) -> None:
    client, auth, _ = lab
    specimen = client.post(SPECIMENS, json={"code": "FR-001"}, headers=auth).json["id"]
    sample = client.post("/t/lab/api/v1/lab_sample/", json={"label": "Slice", "specimen": specimen}, headers=auth)
    assert sample.json["result"]["tagline"] == "Slice of FR-001"
    client.put(f"{SPECIMENS}{specimen}", json={"code": "FR-002"}, headers=auth)
    again = client.get(f"/t/lab/api/v1/lab_sample/{sample.json['id']}", headers=auth).json["result"]
    assert again["tagline"] == "Slice of FR-002"


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n" + b"x" * 64


def upload(client, pk: int | None, **files) -> object:
    url = f"/t/lab/lab_specimen/edit/{pk}" if pk else "/t/lab/lab_specimen/add"
    page = client.get(url)
    data = {"csrf_token": csrf_token(page.text), "code": files.pop("code", "UP-001")}
    if pk:
        data["record_version"] = re.search(r'name="record_version" type="hidden" value="(\d+)"', page.text).group(1)
    data.update({name: (BytesIO(content), filename) for name, (content, filename) in files.items()})
    return client.post(url, data=data, content_type="multipart/form-data", follow_redirects=True)


def test_files_and_images_are_stored_checked_and_served_with_rights(lab, platform: Platform) -> None:
    client, auth, _ = lab
    response = upload(client, None, code="UP-001", attachment=(PDF, "report.pdf"), photo=(PNG, "face.png"))
    assert response.status_code == 200
    record = client.get(
        SPECIMENS, headers=auth, query_string={"q": "(filters:!((col:code,opr:eq,value:'UP-001')))"}
    ).json["result"][0]
    assert record["attachment"]["name"] == "report.pdf" and record["photo"]["content_type"] == "image/png"
    show = client.get(f"/t/lab/lab_specimen/show/{record['id']}").text
    link = re.search(r'href="(/t/lab/lab_specimen/file/attachment/[0-9a-f]+)"', show).group(1)
    assert 'src="/t/lab/lab_specimen/file/photo/' in show
    download = client.get(link)
    assert (
        download.status_code == 200 and download.data == PDF and "attachment" in download.headers["Content-Disposition"]
    )
    assert platform.client().get(link).status_code == 302  # not signed in
    assert client.get("/t/lab/lab_specimen/file/attachment/0123456789abcdef").status_code == 404

    kept = upload(client, record["id"], code="UP-001")  # saving without choosing a file keeps it
    assert kept.status_code == 200
    again = client.get(f"{SPECIMENS}{record['id']}", headers=auth).json["result"]
    assert again["attachment"]["key"] == record["attachment"]["key"]


@pytest.mark.parametrize(
    "files, message",
    [
        (
            {"attachment": (b"MZ\x90\x00" + b"\x00" * 64, "invoice.pdf")},
            "The file&#39;s content does not match its name.",
        ),
        ({"attachment": (PDF, "notes.txt")}, "Only .pdf, .png files are accepted."),
        ({"attachment": (PDF + b"x" * 60_000, "big.pdf")}, "The file is larger than 51 KB."),
        ({"photo": (PDF, "photo.pdf")}, "This is not a PNG, JPEG, GIF or WebP image."),
    ],
)
def test_bad_uploads_are_refused_and_nothing_is_saved(lab, files: dict, message: str) -> None:
    client, auth, _ = lab
    code = f"BF-{abs(hash(message)) % 1000:03d}"
    response = upload(client, None, code=code, **files)
    assert message in response.text
    assert (
        client.get(SPECIMENS, headers=auth, query_string={"q": f"(filters:!((col:code,opr:eq,value:'{code}')))"}).json[
            "count"
        ]
        == 0
    )


def test_files_are_not_taken_as_json(lab) -> None:
    client, auth, _ = lab
    response = client.post(
        SPECIMENS, json={"code": "JS-001", "attachment": {"key": "x", "name": "a.pdf"}}, headers=auth
    )
    assert response.status_code == 400 and "attachment" in response.json["message"]


def test_files_are_uploaded_through_the_api_with_the_same_checks(lab) -> None:
    client, auth, _ = lab
    pk = client.post(SPECIMENS, json={"code": "AP-001"}, headers=auth).json["id"]
    stored = client.post(
        f"{SPECIMENS}{pk}/file/photo",
        data={"file": (BytesIO(PNG), "face.png")},
        headers=auth,
        content_type="multipart/form-data",
    )
    assert stored.status_code == 200 and stored.json["result"]["photo"]["name"] == "face.png"
    disguised = client.post(
        f"{SPECIMENS}{pk}/file/photo",
        data={"file": (BytesIO(b"MZ" + b"\0" * 40), "face.png")},
        headers=auth,
        content_type="multipart/form-data",
    )
    assert disguised.status_code == 400 and disguised.json["message"]["photo"] == [
        "The file's content does not match its name."
    ]
    assert (
        client.post(
            f"{SPECIMENS}{pk}/file/code",
            data={"file": (BytesIO(PNG), "a.png")},
            headers=auth,
            content_type="multipart/form-data",
        ).status_code
        == 404
    )
    assert (
        client.post(
            f"{SPECIMENS}{pk}/file/photo", data={"file": (BytesIO(PNG), "a.png")}, content_type="multipart/form-data"
        ).status_code
        == 401
    )


def test_money_shows_its_currency(lab) -> None:
    client, auth, _ = lab
    pk = client.post(
        SPECIMENS, json={"code": "CU-001", "price": "5", "fee": "10", "fee_currency": "EUR"}, headers=auth
    ).json["id"]
    show = client.get(f"/t/lab/lab_specimen/show/{pk}").text
    assert "€10.00" in show and "¥5.00" in show  # its own currency field, and the tenant's default
    listing = client.get("/t/lab/lab_specimen/list/", query_string={"_flt_0_code": "CU-001"}).text
    assert "€10.00" in listing and "¥5.00" in listing
