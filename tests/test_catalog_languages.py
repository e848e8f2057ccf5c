"""The platform's own texts come from the gettext catalogs only: a language is added by adding its catalog."""

from __future__ import annotations

import pickle
import re
import shutil
from pathlib import Path

import pytest

from conftest import Platform, login
from formwork import i18n, i18n_catalog, languages
from formwork.i18n import CatalogText
from formwork.organization.views import TEXT as ORGANIZATION_TEXT
from formwork.workflow.labels import STATUS, TASK_STATUS


@pytest.fixture()
def with_french(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the platform's catalogs plus a French one made with `i18n_catalog add`, one text translated."""
    translations = tmp_path / "translations"
    shutil.copytree(i18n.TRANSLATIONS, translations)
    monkeypatch.setattr(i18n_catalog, "TRANSLATIONS", translations)
    i18n_catalog.add("fr")
    french = i18n_catalog.read("fr")
    french["Department tree"].string = "Arbre des services"
    i18n_catalog.write("fr", french)
    monkeypatch.setattr(i18n, "TRANSLATIONS", translations)
    return translations


def test_a_catalog_file_adds_a_language(with_french: Path) -> None:
    assert i18n.catalog_languages(with_french) == ("en", "fr", "zh")
    assert i18n.catalog_languages() == i18n.LANGUAGES == ("en", "zh")  # the package's own catalogs are untouched
    title = ORGANIZATION_TEXT["title"]  # made when the module was imported, before the catalog existed
    assert (title.get("fr"), title.get("zh"), title.get("en"), str(title)) == (
        "Arbre des services",
        "部门树",
        "Department tree",
        "Department tree",
    )
    assert ORGANIZATION_TEXT["empty"].get("fr") == "No departments yet."  # untranslated: English
    assert "fr: no translation: 'No departments yet.'" in i18n_catalog.problems()


def test_the_check_finds_a_translation_that_drops_a_placeholder(with_french: Path) -> None:
    french = i18n_catalog.read("fr")
    french["A comment is at most {limit} characters."].string = "Un commentaire a au plus {limite} caractères."
    i18n_catalog.write("fr", french)
    assert (
        "fr: the translation names other {placeholders}: 'A comment is at most {limit} characters.' -> "
        "'Un commentaire a au plus {limite} caractères.'"
    ) in i18n_catalog.problems()


def test_a_language_offered_gets_a_name_and_a_flag_without_code(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(languages, "LANGUAGES", ("en", "fr", "zh"))
    assert languages.language_menu() == {
        "en": {"flag": "gb", "name": "English"},
        "fr": {"flag": "fr", "name": "français"},
        "zh": {"flag": "cn", "name": "中文"},
    }
    assert i18n.language_name("fr", "zh") == "法语"


def test_a_context_tells_apart_one_english_word_read_two_ways() -> None:
    assert str(STATUS["approved"]) == str(TASK_STATUS["approved"]) == "Approved"
    assert (STATUS["approved"].get("zh"), TASK_STATUS["approved"].get("zh")) == ("已通过", "已同意")


def test_a_catalog_text_keeps_the_interface_of_a_label() -> None:
    """Outside a request it is English; it pickles with its context; `translations` lists every language."""
    text = TASK_STATUS["approved"]
    assert text.localized() == "Approved" and text.__html__() == "Approved"
    assert pickle.loads(pickle.dumps(text)).get("zh") == "已同意"
    assert text.translations == {"en": "Approved", "zh": "已同意"}
    assert CatalogText("Nothing a catalog knows").get("zh") == "Nothing a catalog knows"


def test_a_menu_shows_the_packs_text_where_the_catalog_knows_the_same_english(platform: Platform) -> None:
    """The core pack calls its employees "Employees"/"员工"; the catalog translates the org tree's "Employees" column
    "员工数". FAB's menu passes entries through `_()`, which leaves a label to render itself."""
    platform.tenant("yuyan", packs=["core"])
    client = platform.client()
    assert login(client, "yuyan").status_code == 302
    client.get("/t/yuyan/lang/zh")
    page = client.get("/t/yuyan/core_employee/list/").text
    assert re.search(r"员工\s*</span>\s*</a>", page) and "员工数" not in page  # the sidebar entry
