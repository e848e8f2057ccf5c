"""The approval engine's refusals in the reader's language: flashed on the screens, answered by the approvals API.

Every refusal is checked whole, in Chinese and in English: a Chinese reader must see no English word besides the
names and values filled in (user names), and the values must be the ones a person reads (the entity's and the
step's labels, the task's status), not the definitions' names.
"""

from __future__ import annotations

import html
import re
import shutil
from pathlib import Path
from types import ModuleType

import pytest
from werkzeug.test import Client

from conftest import Platform, csrf_token, jwt, login
from formwork import i18n, i18n_catalog
from formwork.i18n import CatalogText
from formwork.workflow import api, approvers, engine, rows, submitters
from formwork.workflow.engine import Approvals
from formwork.workflow.errors import NotAllowed
from workflow_org import PEOPLE, company, leave, open_task

SLUG = "wflang"
LEAVE = "oa.leave_request"
API = f"/t/{SLUG}/api/v1/approvals"
LANGUAGES = ("zh", "en")
USERS = ("erin", "mike", "sam")
#: user names are values: they stay as they are in every language ("nobody" is a name that is no user)
NAMES = (*USERS, "nobody")

ON_SCREENS = {
    "zh": {
        "not_owner": "操作被拒绝：只有该请假申请记录的创建人或其所属员工本人可以提交",
        "self_approval": "操作被拒绝：erin 是此申请的提交人，不能审批（此审批流程不允许提交人审批自己的申请）",
        "withdraw": "操作被拒绝：只有提交人 erin 可以撤回",
        "not_earlier": "操作被拒绝：“部门负责人”不是此申请之前的环节（之前的环节：无）",
        "decided": "已被处理：该任务已由 mike 处理（已同意）",
    },
    "en": {
        "not_owner": "Refused: only the person who created this Leave request record, or the employee it is for, "
        "may submit it",
        "self_approval": "Refused: erin submitted this request and cannot approve it (self-approval is not allowed here)",
        "withdraw": "Refused: only erin, who submitted it, can withdraw it",
        "not_earlier": "Refused: 'Department head' is not an earlier step of this request (earlier: none)",
        "decided": "Already decided: this task was already decided by mike (Approved)",
    },
}
IN_THE_API = {
    "zh": {
        "not_owner": "只有该请假申请记录的创建人或其所属员工本人可以提交",
        "not_yours": "未找到",
        "self_approval": "erin 是此申请的提交人，不能审批（此审批流程不允许提交人审批自己的申请）",
        "withdraw": "只有提交人 erin 可以撤回",
        "decided": "该任务已由 mike 处理（已同意）",
        "inactive": "“nobody”不是有效用户",
        "backwards": "委托的结束日期早于开始日期。",
    },
    "en": {
        "not_owner": "only the person who created this Leave request record, or the employee it is for, may submit it",
        "not_yours": "Not found",
        "self_approval": "erin submitted this request and cannot approve it (self-approval is not allowed here)",
        "withdraw": "only erin, who submitted it, can withdraw it",
        "decided": "this task was already decided by mike (Approved)",
        "inactive": "'nobody' is not an active user",
        "backwards": "The delegation ends before it starts.",
    },
}


@pytest.fixture(scope="module")
def runtime(platform: Platform):
    """The company of workflow_org; everyone gets a role with every right an admin has, so the engine (not a
    missing right) is what refuses."""
    runtime = company(platform, platform.catalog, SLUG, ["core", "oa"])
    apps = platform.app.tenant_apps
    app = apps.get(apps.tenant(SLUG))
    with app.app_context():
        sm = app.appbuilder.sm
        staff = sm.add_role("Staff", permissions=list(sm.find_role("Admin").permissions))
        for name in PEOPLE:
            user = sm.find_user(username=name)
            user.roles = [staff]
            sm.update_user(user)
    runtime.session.remove()
    return runtime


