"""Files: versions of file fields, attachments on any record (screens and API), limits, rights, tenants, storage."""

from __future__ import annotations

import re
from io import BytesIO
from pathlib import Path

import pytest

from conftest import PASSWORD, Platform, csrf_token, jwt, login
from formwork.files.limits import (
    DEFAULT_UPLOAD_TYPES,
    Limits,
    UploadRefused,
    check_upload,
)
from formwork.tenancy.file_store import LocalFileStore
from formwork.tenancy.registry import find_tenant

SLUG, OTHER = "files", "files-other"
SPECIMENS = f"/t/{SLUG}/api/v1/lab_specimen/"
EMPLOYEES = f"/t/{SLUG}/api/v1/core_employee/"
RECORDS = f"/t/{SLUG}/api/v1/records/core_employee/"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF_ONE = b"%PDF-1.4\n" + b"1" * 64
PDF_TWO = b"%PDF-1.4\n" + b"2" * 64
EXE = b"MZ\x90\x00" + b"\x00" * 64
PAGE = b"<!DOCTYPE html><html><script>alert(1)</script></html>"


def multipart(**files: tuple[bytes, str]) -> dict:
    return {name: (BytesIO(content), filename) for name, (content, filename) in files.items()}


def stored_files(platform: Platform, slug: str = SLUG) -> set[str]:
    root = platform.settings.instance / "files" / slug
    return {path.name for path in root.rglob("*") if path.is_file()} if root.exists() else set()


def tenant_app(platform: Platform, slug: str = SLUG):
    return platform.app.tenant_apps.get(find_tenant(platform.settings.database_url, slug))


@pytest.fixture(scope="module")
def site(platform: Platform):
    platform.tenant(SLUG, packs=["lab"])
    platform.tenant(OTHER, packs=["lab"])
    with tenant_app(platform).app_context():
        sm = tenant_app(platform).appbuilder.sm
        reader = sm.add_role("Employee reader")
        for permission, view in (
            ("can_show", "CoreEmployeeView"),
            ("can_list", "CoreEmployeeView"),
            ("can_get", "CoreEmployeeApi"),
        ):
            sm.add_permission_role(reader, sm.find_permission_view_menu(permission, view))
        sm.add_user("reader", "Rea", "Der", "reader@files.example", [reader], password=PASSWORD)
    client = platform.client()
    auth = jwt(client, SLUG)
    login(client, SLUG)
    return client, auth


def new_employee(site, name: str) -> int:
    client, auth = site
    return client.post(EMPLOYEES, json={"name": name}, headers=auth).json["id"]


def edit_specimen(client, pk: int | None, code: str, **files) -> object:
    url = f"/t/{SLUG}/lab_specimen/edit/{pk}" if pk else f"/t/{SLUG}/lab_specimen/add"
    page = client.get(url)
    data = {"csrf_token": csrf_token(page.text), "code": code, **multipart(**files)}
    if pk:
        data["record_version"] = re.search(r'name="record_version" type="hidden" value="(\d+)"', page.text).group(1)
    return client.post(url, data=data, content_type="multipart/form-data", follow_redirects=True)


def specimen(site, code: str) -> dict:
    client, auth = site
    query = {"q": f"(filters:!((col:code,opr:eq,value:'{code}')))"}
    return client.get(SPECIMENS, headers=auth, query_string=query).json["result"][0]


