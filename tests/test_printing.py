"""Print formats (issue 14): a record printed to PDF and HTML with its pack's template, for the people its roles name,
under their record rules and field rights; a template that fails on a record is a 422 or a message, never a 500; a
template that does not compile is refused when definitions are validated, at its file and line."""

from __future__ import annotations

import base64
import io
import itertools
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from pypdf import PdfReader
from werkzeug.test import Client

from conftest import PASSWORD, Platform, catalog_with_pack, jwt, login
from formwork.definitions.loader import builtin_definitions, load_catalog
from formwork.printing.chinese_amount import chinese_amount
from formwork.tenancy.apps import build_tenant_app
from formwork.tenancy.provision import create_tenant
from formwork.tenancy.registry import Tenant, platform_session

SLUG = "prints"
PHONE = "555-0101"
SCRIPT = "<script>alert('x')</script>"
#: a pack of formats the shipped packs do not have: one only the legal role may use, one that fails on every record
TEST_PACK = """kind: Pack
name: printtest
version: 0.1.0
requires: {crm: ">=0.1.0", oa: ">=0.1.0"}
---
kind: PrintFormat
name: legal_only
entity: crm.contract
label: Legal review sheet
roles: [legal]
template: <p>{{ record.number }}</p>
---
kind: PrintFormat
name: broken
entity: crm.contract
label: Broken sheet
template: |
  <p>{{ record.number }}</p>
  <p>{{ record.no_such_field }}</p>
---
kind: PrintFormat
name: phone_sheet
entity: oa.expense_claim
template: <p>Claimant phone [{{ record.employee.phone }}]</p>
"""
#: user name -> their pack roles
ACCOUNTS = itertools.count(1)  # account names are unique
PEOPLE = {"erin": ["employee"], "fiona": ["finance"], "sam": ["sales_rep"], "rita": ["sales_rep"]}


