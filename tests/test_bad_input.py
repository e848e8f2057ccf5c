"""Bad input found by fuzzing (issue 12, "No 500s"): each is a clear 4xx, the same on SQLite and PostgreSQL."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from flask_appbuilder.api import BaseApi, rison
from flask_appbuilder.security.sqla.manager import SecurityManager
from flask_jwt_extended import create_access_token
from sqlalchemy.exc import IntegrityError

from conftest import PASSWORD, Platform, csrf_token, jwt, login
from formwork.imports.importer import failed_reason
from formwork.tenancy.bad_input import MAX_DEPTH, UnreadableJSON, fab_query_argument
from formwork.tenancy.registry import find_tenant

SLUG = "fuzzed"
ACCOUNTS = f"/t/{SLUG}/api/v1/crm_account/"
SECURITY = f"/t/{SLUG}/api/v1/security"
#: what a body must not show: SQL, the driver's or the database's own words
DATABASE_WORDS = (
    "SELECT",
    "INSERT",
    "UPDATE ",
    "DELETE FROM",
    "[SQL",
    "constraint",
    "ab_role",
    "ab_user",
    "ab_view_menu",
    "psycopg",
    "sqlite3",
    "IntegrityError",
    "Database exception",
)


@pytest.fixture(scope="module")
def site(platform: Platform):
    platform.tenant(SLUG)
    client = platform.client()
    browser = platform.client()
    login(browser, SLUG)
    return client, jwt(client, SLUG), browser


def tenant_app(platform: Platform, slug: str = SLUG):
    return platform.app.tenant_apps.get(find_tenant(platform.settings.database_url, slug))


def raw_json(client, url: str, text: str, headers: dict[str, str], method: str = "post"):
    """Send `text` as it is: escapes such as \\ud800 reach the server's JSON parser untouched."""
    return getattr(client, method)(url, data=text, content_type="application/json", headers=headers)


def accounts_named(client, auth: dict[str, str], name: str) -> int:
    query = {"q": f"(filters:!((col:name,opr:eq,value:'{name}')))"}
    return client.get(ACCOUNTS, headers=auth, query_string=query).json["count"]


def assert_no_database_text(response) -> None:
    shown = [word for word in DATABASE_WORDS if word in response.text]
    assert not shown, f"{response.status_code}: {response.text[:500]}"


# -- 1. a body over the limit ---------------------------------------------------------------------------------------
def test_a_30_mb_body_is_413_json_on_the_api_and_plain_on_screens(site) -> None:
    client, auth, browser = site
    body = b'{"name": "' + b"x" * 30_000_000 + b'"}'
    refused = client.post(ACCOUNTS, data=body, content_type="application/json", headers=auth)
    assert refused.status_code == 413 and "larger than" in str(refused.json["message"])
    page = browser.post(f"/t/{SLUG}/crm_account/add", data=body, content_type="application/x-www-form-urlencoded")
    assert page.status_code == 413 and "larger than" in page.text and not page.is_json


# -- 2. nesting -----------------------------------------------------------------------------------------------------
def test_json_nested_50000_deep_is_400_saying_so(site) -> None:
    client, auth, _ = site
    just_too_deep = '{"name": "Deep", "x": ' + "[" * MAX_DEPTH + "]" * MAX_DEPTH + "}"
    for url, body in [
        (ACCOUNTS, "[" * 50_000 + "]" * 50_000),
        (f"{SECURITY}/login", "[" * 50_000 + "]" * 50_000),
        (ACCOUNTS, just_too_deep),
    ]:
        refused = raw_json(client, url, body, auth)
        assert refused.status_code == 400 and refused.json["message"] == f"Nested deeper than {MAX_DEPTH} levels."
    deep_query = "(a:" * 3000 + "1" + ")" * 3000  # prison, FAB's rison reader, recurses too
    refused = client.get(ACCOUNTS, headers=auth, query_string={"q": deep_query})
    assert refused.status_code == 400 and "deeper than" in refused.json["message"]["q"][0]


def test_malformed_rison_is_400_not_a_crash_in_fab(site) -> None:
    client, auth, _ = site
    for query in ("(a:", "!", "--", "'a!"):  # prison raises TypeError, IndexError, ValueError: FAB's 500
        refused = client.get(ACCOUNTS, headers=auth, query_string={"q": query})
        assert refused.status_code == 400 and refused.json["message"] == {"q": ["Not a valid rison or JSON argument."]}