# -- versions of file fields ------------------------------------------------------------------------------------
def test_replacing_a_file_field_keeps_the_old_file_as_a_version(site, platform: Platform) -> None:
    client, auth = site
    assert edit_specimen(client, None, "FV-001", attachment=(PDF_ONE, "plan.pdf")).status_code == 200
    first = specimen(site, "FV-001")
    assert edit_specimen(client, first["id"], "FV-001", attachment=(PDF_TWO, "plan-v2.pdf")).status_code == 200
    second = specimen(site, "FV-001")
    assert second["attachment"]["name"] == "plan-v2.pdf" and second["attachment"]["key"] != first["attachment"]["key"]

    show = client.get(f"/t/{SLUG}/lab_specimen/show/{first['id']}").text
    assert "Earlier files" in show and "plan.pdf" in show
    link = f"/t/{SLUG}/lab_specimen/file-version/{first['id']}/attachment/1"
    assert f'href="{link}"' in show
    old = client.get(link)
    assert old.status_code == 200 and old.data == PDF_ONE
    assert "attachment" in old.headers["Content-Disposition"] and old.headers["X-Content-Type-Options"] == "nosniff"
    # the old key is no longer the field's: it is served only as a version of its record
    assert client.get(f"/t/{SLUG}/lab_specimen/file/attachment/{first['attachment']['key']}").status_code == 404
    assert client.get(f"/t/{SLUG}/lab_specimen/file-version/{first['id']}/attachment/2").status_code == 404
    assert platform.client().get(link).status_code == 302  # not signed in

    # the API's upload keeps versions too
    for content in (PNG, PNG + b"again"):
        response = client.post(
            f"{SPECIMENS}{first['id']}/file/photo",
            data=multipart(file=(content, "face.png")),
            headers=auth,
            content_type="multipart/form-data",
        )
        assert response.status_code == 200, response.text
    show = client.get(f"/t/{SLUG}/lab_specimen/show/{first['id']}").text
    assert f"/t/{SLUG}/lab_specimen/file-version/{first['id']}/photo/1" in show
    versions = f"/t/{SLUG}/api/v1/records/lab_specimen/{first['id']}/files/attachment/versions"
    assert [(v["version"], v["name"]) for v in client.get(versions, headers=auth).json["result"]] == [(1, "plan.pdf")]
    assert client.get(f"{versions}/1", headers=auth).data == PDF_ONE
    assert client.get(f"{versions}/2", headers=auth).status_code == 404
    assert client.get(versions.replace("/attachment/", "/code/"), headers=auth).status_code == 404


def test_a_save_that_fails_leaves_no_file_behind(site, platform: Platform) -> None:
    client, _ = site
    before = stored_files(platform)
    response = edit_specimen(client, None, "not a code", attachment=(PDF_ONE, "orphan.pdf"))
    assert "Does not match the expected format" in response.text or "expected format" in response.text
    assert stored_files(platform) == before


def test_bytes_follow_the_transaction_that_records_them(site, platform: Platform) -> None:
    from formwork.files.attachments import attach, attachment, detach
    from formwork.files.lifecycle import save_upload
    from formwork.tenancy.file_store import store_for

    app = tenant_app(platform)
    upload = check_upload(PDF_ONE, "draft.pdf", Limits(1_000_000, DEFAULT_UPLOAD_TYPES))
    with app.app_context():
        store, session = store_for(app), app.extensions["formwork"].session()
        kept = save_upload(session, upload, "admin")["key"]
        session.commit()
        dropped = save_upload(session, upload, "admin")["key"]
        session.rollback()
        assert store.exists(kept) and not store.exists(dropped)  # a save that does not commit leaves nothing
        store.delete(kept)

        pk = new_employee(site, "Jo")
        attachment_id = attach(session, "core.employee", pk, upload, "admin")
        session.commit()
        found = attachment(session, "core.employee", pk, attachment_id)
        detach(session, found)
        session.rollback()
        assert store.exists(found.current.key)  # a delete that rolls back deletes no bytes
        detach(session, attachment(session, "core.employee", pk, attachment_id))
        session.commit()
        assert not store.exists(found.current.key)
        session.close()


# -- attachments on the screens ---------------------------------------------------------------------------------
def upload_on_screen(client, pk: int, *files: tuple[bytes, str], replace: int | None = None) -> str:
    page = client.get(f"/t/{SLUG}/core_employee/show/{pk}")
    data = {"csrf_token": csrf_token(page.text), "files": [(BytesIO(content), name) for content, name in files]}
    if replace is not None:
        data["replace"] = str(replace)
    return client.post(
        f"/t/{SLUG}/core_employee/attachments/{pk}",
        data=data,
        content_type="multipart/form-data",
        follow_redirects=True,
    ).text