@pytest.fixture(scope="module")
def runtime(platform: Platform, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """A tenant of core, crm, oa and the test pack with PEOPLE as users and employees."""
    catalog = catalog_with_pack(tmp_path_factory.mktemp("packs") / "printtest", TEST_PACK)
    tenant = create_tenant(
        platform.settings, catalog, SLUG, "Acme 有限公司", ["core", "crm", "oa", "printtest"], "admin", PASSWORD
    )
    app = build_tenant_app(platform.settings, tenant, catalog)
    with app.app_context():
        sm = app.appbuilder.sm
        for name, roles in PEOPLE.items():
            sm.add_user(name, name.title(), "Test", f"{name}@example.com", [sm.find_role(r) for r in roles], PASSWORD)
    found = app.extensions["formwork"]
    employee = found.compiled.model("core.employee")
    session = found.session()
    session.add_all(employee(name=name.title(), login=name, phone=PHONE) for name in PEOPLE)
    session.commit()
    found.session.remove()
    return found


#: a 1×1 PNG
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


def created(runtime: Any, entity: str, **values: Any) -> int:
    session = runtime.session()
    record = runtime.compiled.model(entity)(**values)
    session.add(record)
    session.commit()
    record_id: int = record.id
    runtime.session.remove()
    return record_id


def employee(runtime: Any, login: str) -> int:
    model = runtime.compiled.model("core.employee")
    try:
        found: int = runtime.session().query(model).filter_by(login=login).one().id
        return found
    finally:
        runtime.session.remove()


def claim(runtime: Any, *lines: tuple[str, str]) -> int:
    """An expense claim of erin's with a line per (description, amount)."""
    record = created(runtime, "oa.expense_claim", employee_id=employee(runtime, "erin"), title="Trade fair Shanghai")
    for day, (description, amount) in enumerate(lines, start=1):
        created(
            runtime,
            "oa.expense_line",
            claim_id=record,
            spent_on=date(2030, 3, day),
            category="travel",
            description=description,
            amount=Decimal(amount),
        )
    return record


def contract(runtime: Any, owner: str = "sam") -> int:
    account = created(runtime, "crm.account", name=f"Globex 上海 {next(ACCOUNTS)}", owner_id=employee(runtime, owner))
    return created(
        runtime,
        "crm.contract",
        title="Support agreement",
        account_id=account,
        amount=Decimal("120000.50"),
        start_date=date(2030, 1, 1),
        owner_id=employee(runtime, owner),
    )


def number_of(runtime: Any, entity: str, record: int) -> str:
    try:
        found: str = runtime.session().get(runtime.compiled.model(entity), record).number
        return found
    finally:
        runtime.session.remove()


def pdf_text(body: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)


def signed_in(platform: Platform, user: str) -> Client:
    client = platform.client()
    assert login(client, SLUG, user).status_code == 302
    return client


def print_url(table: str, record: int, name: str) -> str:
    return f"/t/{SLUG}/api/v1/{table}/{record}/print/{name}.pdf"


def test_an_expense_claim_prints_its_lines_total_and_chinese_amount(platform: Platform, runtime: Any) -> None:
    record = claim(runtime, ("Taxi to the fair", "1200.00"), ("Hotel night", "34.56"))
    answer = platform.client().get(
        print_url("oa_expense_claim", record, "expense_claim"), headers=jwt(platform.client(), SLUG, "erin")
    )
    assert answer.status_code == 200, answer.text
    assert answer.mimetype == "application/pdf"
    text = pdf_text(answer.data)
    for shown in (number_of(runtime, "oa.expense_claim", record), "Taxi to the fair", "Hotel night", "1,200.00"):
        assert shown in text, shown
    assert "34.56" in text and "1,234.56" in text  # a line and the total
    assert "壹仟贰佰叁拾肆元伍角陆分" in text
    assert "Acme 有限公司" in text  # the tenant's name, in a font that has Chinese


def test_finance_prints_the_claims_it_reads(platform: Platform, runtime: Any) -> None:
    record = claim(runtime, ("Train", "100.00"))
    answer = platform.client().get(
        print_url("oa_expense_claim", record, "expense_claim"), headers=jwt(platform.client(), SLUG, "fiona")
    )
    assert answer.status_code == 200, answer.text
    assert "壹佰元整" in pdf_text(answer.data)


def test_a_contract_prints(platform: Platform, runtime: Any) -> None:
    record = contract(runtime)
    answer = platform.client().get(
        print_url("crm_contract", record, "contract"), headers=jwt(platform.client(), SLUG, "sam")
    )
    assert answer.status_code == 200, answer.text
    text = pdf_text(answer.data)
    for shown in (number_of(runtime, "crm.contract", record), "Support agreement", "Globex 上海", "120,000.50"):
        assert shown in text, shown
    assert "壹拾贰万元零伍角" in text


def test_the_print_menu_lists_the_formats_the_user_may_use(platform: Platform, runtime: Any) -> None:
    record = contract(runtime)
    page = signed_in(platform, "sam").get(f"/t/{SLUG}/crm_contract/show/{record}").text
    assert "fw-print" in page
    assert f"/crm_contract/print/{record}/contract" in page
    assert f"/crm_contract/print/{record}/legal_only" not in page
    admin_page = signed_in(platform, "admin").get(f"/t/{SLUG}/crm_contract/show/{record}").text
    assert f"/crm_contract/print/{record}/legal_only" in admin_page


def test_a_user_without_the_role_gets_403(platform: Platform, runtime: Any) -> None:
    record = contract(runtime)
    api = platform.client().get(
        print_url("crm_contract", record, "legal_only"), headers=jwt(platform.client(), SLUG, "sam")
    )
    assert api.status_code == 403
    assert api.json["message"] == "Your roles may not use this print format."
    screen = signed_in(platform, "sam").get(f"/t/{SLUG}/crm_contract/print/{record}/legal_only")
    assert screen.status_code == 403


def test_a_record_the_user_may_not_see_is_404(platform: Platform, runtime: Any) -> None:
    record = contract(runtime, owner="sam")
    api = platform.client().get(
        print_url("crm_contract", record, "contract"), headers=jwt(platform.client(), SLUG, "rita")
    )
    assert api.status_code == 404
    assert signed_in(platform, "rita").get(f"/t/{SLUG}/crm_contract/print/{record}/contract").status_code == 404


def test_an_unknown_format_is_404(platform: Platform, runtime: Any) -> None:
    record = contract(runtime)
    api = platform.client().get(print_url("crm_contract", record, "nothing"), headers=jwt(platform.client(), SLUG))
    assert api.status_code == 404
    # a format of another entity is not this one's
    assert (
        platform.client()
        .get(print_url("crm_contract", record, "expense_claim"), headers=jwt(platform.client(), SLUG))
        .status_code
        == 404
    )


def test_a_template_failing_at_render_is_422_with_why(platform: Platform, runtime: Any) -> None:
    record = contract(runtime)
    api = platform.client().get(
        print_url("crm_contract", record, "broken"), headers=jwt(platform.client(), SLUG, "sam")
    )
    assert api.status_code == 422
    assert 'The print format "Broken sheet" could not be applied' in api.json["message"]
    assert "has no field 'no_such_field'" in api.json["message"]


def test_a_template_failing_on_the_screen_shows_a_message(platform: Platform, runtime: Any) -> None:
    record = contract(runtime)
    client = signed_in(platform, "sam")
    answer = client.get(f"/t/{SLUG}/crm_contract/print/{record}/broken")
    assert answer.status_code == 302
    assert answer.headers["Location"].endswith(f"/crm_contract/show/{record}")
    page = client.get(answer.headers["Location"]).text
    assert "could not be applied to this record" in page and "no_such_field" in page


def test_the_html_escapes_record_values(platform: Platform, runtime: Any) -> None:
    record = claim(runtime, (SCRIPT, "10.00"))
    preview = signed_in(platform, "erin").get(f"/t/{SLUG}/oa_expense_claim/print/{record}/expense_claim/preview")
    assert preview.status_code == 200
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in preview.text
    assert SCRIPT not in preview.text


def test_fields_the_reader_may_not_read_print_empty(platform: Platform, runtime: Any) -> None:
    """The employee role hides colleagues' phone numbers (oa/roles.yaml): erin's print shows none, the admin's does."""
    record = claim(runtime, ("Taxi", "10.00"))
    url = f"/t/{SLUG}/oa_expense_claim/print/{record}/phone_sheet/preview"
    assert "Claimant phone []" in signed_in(platform, "erin").get(url).text
    assert f"Claimant phone [{PHONE}]" in signed_in(platform, "admin").get(url).text


def test_the_screen_prints_a_pdf(platform: Platform, runtime: Any) -> None:
    record = claim(runtime, ("Lunch", "45.00"))
    answer = signed_in(platform, "erin").get(f"/t/{SLUG}/oa_expense_claim/print/{record}/expense_claim")
    assert answer.status_code == 200 and answer.mimetype == "application/pdf"
    assert "肆拾伍元整" in pdf_text(answer.data)


def test_the_tenants_logo_heads_the_pack_formats(platform: Platform, runtime: Any) -> None:
    """A tenant's logo (its manifest's `logo:`, kept in the registry as a data: URI) is `tenant.logo` in templates."""
    logo = "data:image/png;base64," + base64.b64encode(PNG).decode()
    with platform_session(platform.settings.database_url) as session:
        session.scalar(sa.select(Tenant).where(Tenant.slug == SLUG)).logo = logo
        session.commit()
    record = claim(runtime, ("Taxi", "18.00"))
    erin = signed_in(platform, "erin")
    preview = erin.get(f"/t/{SLUG}/oa_expense_claim/print/{record}/expense_claim/preview")
    assert f'<img class="logo" src="{logo}"' in preview.text
    printed = erin.get(f"/t/{SLUG}/oa_expense_claim/print/{record}/expense_claim")
    assert printed.status_code == 200 and "壹拾捌元整" in pdf_text(printed.data)


def test_the_route_is_in_the_openapi_document(platform: Platform, runtime: Any) -> None:
    document = platform.client().get(f"/t/{SLUG}/api/v1/_openapi", headers=jwt(platform.client(), SLUG)).json
    operation = document["paths"]["/api/v1/crm_contract/{pk}/print/{name}.pdf"]["get"]
    assert "application/pdf" in operation["responses"]["200"]["content"]
    assert {"403", "404", "422"} <= set(operation["responses"])


BROKEN_PACK = """kind: Pack
name: badprint
version: 0.1.0
requires: {crm: ">=0.1.0"}
---
kind: PrintFormat
name: sheet
entity: crm.contract
roles: [no_such_role]
template: |
  <p>{{ record.number }}</p>
  {% for line in record.lines %}
  <p>{{ line.amount | money }</p>
  {% endfor %}
"""


def test_validate_refuses_a_template_that_does_not_compile_at_its_line(tmp_path: Path) -> None:
    folder = tmp_path / "badprint"
    folder.mkdir()
    (folder / "pack.yaml").write_text(BROKEN_PACK)
    _catalog, errors = load_catalog([builtin_definitions(), folder])
    messages = [str(e) for e in errors]
    assert any("pack.yaml:13" in m and "template line 3" in m for m in messages), messages
    assert any("pack.yaml:9" in m and "unknown role 'no_such_role'" in m for m in messages), messages


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        ("0", "零元整"),
        ("100.00", "壹佰元整"),
        ("1004.06", "壹仟零肆元零陆分"),
        ("100000.10", "壹拾万元零壹角"),
        ("1234.50", "壹仟贰佰叁拾肆元伍角"),
        ("0.50", "伍角"),
        ("0.05", "伍分"),
        ("0.56", "伍角陆分"),
        ("10.05", "壹拾元零伍分"),
        ("10", "壹拾元整"),
        ("100010", "壹拾万零壹拾元整"),
        ("10100", "壹万零壹佰元整"),
        ("1001000", "壹佰万壹仟元整"),
        ("100000001", "壹亿零壹元整"),
        ("100001000", "壹亿零壹仟元整"),
        ("123456789012.34", "壹仟贰佰叁拾肆亿伍仟陆佰柒拾捌万玖仟零壹拾贰元叁角肆分"),
        ("-12.30", "负壹拾贰元叁角"),
        ("1.005", "壹元零壹分"),  # rounded half up to the 分
    ],
)
def test_chinese_amount(amount: str, words: str) -> None:
    assert chinese_amount(Decimal(amount)) == words


def test_chinese_amount_refuses_what_it_cannot_write() -> None:
    with pytest.raises(ValueError, match="below 10"):
        chinese_amount(Decimal("10000000000000000"))
    with pytest.raises(ValueError):
        chinese_amount(Decimal("NaN"))