# -- 3. unpaired surrogates -----------------------------------------------------------------------------------------
def test_a_lone_surrogate_is_400_naming_the_field(site) -> None:
    client, auth, _ = site
    refused = raw_json(client, ACCOUNTS, '{"name": "\\ud800x"}', auth)
    assert refused.status_code == 400 and "unpaired surrogate" in refused.json["message"]["name"][0]
    chinese = raw_json(client, ACCOUNTS, '{"name": "\\udfff"}', {**auth, "Accept-Language": "zh"})
    assert "不成对的代理字符" in chinese.json["message"]["name"][0]
    in_a_row = raw_json(client, f"/t/{SLUG}/api/v1/oa_expense_claim/", '{"lines": [{"description": "\\ud800"}]}', auth)
    assert in_a_row.status_code == 400 and "surrogate" in in_a_row.json["message"]["lines"]["0"]["description"][0]
    as_a_key = raw_json(client, ACCOUNTS, '{"name": "Key", "\\ud800": 1}', auth)
    assert as_a_key.status_code == 400 and "surrogate" in as_a_key.json["message"]
    filtered = client.get(
        ACCOUNTS, headers=auth, query_string={"q": '{"filters": [{"col": "name", "opr": "ct", "value": "\\ud800"}]}'}
    )
    assert filtered.status_code == 400 and "filters.0.value" in filtered.json["message"]["q"][0]
    signed_in = raw_json(client, f"{SECURITY}/login", '{"username": "\\ud800", "password": "x"}', {})
    assert signed_in.status_code == 400 and "username" in signed_in.json["message"]


def test_a_surrogate_pair_is_one_character_and_is_stored(site) -> None:
    client, auth, _ = site
    saved = raw_json(client, ACCOUNTS, '{"name": "Smile \\ud83d\\ude00"}', auth)
    assert saved.status_code == 201 and saved.json["result"]["name"] == "Smile \U0001f600"


# -- 4. NUL characters ----------------------------------------------------------------------------------------------
def test_a_nul_in_a_string_field_is_400_naming_it_and_nothing_is_stored(site) -> None:
    client, auth, _ = site
    refused = client.post(ACCOUNTS, json={"name": "Nul\x00Co", "city": "Ok"}, headers=auth)
    assert refused.status_code == 400 and "NUL" in refused.json["message"]["name"][0]
    pk = client.post(ACCOUNTS, json={"name": "Clean Co"}, headers=auth).json["id"]
    changed = client.put(f"{ACCOUNTS}{pk}", json={"city": "Bad\x00City"}, headers=auth)
    assert changed.status_code == 400 and list(changed.json["message"]) == ["city"]
    assert client.get(f"{ACCOUNTS}{pk}", headers=auth).json["result"]["city"] is None
    assert accounts_named(client, auth, "Clean Co") == 1
    comment = client.post(f"/t/{SLUG}/api/v1/records/crm_account/{pk}/comments", json={"body": "a\x00b"}, headers=auth)
    assert comment.status_code == 400


def test_a_nul_in_a_list_filter_is_400_on_the_api_and_on_screens(site) -> None:
    client, auth, browser = site
    as_rison = client.get(f"{ACCOUNTS}?q=(filters:!((col:name,opr:ct,value:'a%00b')))", headers=auth)
    assert as_rison.status_code == 400 and "NUL" in as_rison.json["message"]["q"][0]
    as_json = client.get(
        ACCOUNTS, headers=auth, query_string={"q": '{"filters": [{"col": "name", "opr": "ct", "value": "a\\u0000b"}]}'}
    )
    assert as_json.status_code == 400 and as_json.json["message"]["q"][0].startswith("filters.0.value: ")
    on_screen = browser.get(f"/t/{SLUG}/crm_account/list/?_flt_0_name=a%00b")
    assert on_screen.status_code == 400 and on_screen.text.startswith("_flt_0_name: ") and not on_screen.is_json
    assert browser.get(f"/t/{SLUG}/users/list/?_flt_0_username=a%00b").status_code == 400


def test_a_nul_posted_in_a_form_is_400_naming_the_field(site) -> None:
    _, _, browser = site
    page = browser.get(f"/t/{SLUG}/access/roles/")  # the roles screen's new role form
    refused = browser.post(
        f"/t/{SLUG}/access/roles/new", data={"name": "Nul\x00Role", "csrf_token": csrf_token(page.text)}
    )
    assert refused.status_code == 400 and refused.text.startswith("name: ")