def test_attachments_on_any_show_page_upload_version_download_and_delete(site, platform: Platform) -> None:
    client, _ = site
    pk = new_employee(site, "Ada")
    show = client.get(f"/t/{SLUG}/core_employee/show/{pk}").text
    assert 'id="fw-files"' in show and "No attachments yet." in show and 'name="files"' in show

    page = upload_on_screen(client, pk, (b"first draft", "notes.txt"), (PNG, "map.png"))
    assert "Attached." in page and "notes.txt" in page and "map.png" in page
    page = upload_on_screen(client, pk, (b"second draft", "notes.txt"))  # the same name: a new version
    notes = re.search(r'data-attachment="(\d+)">\s*<td><a href="([^"]+)">notes.txt</a></td>\s*<td>v2</td>', page)
    assert notes, page
    attachment_id, current = notes.groups()
    assert client.get(current).data == b"second draft"
    earlier = client.get(f"/t/{SLUG}/core_employee/attachments/{pk}/{attachment_id}?version=1")
    assert earlier.status_code == 200 and earlier.data == b"first draft"
    assert (
        "attachment" in earlier.headers["Content-Disposition"]
        and earlier.headers["X-Content-Type-Options"] == "nosniff"
    )

    picture = re.search(r'<a href="([^"]+)">map.png</a>', page).group(1)
    inline = client.get(picture)
    assert inline.status_code == 200 and inline.mimetype == "image/png"
    assert "inline" in inline.headers["Content-Disposition"] and inline.headers["X-Content-Type-Options"] == "nosniff"

    page = upload_on_screen(client, pk, (b"third, under another name", "minutes.txt"), replace=int(attachment_id))
    assert re.search(r'<a href="[^"]+">minutes.txt</a></td>\s*<td>v3</td>', page)

    before = stored_files(platform)
    token = csrf_token(client.get(f"/t/{SLUG}/core_employee/show/{pk}").text)
    assert client.post(f"/t/{SLUG}/core_employee/attachments/{pk}/{attachment_id}/delete").status_code == 400  # no CSRF
    page = client.post(
        f"/t/{SLUG}/core_employee/attachments/{pk}/{attachment_id}/delete",
        data={"csrf_token": token},
        follow_redirects=True,
    ).text
    assert "Attachment deleted." in page and "minutes.txt" not in page and "map.png" in page
    assert len(before - stored_files(platform)) == 3  # every version's bytes, after the commit
    assert client.get(current).status_code == 404


def test_bad_files_are_refused_on_the_screen_and_nothing_is_stored(site, platform: Platform) -> None:
    client, auth = site
    pk = new_employee(site, "Bea")
    before = stored_files(platform)
    assert "The file&#39;s content does not match its name." in upload_on_screen(client, pk, (EXE, "photo.png"))
    assert "The file&#39;s content does not match its name." in upload_on_screen(client, pk, (PAGE, "readme.txt"))
    assert "Only .pdf" in upload_on_screen(client, pk, (PAGE, "page.html"))
    assert stored_files(platform) == before
    assert client.get(f"{RECORDS}{pk}/attachments", headers=auth).json["count"] == 0