@pytest.fixture(scope="module")
def people(platform: Platform, runtime) -> dict[str, Client]:
    clients = {}
    for name in USERS:
        clients[name] = platform.client()
        assert login(clients[name], SLUG, name).status_code == 302
    return clients


@pytest.fixture(scope="module")
def tokens(platform: Platform, runtime) -> dict[str, dict[str, str]]:
    return {name: jwt(platform.client(), SLUG, name) for name in USERS}


def english_left(text: str) -> list[str]:
    """The Latin words of `text` besides the user names: what a Chinese reader would see untranslated."""
    return [word for word in re.findall(r"[A-Za-z]+", text) if word not in NAMES]


def flashed(page: str) -> str:
    """The one refusal flashed on a page, as the reader sees it."""
    found = re.findall(
        r'<div class="alert alert-danger">\s*<button[^>]*>&times;</button>\s*(.*?)\s*</div>', page, re.DOTALL
    )
    assert len(found) == 1, found
    return html.unescape(found[0])


def act(client: Client, record: int, action: str, **form: str) -> str:
    """Press a panel button (as the form would post it) and read the flashed refusal."""
    token = csrf_token(client.get(f"/t/{SLUG}/oa_leave_request/edit/{record}").text)
    page = client.post(
        f"/t/{SLUG}/oa_leave_request/approval/{record}/{action}",
        data={"csrf_token": token, **form},
        follow_redirects=True,
    )
    assert page.status_code == 200
    return flashed(page.text)


def submitted(runtime) -> tuple[int, int, int]:
    """A leave request of erin's in approval: (record, request, mike's task)."""
    record = leave(runtime)
    approvals = Approvals(runtime)
    instance = approvals.submit(LEAVE, record, "erin")
    return record, instance, open_task(approvals, instance, "mike")


@pytest.mark.parametrize("language", LANGUAGES)
def test_refusals_are_flashed_whole_in_the_users_language(people, runtime, language: str) -> None:
    for client in people.values():
        client.get(f"/t/{SLUG}/lang/{language}")
    expected, sam, mike = ON_SCREENS[language], people["sam"], people["mike"]
    shown = {"not_owner": act(sam, leave(runtime), "submit")}
    record, _, task = submitted(runtime)
    shown["self_approval"] = act(mike, record, "transfer", task=str(task), person="erin")
    shown["withdraw"] = act(sam, record, "withdraw")
    shown["not_earlier"] = act(mike, record, "return", task=str(task), step="department_head")
    Approvals(runtime).approve(task, "mike")  # in another tab
    shown["decided"] = act(mike, record, "approve", task=str(task))
    assert shown == expected
    if language == "zh":
        assert {refusal: words for refusal, text in shown.items() if (words := english_left(text))} == {}


def call(platform: Platform, tokens, user: str, language: str, path: str, body: dict):
    return platform.client().post(f"{API}{path}", json=body, headers={**tokens[user], "Accept-Language": language})


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_api_answers_refusals_in_the_accept_language_with_their_status(
    platform: Platform, tokens, runtime, language: str
) -> None:
    record, instance, task = submitted(runtime)
    answers = {
        "not_owner": call(platform, tokens, "sam", language, "/submit", {"entity": LEAVE, "id": leave(runtime)}),
        "not_yours": call(platform, tokens, "sam", language, f"/tasks/{task}/approve", {}),
        "self_approval": call(platform, tokens, "mike", language, f"/tasks/{task}/transfer", {"to": "erin"}),
        "withdraw": call(platform, tokens, "sam", language, f"/requests/{instance}/withdraw", {}),
        "inactive": call(platform, tokens, "mike", language, f"/tasks/{task}/transfer", {"to": "nobody"}),
    }
    Approvals(runtime).approve(task, "mike")
    answers["decided"] = call(platform, tokens, "mike", language, f"/tasks/{task}/approve", {})
    answers["backwards"] = call(
        platform,
        tokens,
        "sam",
        language,
        "/delegations",
        {"to": "mike", "starts_on": "2030-05-10", "ends_on": "2030-05-01"},
    )
    messages = {refusal: answer.json["message"] for refusal, answer in answers.items()}
    messages["backwards"] = messages["backwards"]["ends_on"][0]
    assert messages == IN_THE_API[language]
    assert {refusal: answer.status_code for refusal, answer in answers.items()} == {
        "not_owner": 403,
        "not_yours": 404,
        "self_approval": 403,
        "withdraw": 403,
        "inactive": 400,
        "decided": 409,
        "backwards": 400,
    }
    if language == "zh":
        assert {refusal: words for refusal, text in messages.items() if (words := english_left(text))} == {}
    assert Approvals(runtime).status(LEAVE, record).status == "approved"