def test_an_imported_cell_with_a_nul_is_a_row_error_and_nothing_is_stored(site) -> None:
    client, auth, _ = site
    sheet = b"name,city\nImported Fine,Here\nImported Nul,Bad\x00Town\n"
    answer = client.post(f"{ACCOUNTS}import", data={"file": (io.BytesIO(sheet), "accounts.csv")}, headers=auth)
    assert answer.status_code == 400, answer.text
    assert [(e["row"], "NUL" in e["message"]) for e in answer.json["errors"]] == [(3, True)]
    assert accounts_named(client, auth, "Imported Fine") == 0


def test_a_row_the_database_refuses_on_import_is_explained_without_its_words() -> None:
    refused = IntegrityError("INSERT INTO crm_account (name) VALUES (?)", {}, Exception("UNIQUE constraint failed: x"))
    reason = failed_reason(refused)
    assert "unique" in reason and not any(word in reason for word in (*DATABASE_WORDS, "UNIQUE", "crm_account"))


# -- 5. the menu API ------------------------------------------------------------------------------------------------
def test_the_menu_api_answers_admins_with_resolved_links(site) -> None:
    client, auth, _ = site
    menu = client.get(f"/t/{SLUG}/api/v1/menu/", headers=auth)
    assert menu.status_code == 200
    entries = [child for entry in menu.json["result"] if isinstance(entry, dict) for child in entry.get("childs", [])]
    links = [entry["url"] for entry in entries if isinstance(entry, dict)]  # "-" separates groups
    assert f"/t/{SLUG}/crm_account/list/" in links
    assert any(link.startswith(f"/t/{SLUG}/") and "/view/" in link for link in links)  # the list views' links


# -- 6. FAB's security APIs -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("resource", ["resources", "permissions", "permissions-resources"])  # FAB 5: permission-views
def test_fab_permission_and_resource_apis_are_closed(site, resource: str) -> None:
    client, auth, _ = site
    url = f"{SECURITY}/{resource}/"
    answers = [
        client.get(url, headers=auth),
        client.post(url, json={"name": "crm_account"}, headers=auth),
        client.put(f"{url}1", json={"name": "renamed"}, headers=auth),
        client.delete(f"{url}1", headers=auth),
    ]
    assert {answer.status_code for answer in answers} <= {404, 405}


def test_users_and_roles_stay_manageable_and_a_refusal_shows_no_sql(site) -> None:
    client, auth, browser = site
    roles = f"{SECURITY}/roles/"
    made = client.post(roles, json={"name": "Auditors"}, headers=auth)
    assert made.status_code == 201
    taken = client.post(roles, json={"name": "Auditors"}, headers=auth)
    assert taken.status_code == 422 and "unique" in taken.json["message"]
    assert_no_database_text(taken)
    renamed = client.put(f"{roles}{made.json['id']}", json={"name": "Admin"}, headers=auth)
    assert renamed.status_code == 422
    assert_no_database_text(renamed)
    user = {
        "first_name": "Ada",
        "last_name": "Lovelace",
        "username": "ada",
        "email": "ada@example.com",
        "password": PASSWORD,
        "active": True,
        "roles": [made.json["id"]],
    }
    assert client.post(f"{SECURITY}/users/", json=user, headers=auth).status_code == 201
    again = client.post(f"{SECURITY}/users/", json=user, headers=auth)
    assert again.status_code == 422
    assert_no_database_text(again)
    assert jwt(client, SLUG, "ada")  # the new user signs in
    page = browser.get(f"/t/{SLUG}/access/roles/")  # FAB's role screens are closed to tenants (test_roles_grid)
    duplicate = browser.post(
        f"/t/{SLUG}/access/roles/new",
        data={"name": "Admin", "csrf_token": csrf_token(page.text)},
        follow_redirects=True,
    )
    assert duplicate.status_code == 200 and "A role named Admin exists already." in duplicate.text
    assert_no_database_text(duplicate)
    assert browser.get(f"/t/{SLUG}/users/list/").status_code == 200


# -- 7. sign-in without a provider ----------------------------------------------------------------------------------
def test_jwt_login_without_provider_signs_in_with_the_database(site) -> None:
    client, _, _ = site
    answer = client.post(f"{SECURITY}/login", json={"username": "admin", "password": PASSWORD})
    assert answer.status_code == 200
    token = {"Authorization": f"Bearer {answer.json['access_token']}"}
    assert client.get(ACCOUNTS, headers=token).status_code == 200
    wrong = client.post(f"{SECURITY}/login", json={"username": "admin", "password": "wrong"})
    assert wrong.status_code == 401