# -- attachments through the API -------------------------------------------------------------------------------
def test_attachments_through_the_api(site, platform: Platform) -> None:
    client, auth = site
    pk = new_employee(site, "Cai")
    url = f"{RECORDS}{pk}/attachments"
    created = client.post(
        url, data=multipart(file=(PDF_ONE, "contract.pdf")), headers=auth, content_type="multipart/form-data"
    )
    assert created.status_code == 201, created.text
    attachment = created.json["result"][0]
    assert (attachment["name"], attachment["version"], attachment["content_type"], attachment["uploaded_by"]) == (
        "contract.pdf",
        1,
        "application/pdf",
        "admin",
    )
    again = client.post(
        url, data=multipart(file=(PDF_TWO, "contract.pdf")), headers=auth, content_type="multipart/form-data"
    )
    assert again.json["result"][0]["id"] == attachment["id"] and again.json["result"][0]["version"] == 2
    listed = client.get(url, headers=auth).json
    assert listed["count"] == 1 and listed["result"][0]["versions"] == 2

    versions = client.get(f"{url}/{attachment['id']}/versions", headers=auth).json["result"]
    assert [v["version"] for v in versions] == [2, 1] and versions[1]["replaced_at"]
    download = f"{url}/{attachment['id']}/download"
    assert client.get(download, headers=auth).data == PDF_TWO
    assert client.get(download, headers=auth, query_string={"version": 1}).data == PDF_ONE
    assert client.get(download, headers=auth, query_string={"version": 9}).status_code == 404

    replaced = client.post(
        f"{url}/{attachment['id']}",
        data=multipart(file=(PNG, "scan.png")),
        headers=auth,
        content_type="multipart/form-data",
    )
    assert replaced.status_code == 201 and replaced.json["result"][0]["version"] == 3
    assert client.delete(f"{url}/{attachment['id']}", headers=auth).status_code == 200
    assert client.get(url, headers=auth).json["count"] == 0
    assert client.get(download, headers=auth).status_code == 404
    assert client.get(url).status_code == 401  # JWT only
    spec = client.get(f"/t/{SLUG}/api/v1/_openapi", headers=auth)
    assert (
        spec.status_code == 200
        and "/api/v1/records/{table}/{pk}/attachments/{attachment_id}/versions" in spec.json["paths"]
    )


@pytest.mark.parametrize(
    "content, name, message",
    [
        (EXE, "invoice.png", "The file's content does not match its name."),
        (PAGE, "notes.txt", "The file's content does not match its name."),
        (PNG, "tool.exe", "Only .pdf"),
        (b"", "", "Send the file as the multipart part `file`."),
    ],
)
def test_disguised_files_get_a_400_and_nothing_is_stored(
    site, platform: Platform, content: bytes, name: str, message: str
) -> None:
    client, auth = site
    pk = new_employee(site, "Dan")
    before = stored_files(platform)
    data = multipart(file=(content, name)) if name else {}
    response = client.post(f"{RECORDS}{pk}/attachments", data=data, headers=auth, content_type="multipart/form-data")
    assert response.status_code == 400 and message in response.json["message"]["file"][0]
    assert (
        stored_files(platform) == before and client.get(f"{RECORDS}{pk}/attachments", headers=auth).json["count"] == 0
    )


def test_oversized_files_are_refused_before_they_are_stored(site, platform: Platform, monkeypatch) -> None:
    client, auth = site
    pk = new_employee(site, "Eve")
    app = tenant_app(platform)
    monkeypatch.setitem(app.config, "FORMWORK_MAX_UPLOAD_MB", 0.01)  # about 10 KB
    before = stored_files(platform)
    big = b"%PDF-1.4\n" + b"x" * 20_000
    refused = client.post(
        f"{RECORDS}{pk}/attachments",
        data=multipart(file=(big, "big.pdf")),
        headers=auth,
        content_type="multipart/form-data",
    )
    assert refused.status_code == 400 and refused.json["message"]["file"] == ["The file is larger than 10 KB."]
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 5_000)  # the whole request: refused before it is read
    too_big = client.post(
        f"{RECORDS}{pk}/attachments",
        data=multipart(file=(big, "big.pdf")),
        headers=auth,
        content_type="multipart/form-data",
    )
    assert too_big.status_code == 413 and "larger than" in too_big.json["message"]["file"][0]
    assert stored_files(platform) == before