def test_a_refusal_is_rendered_when_shown_and_kept_in_english(platform: Platform, runtime) -> None:
    """The exception carries its text and values: raised while serving a Chinese reader, it still logs (and the
    worker stores) English, and it is rendered in the language of whoever reads it."""
    _, _, task = submitted(runtime)
    apps = platform.app.tenant_apps
    with apps.get(apps.tenant(SLUG)).test_request_context("/api/v1/approvals/", headers={"Accept-Language": "zh"}):
        with pytest.raises(NotAllowed) as refused:
            Approvals(runtime).approve(task, "sam")
        assert refused.value.localized() == "该任务属于 mike，不属于 sam"
    assert str(refused.value) == refused.value.message == "this task is mike's, not sam's"
    assert refused.value.render("zh") == "该任务属于 mike，不属于 sam"
    assert refused.value.status == 403


#: the modules that write the engine's refusals (and the words filled into them)
REFUSING: tuple[ModuleType, ...] = (engine, rows, submitters, approvers, api)


def refusals() -> dict[str, CatalogText]:
    """Every refusal text, by where it is written: the catalog texts the refusing modules hold as constants."""
    return {
        f"{module.__name__}.{name}": value
        for module in REFUSING
        for name, value in vars(module).items()
        if name.isupper() and isinstance(value, CatalogText)
    }


def misworded(language: str) -> list[str]:
    """`where: English -> translation` for each refusal whose translation is missing or names other
    {placeholders} than its English, which would fail or lose a value only when it is shown."""
    return [
        f"{where}: {str(text)!r} -> {text.get(language)!r}"
        for where, text in refusals().items()
        if text.get(language) == str(text)
        or i18n_catalog.placeholders(text.get(language)) != i18n_catalog.placeholders(str(text))
    ]


def test_every_refusal_is_translated_with_the_placeholders_of_its_english() -> None:
    assert len(refusals()) > 40
    assert {language: misworded(language) for language in i18n.LANGUAGES if language != "en"} == {"zh": []}


def test_a_translation_that_names_other_placeholders_is_found_before_it_is_shown(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A copy of the catalogs with one refusal mistranslated: the check names it, and the catalog check too."""
    translations = tmp_path / "translations"
    shutil.copytree(i18n.TRANSLATIONS, translations)
    monkeypatch.setattr(i18n_catalog, "TRANSLATIONS", translations)
    chinese = i18n_catalog.read("zh")
    chinese[str(engine.ONLY_SUBMITTER_WITHDRAWS)].string = "只有提交人 {user} 可以撤回"
    i18n_catalog.write("zh", chinese)
    monkeypatch.setattr(i18n, "TRANSLATIONS", translations)
    assert misworded("zh") == [
        "formwork.workflow.engine.ONLY_SUBMITTER_WITHDRAWS: 'only {submitter}, who submitted it, can withdraw it' -> "
        "'只有提交人 {user} 可以撤回'"
    ]
    assert (
        "zh: the translation names other {placeholders}: 'only {submitter}, who submitted it, can withdraw it' -> "
        "'只有提交人 {user} 可以撤回'"
    ) in i18n_catalog.problems()