# -- 8. bad tokens --------------------------------------------------------------------------------------------------
def test_bad_expired_foreign_and_missing_tokens_are_401_with_a_bearer_challenge(platform: Platform, site) -> None:
    client, auth, _ = site
    with tenant_app(platform).app_context():
        expired = create_access_token(identity="1", expires_delta=timedelta(seconds=-1))
    platform.tenant("fuzzed-elsewhere", packs=["crm"])
    gone = {
        "first_name": "Gone",
        "last_name": "Soon",
        "username": "gone",
        "email": "gone@example.com",
        "password": PASSWORD,
        "active": True,
        "roles": [1],
    }
    gone_id = client.post(f"{SECURITY}/users/", json=gone, headers=auth).json["id"]
    gone_token = jwt(client, SLUG, "gone")["Authorization"]
    assert client.delete(f"{SECURITY}/users/{gone_id}", headers=auth).status_code == 200
    tokens = {
        "garbage": "Bearer abc.def.ghi",
        "tampered": auth["Authorization"][:-4] + ("AAAA" if not auth["Authorization"].endswith("AAAA") else "BBBB"),
        "expired": f"Bearer {expired}",
        "another tenant's": jwt(client, "fuzzed-elsewhere")["Authorization"],
        "a deleted user's": gone_token,
    }
    for kind, token in tokens.items():
        refused = client.get(ACCOUNTS, headers={"Authorization": token})
        assert refused.status_code == 401, kind
        assert refused.headers["WWW-Authenticate"].startswith("Bearer"), kind
        assert "sign in again" in refused.json["message"], kind
    missing = client.get(ACCOUNTS, headers={"Accept-Language": "zh"})
    assert missing.status_code == 401 and missing.headers["WWW-Authenticate"] == "Bearer"
    assert "请先登录" in missing.json["message"]


# -- what Formwork relies on in FAB ---------------------------------------------------------------------------------
REFUSED = object()


@pytest.mark.parametrize(
    "text",
    [
        "(page:0,page_size:5)",
        "(filters:!((col:name,opr:ct,value:'a b')))",
        '{"page": 1}',
        '{"filters": [{"col": "name", "opr": "ct", "value": "x%2541"}]}',
        "plain words",
        "(a:",
        "!(1,)",
    ],
)
def test_upgrade_canary_fab_reads_q_as_bad_input_does(platform: Platform, site, text: str) -> None:
    """Fails when FAB changes how it reads `q`: the request guard (tenancy/bad_input.py) must read it the same way."""

    class Probe:
        def response_400(self, message: str) -> object:
            return REFUSED

    read = rison()(lambda _api, **kwargs: kwargs["rison"])
    with tenant_app(platform).test_request_context("/api/v1/probe/", query_string={"q": text}):
        try:
            theirs = read(Probe())
        except Exception:  # noqa: BLE001 - prison's other errors escape FAB's reader (a 500 in FAB)
            theirs = REFUSED
        try:
            ours = fab_query_argument(text)
        except UnreadableJSON:
            ours = REFUSED
    assert ours == theirs


def test_upgrade_canary_fab_still_has_the_hooks_formwork_overrides() -> None:
    """Fails when FAB renames what tenancy/security.py and tokens.py replace or call."""
    for name in ("security_api", "user_api", "role_api", "group_api", "create_jwt_manager", "register_views"):
        assert hasattr(SecurityManager, name), name
    for name in ("response_422", "response_500"):
        assert hasattr(BaseApi, name), name


# -- 9. what the OpenAPI contract run found (tests/test_openapi_contract.py) ---------------------------------------
def test_fab_security_apis_refuse_what_is_not_a_json_integer_or_boolean(site) -> None:
    client, auth, _ = site
    user = {
        "first_name": "Strict",
        "last_name": "Input",
        "username": "strict",
        "email": "strict@example.com",
        "password": PASSWORD,
        "roles": [1],
    }
    for wrong in ({"active": 0}, {"active": "yes"}, {"roles": [2.589e-42]}, {"roles": [10**40]}, {"roles": [-3]}):
        refused = client.post(f"{SECURITY}/users/", json={**user, **wrong}, headers=auth)
        assert refused.status_code == 400, (wrong, refused.text)
        assert set(refused.json["message"]) == set(wrong), refused.json
    group = client.post(f"{SECURITY}/groups/", json={"name": "huge", "roles": [10**40]}, headers=auth)
    assert group.status_code == 400 and "roles" in group.json["message"]
    assert client.post(f"{SECURITY}/users/", json={**user, "active": False}, headers=auth).status_code == 201