# -- rights and tenants ---------------------------------------------------------------------------------------
def test_readers_list_and_download_but_cannot_change(site, platform: Platform) -> None:
    client, auth = site
    pk = new_employee(site, "Fay")
    url = f"{RECORDS}{pk}/attachments"
    attachment = client.post(
        url, data=multipart(file=(PDF_ONE, "cv.pdf")), headers=auth, content_type="multipart/form-data"
    ).json["result"][0]
    reader = platform.client()
    reader_auth = jwt(reader, SLUG, "reader")
    assert reader.get(url, headers=reader_auth).json["count"] == 1
    assert reader.get(f"{url}/{attachment['id']}/download", headers=reader_auth).data == PDF_ONE
    assert (
        reader.post(
            url, data=multipart(file=(PDF_TWO, "cv.pdf")), headers=reader_auth, content_type="multipart/form-data"
        ).status_code
        == 403
    )
    assert reader.delete(f"{url}/{attachment['id']}", headers=reader_auth).status_code == 403
    assert reader.get(f"{RECORDS}999999/attachments", headers=reader_auth).status_code == 404
    assert reader.get(f"/t/{SLUG}/api/v1/records/lab_specimen/1/attachments", headers=reader_auth).status_code == 403
    assert reader.get(f"/t/{SLUG}/api/v1/records/no_such_table/1/attachments", headers=reader_auth).status_code == 404

    login(reader, SLUG, "reader")
    show = reader.get(f"/t/{SLUG}/core_employee/show/{pk}").text
    assert (
        "cv.pdf" in show and 'name="files"' not in show and "attachment-delete" not in show
    )  # no edit right: no forms
    token = csrf_token(show)
    posted = reader.post(
        f"/t/{SLUG}/core_employee/attachments/{pk}/{attachment['id']}/delete", data={"csrf_token": token}
    )
    assert posted.status_code in (302, 403) and client.get(url, headers=auth).json["count"] == 1  # refused: still there
    # an attachment id is no key to another record's files
    other = new_employee(site, "Gus")
    assert client.get(f"/t/{SLUG}/core_employee/attachments/{other}/{attachment['id']}").status_code == 404
    assert client.get(f"{RECORDS}{other}/attachments/{attachment['id']}/download", headers=auth).status_code == 404


def test_another_tenant_sees_nothing(site, platform: Platform) -> None:
    client, auth = site
    pk = new_employee(site, "Hal")
    attachment = client.post(
        f"{RECORDS}{pk}/attachments",
        data=multipart(file=(PDF_ONE, "secret.pdf")),
        headers=auth,
        content_type="multipart/form-data",
    ).json["result"][0]
    stranger = platform.client()
    stranger_auth = jwt(stranger, OTHER)
    path = f"core_employee/{pk}/attachments/{attachment['id']}/download"
    assert stranger.get(f"/t/{OTHER}/api/v1/records/{path}", headers=stranger_auth).status_code == 404
    assert stranger.get(f"/t/{SLUG}/api/v1/records/{path}", headers=stranger_auth).status_code == 401
    login(stranger, OTHER)
    assert stranger.get(f"/t/{OTHER}/core_employee/attachments/{pk}/{attachment['id']}").status_code == 404
    assert (
        stranger.get(f"/t/{SLUG}/core_employee/attachments/{pk}/{attachment['id']}").status_code == 302
    )  # not signed in there
    assert stored_files(platform, OTHER) == set()


def test_deleting_a_record_deletes_its_files_after_the_commit(site, platform: Platform) -> None:
    client, auth = site
    pk = new_employee(site, "Ivy")
    url = f"{RECORDS}{pk}/attachments"
    for content in (PDF_ONE, PDF_TWO):
        client.post(url, data=multipart(file=(content, "deed.pdf")), headers=auth, content_type="multipart/form-data")
    before = stored_files(platform)
    assert client.delete(f"{EMPLOYEES}{pk}", headers=auth).status_code == 200
    assert len(before - stored_files(platform)) == 2
    assert client.get(url, headers=auth).status_code == 404


# -- the checks and the store on their own ---------------------------------------------------------------------
@pytest.mark.parametrize(
    "content, name",
    [(EXE, "cv.pdf"), (PAGE, "data.csv"), (b"<svg onload=x>", "logo.txt"), (b"\x00\x01binary", "notes.txt")],
)
def test_content_must_match_the_name(content: bytes, name: str) -> None:
    with pytest.raises(UploadRefused, match="does not match"):
        check_upload(content, name, Limits(1_000_000, DEFAULT_UPLOAD_TYPES))


def test_names_are_cleaned_and_types_are_the_sniffed_ones() -> None:
    upload = check_upload(PNG, "C:\\Users\\me\\..\\photo.PNG", Limits(1_000, DEFAULT_UPLOAD_TYPES))
    assert (upload.name, upload.content_type) == ("photo.PNG", "image/png")
    assert (
        check_upload("中文 备注".encode("gb18030"), "备注.txt", Limits(1_000, DEFAULT_UPLOAD_TYPES)).content_type
        == "text/plain"
    )