def test_fab_security_apis_send_moments_with_their_zone_and_roles_as_a_list(site) -> None:
    client, auth, _ = site
    admin = client.get(f"{SECURITY}/users/1", headers=auth).json["result"]
    for moment in ("last_login", "created_on", "changed_on"):
        assert admin[moment] is None or admin[moment].endswith("+00:00"), (moment, admin[moment])
    assert admin["last_login"] is not None
    assert admin["roles"] == [{"id": 1, "name": "Admin"}]
    document = client.get(f"/t/{SLUG}/api/v1/_openapi", headers=auth).json
    listed = document["components"]["schemas"]["UserApi.get_list"]["properties"]
    assert listed["roles"]["type"] == "array" and listed["groups"]["type"] == "array"


def test_a_body_missing_where_json_is_read_is_400_not_500(site) -> None:
    client, auth, _ = site
    for url, method in (
        (f"{SECURITY}/users/", "post"),
        (f"{SECURITY}/groups/", "post"),
        (f"{SECURITY}/roles/1/permissions", "post"),
        (f"{SECURITY}/roles/1/users", "put"),
    ):
        refused = getattr(client, method)(url, headers=auth)
        assert refused.status_code == 400 and "not JSON" in refused.json["message"], (url, refused.text)


def test_undeclared_methods_and_impossible_ids_of_the_security_apis(site) -> None:
    client, auth, _ = site
    for api in ("users", "roles", "groups"):
        assert client.put(f"{SECURITY}/{api}/_info", json={}, headers=auth).status_code == 405, api
        assert client.get(f"{SECURITY}/{api}/-5", headers=auth).status_code == 404, api
        assert client.delete(f"{SECURITY}/{api}/12.5", headers=auth).status_code == 404, api
        assert client.put(f"{SECURITY}/{api}/0", json={"name": "none"}, headers=auth).status_code == 404, api
    nobody = client.put(f"{SECURITY}/users/0", json={"active": False, "roles": [1], "groups": []}, headers=auth)
    assert nobody.status_code == 404, nobody.text
    for body in (2040, [], "Admin"):
        refused = client.put(f"{SECURITY}/roles/1", json=body, headers=auth)
        assert refused.status_code == 400 and "JSON object" in refused.text, (body, refused.text)


def test_a_path_with_a_newline_under_the_api_answers_json(site) -> None:
    client, auth, _ = site
    for path in ("/api/v1/records/a%0Ab/1/attachments", "/api/v1/crm_account/1/file/x%0Ay", "/api/v%0A1/_openapi"):
        answer = client.get(f"/t/{SLUG}{path}", headers=auth)
        assert answer.status_code in (404, 405) and answer.is_json and "message" in answer.json, path


def test_a_json_body_over_the_limit_is_413_about_the_request_body(site) -> None:
    client, auth, _ = site
    body = b'{"name": "' + b"x" * 30_000_000 + b'"}'
    refused = client.post(ACCOUNTS, data=body, content_type="application/json", headers=auth)
    assert refused.status_code == 413 and "request body is larger than" in refused.json["message"]
    upload = client.post(
        f"{ACCOUNTS}1/file/logo", data=body, content_type="multipart/form-data; boundary=x", headers=auth
    )
    assert upload.status_code == 413 and "upload" in str(upload.json["message"])


def test_an_xlsx_export_of_text_with_a_control_character_is_a_workbook(site) -> None:
    from openpyxl import load_workbook

    client, auth, _ = site
    assert client.post(ACCOUNTS, json={"name": "Form\x0cfeed\x1b Ltd"}, headers=auth).status_code == 201
    exported = client.get(f"{ACCOUNTS}export", query_string={"format": "xlsx"}, headers=auth)
    assert exported.status_code == 200, exported.text[:300]
    cells = [
        cell for row in load_workbook(io.BytesIO(exported.data)).active.iter_rows(values_only=True) for cell in row
    ]
    assert "Formfeed Ltd" in cells


def test_a_number_no_column_holds_in_a_list_filter_is_400(site) -> None:
    client, auth, _ = site
    for value in ("99999999999999999999999", "-99999999999999999999999", "1e400"):
        for column in ("id", "employees", "name"):
            answer = client.get(
                ACCOUNTS, headers=auth, query_string={"q": f"(filters:!((col:{column},opr:eq,value:{value})))"}
            )
            assert answer.status_code == 400, (column, value, answer.text[:300])
    for page in (
        "(page:99999999999999999999,page_size:20)",
        f"(page:{2**62},page_size:20)",
        "(page:-3,page_size:20)",
        "(page:2,page_size:-1)",
    ):
        paged = client.get(ACCOUNTS, headers=auth, query_string={"q": page})
        assert paged.status_code == 400 and "page" in paged.text, (page, paged.text[:300])