def test_the_local_store_writes_whole_files_and_refuses_odd_keys(tmp_path: Path) -> None:
    store = LocalFileStore(tmp_path)
    stored = store.save(b"bytes", "a.txt", "text/plain")
    assert store.exists(stored.key) and store.open(stored.key).read() == b"bytes"
    assert not list(tmp_path.rglob(".upload-*"))  # the temporary file was renamed
    assert not store.exists("../../etc/passwd")
    with pytest.raises(FileNotFoundError):
        store.open("../secret")
    store.delete(stored.key)
    assert not store.exists(stored.key)


def test_records_outside_the_users_rules_are_not_found(platform: Platform) -> None:
    """A sales rep sees only the accounts they own (crm's record rules): another rep's account's files are 404."""
    slug = "files-rules"
    platform.tenant(slug, packs=["core", "crm"])
    app = tenant_app(platform, slug)
    with app.app_context():
        sm = app.appbuilder.sm
        for name in ("rita", "rob"):
            sm.add_user(
                name, name.title(), "Rep", f"{name}@rules.example", [sm.find_role("sales_rep")], password=PASSWORD
            )
    admin = platform.client()
    auth = jwt(admin, slug)
    accounts = {}
    for name in ("rita", "rob"):
        owner = admin.post(
            f"/t/{slug}/api/v1/core_employee/", json={"name": name.title(), "login": name}, headers=auth
        ).json["id"]
        accounts[name] = admin.post(
            f"/t/{slug}/api/v1/crm_account/", json={"name": f"{name} Ltd", "owner": owner}, headers=auth
        ).json["id"]
    base = f"/t/{slug}/api/v1/records/crm_account"
    robs = admin.post(
        f"{base}/{accounts['rob']}/attachments",
        data=multipart(file=(PDF_ONE, "terms.pdf")),
        headers=auth,
        content_type="multipart/form-data",
    ).json["result"][0]
    rita = platform.client()
    rita_auth = jwt(rita, slug, "rita")
    assert rita.get(f"{base}/{accounts['rob']}/attachments", headers=rita_auth).status_code == 404
    assert rita.get(f"{base}/{accounts['rob']}/attachments/{robs['id']}/download", headers=rita_auth).status_code == 404
    assert (
        rita.post(
            f"{base}/{accounts['rob']}/attachments",
            data=multipart(file=(PDF_TWO, "terms.pdf")),
            headers=rita_auth,
            content_type="multipart/form-data",
        ).status_code
        == 404
    )
    own = rita.post(
        f"{base}/{accounts['rita']}/attachments",
        data=multipart(file=(PDF_TWO, "quote.pdf")),
        headers=rita_auth,
        content_type="multipart/form-data",
    )
    assert own.status_code == 201, own.text
    login(rita, slug, "rita")
    assert rita.get(f"/t/{slug}/crm_account/attachments/{accounts['rob']}/{robs['id']}").status_code == 404
    assert "quote.pdf" in rita.get(f"/t/{slug}/crm_account/show/{accounts['rita']}").text


def test_file_fields_come_from_the_files_feature() -> None:
    """The core names neither the file and image types nor their routes: the files feature registers the types, the
    download route on every entity's screens and the upload route on every entity's API, as an extension would."""
    from formwork.compile.apis import EntityRestApi
    from formwork.compile.views import EntityModelView
    from formwork.features import ENTITY_APIS, ENTITY_SCREENS, FIELD_TYPES, load_features
    from formwork.files.api import RecordFileFieldApi
    from formwork.files.screens import RecordFileScreens

    registry = load_features()
    assert {(entry.item.name, entry.feature) for entry in registry.entries(FIELD_TYPES)} >= {
        ("file", "files"),
        ("image", "files"),
    }
    assert not hasattr(EntityModelView, "stored_file") and hasattr(RecordFileScreens, "stored_file")
    assert RecordFileScreens in [screens.mixin for screens in registry.items(ENTITY_SCREENS)]
    assert not hasattr(EntityRestApi, "upload") and RecordFileFieldApi in registry.items(ENTITY_APIS)
