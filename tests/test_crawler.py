"""The crawler: signs in to the demo as its admin and as sample employees, in English and in Chinese, visits every
menu entry, every list, the add page of every entity and the first records of every list with their edit pages,
and fails on what a person should never read there: a server error, a Python value ("None", "True", "[]") shown as
a value, an English platform text on a Chinese page, a login where a person's name belongs.

The demo is built once per module as `formwork demo` builds it (demo/setup.prepare_demo), under a slug of its own.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import flask_appbuilder
import pytest
import sqlalchemy as sa
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from werkzeug.test import Client

from conftest import Platform, jwt, login
from formwork.cli import DEMO_PASSWORD, DEMO_USER
from formwork.demo.setup import DEMO_PACKS, prepare_demo
from formwork.demo.users import DEMO_USERS
from formwork.i18n import Label
from formwork.i18n_catalog import read as read_catalog
from formwork.tenancy.registry import find_tenant
from formwork.tenancy.storage import tenant_engine

SLUG = "crawl"
BASE = f"/t/{SLUG}"
API = f"{BASE}/api/v1"
#: the admin, a sales rep, an engineer and the engineer's manager, who approves (README): every role's menu, rules,
#: field rights and the approval inbox
PEOPLE = ("admin", "user10", "user12", "user4")
LANGUAGES = ("en", "zh")
#: records opened per list: enough to meet empty values, references and each list's links
ROWS = 3
#: what Python writes for an empty value, a boolean or an empty list, never what a person should read
PYTHON_VALUES = {"None", "True", "False", "[]", "{}"}
#: a Python list written out ("[Admin]", "['a', 'b']")
PYTHON_LIST = re.compile(r"\[[^\[\]]*\]\Z")
#: English words a Chinese page may show: names of formats and standards, written so in Chinese too
ENGLISH_IN_CHINESE = {"CSV", "XLSX", "PDF", "API", "ID", "URL", "JSON", "OpenAPI"}
#: the screens where a login is a column of its own: people and users
LOGIN_SCREENS = re.compile(
    rf"{BASE}/(users|access/people|core_employee|userinfoeditview|resetpassword|resetmypassword)/"
)
#: links the crawler leaves alone: they act (sign out, switch language, delete, run, follow) or are no page
SKIPPED_LINKS = re.compile(
    r"/(logout|lang|back|delete|action|actions|api|static|swagger|export|download|print|files|attachments|follow|unfollow"
    r"|approvals/(submit|approve|reject|withdraw))(/|$)|\.(pdf|csv|xlsx)(\?|$)"
)
RECORD_LINK = re.compile(rf"({BASE}/\w+)/(show|edit)/(\d+)")


class PageText(HTMLParser):
    """What a person reads on a page: its text nodes (not scripts or styles), the placeholders and titles of its
    controls; and the links it offers."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self.links: list[str] = []
        self.hidden_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag in ("script", "style", "template"):
            self.hidden_depth += 1
        if tag == "a" and values.get("href"):
            self.links.append(str(values["href"]))
        for name in ("placeholder", "data-placeholder", "title", "aria-label"):
            if values.get(name):
                self.texts.append(str(values[name]).strip())
        if tag == "input" and values.get("type") in ("submit", "button") and values.get("value"):
            self.texts.append(str(values["value"]).strip())

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "template"):
            self.hidden_depth = max(0, self.hidden_depth - 1)

    def handle_data(self, data: str) -> None:
        if not self.hidden_depth and data.strip():
            self.texts.append(" ".join(data.split()))


def read_page(html: str) -> PageText:
    page = PageText()
    page.feed(html)
    page.close()
    return page


@dataclass(frozen=True)
class Finding:
    """One thing a person should not have read: where, what kind of problem, the text itself."""

    url: str
    problem: str
    text: str

    def __str__(self) -> str:
        return f"{self.url}: {self.problem}: {self.text!r}"


@dataclass(frozen=True)
class Vocabulary:
    """The English texts of the platform (its catalog's and FAB's msgids, the packs' labels that have a Chinese
    text), the values the demo's records hold, and the demo's logins."""

    english: frozenset[str]
    data: frozenset[str]
    logins: frozenset[str]


def catalog_msgids() -> set[str]:
    """The English texts Formwork's zh catalog holds and FAB marks for translation in its code and templates (FAB's
    own catalogs hold only what their translators translated)."""
    ids = {str(message.id) for message in read_catalog("zh") if message.id and isinstance(message.id, str)}
    fab = Path(flask_appbuilder.__file__).parent
    methods = [("**/templates/**.html", "jinja2"), ("**.py", "python")]
    options = {"**/templates/**.html": {"extensions": "jinja2.ext.do"}}
    keywords = {**DEFAULT_KEYWORDS, "lazy_gettext": None, "lazy_formatter_gettext": (1,)}
    for _file, _line, message, _comments, _context in extract_from_dir(fab, methods, options, keywords=keywords):
        ids.add(message[0] if isinstance(message, tuple) else message)
    return ids


def label_texts(value: Any, seen: set[int]) -> Iterator[str]:
    """The English text of every label with a Chinese text different from it, anywhere in the definitions."""
    if isinstance(value, Label):
        if value.translations.get("zh") not in (None, str(value)):
            yield str(value)
    elif isinstance(value, dict):
        if "en" in value and isinstance(value.get("zh"), str):
            yield from label_texts(Label(value), seen)
        for item in value.values():
            yield from label_texts(item, seen)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from label_texts(item, seen)
    elif hasattr(value, "__dataclass_fields__") and not isinstance(value, type) and id(value) not in seen:
        seen.add(id(value))
        for name in value.__dataclass_fields__:
            if name != "documents":
                yield from label_texts(getattr(value, name), seen)


def stored_texts(platform: Platform) -> tuple[set[str], set[str]]:
    """Every text value the demo tenant stores (records, users, roles) and the logins of its people."""
    tenant = find_tenant(platform.settings.database_url, SLUG)
    values: set[str] = set()
    engine = tenant_engine(platform.settings, tenant)
    metadata = sa.MetaData()
    metadata.reflect(engine)
    with engine.connect() as connection:
        for table in metadata.tables.values():
            columns = [c for c in table.columns if isinstance(c.type, (sa.String, sa.Text))]
            for column in columns:
                values |= {str(v).strip() for v in connection.scalars(sa.select(column).distinct()) if v}
        logins = set(connection.scalars(sa.text("SELECT username FROM ab_user")))
    return values, logins


@dataclass(frozen=True)
class Demo:
    """The platform serving the demo tenant."""

    platform: Platform
    #: pages the crawl visits besides what the menus lead to: a leave request in approval
    pages: tuple[str, ...]


@pytest.fixture(scope="module")
def demo(platform: Platform) -> Demo:
    """The demo as `formwork demo` prepares it, and one leave request the engineer submitted since, so that record
    pages, the history and the inbox have people in them: the submitter, the manager who approves."""
    prepare_demo(platform.settings, platform.catalog, SLUG, DEMO_USER, DEMO_PASSWORD, progress=lambda _: None)
    return Demo(platform, (f"{BASE}/oa_leave_request/show/{submitted_leave(platform.client())}",))


def submitted_leave(client: Client) -> int:
    """A leave request user12 saved and submitted through the API, as the engineer's screens would."""
    auth = jwt(client, SLUG, "user12", DEMO_PASSWORD)
    me = client.get(f"{API}/core_employee/?q=(filters:!((col:login,opr:eq,value:user12)))", headers=auth)
    leave = client.post(
        f"{API}/oa_leave_request/",
        headers=auth,
        json={
            "employee": me.json["ids"][0],
            "leave_type": "annual",
            "start_date": "2026-12-14",
            "end_date": "2026-12-16",
            "reason": "Family trip",
        },
    )
    assert leave.status_code == 201, leave.text
    submitted = client.post(
        f"{API}/approvals/submit", headers=auth, json={"entity": "oa.leave_request", "id": leave.json["id"]}
    )
    assert submitted.status_code == 201, submitted.text
    return int(leave.json["id"])


@pytest.fixture(scope="module")
def vocabulary(demo: Demo) -> Vocabulary:
    data, logins = stored_texts(demo.platform)
    english = catalog_msgids() | set(label_texts(demo.platform.catalog, set()))
    return Vocabulary(frozenset(english), frozenset(data), frozenset(logins | {DEMO_USER, *DEMO_USERS}))


def findings_in(url: str, page: PageText, language: str, words: Vocabulary) -> list[Finding]:
    """What no one should read among a page's texts."""
    found = []
    for text in page.texts:
        if text in PYTHON_VALUES or (PYTHON_LIST.match(text) and text not in words.data):
            found.append(Finding(url, "a Python value", text))
        if text in words.logins and not LOGIN_SCREENS.search(url):
            found.append(Finding(url, "a login for a person", text))
        if language == "zh" and untranslated(text, words):
            found.append(Finding(url, "English on a Chinese page", text))
    return found


def untranslated(text: str, words: Vocabulary) -> bool:
    """A text of the platform's own, in English: made of ASCII only, a known English text (a msgid, a label) once
    its trailing punctuation is left off, and not a value the demo stores nor a name written so in Chinese too."""
    core = text.rstrip(":：.…*").strip()
    if not core or not core.isascii() or not re.search(r"[A-Za-z]", core):
        return False
    if core in ENGLISH_IN_CHINESE or text in words.data or core in words.data:
        return False
    return core in words.english or text in words.english


class Crawler:
    """One person in one language walking the demo."""

    def __init__(self, platform: Platform, person: str, language: str, words: Vocabulary) -> None:
        self.client: Client = platform.client()
        self.language, self.words = language, words
        self.visited: set[str] = set()
        self.shapes: set[str] = set()
        self.findings: list[Finding] = []
        assert login(self.client, SLUG, person, DEMO_PASSWORD).status_code == 302
        self.client.get(f"{BASE}/lang/{language}")

    def visit(self, url: str) -> PageText | None:
        """The page at `url` (redirects followed) checked, or None when it is no page or was seen already."""
        if url in self.visited:
            return None
        self.visited.add(url)
        response = self.client.get(url, follow_redirects=True)
        if response.status_code >= 500:
            self.findings.append(Finding(url, "server error", str(response.status_code)))
            return None
        if not response.content_type.startswith("text/html"):
            return None
        page = read_page(response.text)
        self.findings += findings_in(url, page, self.language, self.words)
        return page

    def links(self, page: PageText) -> list[str]:
        """The pages of this tenant a page links to, without the links that act or download."""
        found = []
        for href in page.links:
            url = href.split("#", 1)[0]
            if url.startswith(f"{BASE}/") and not SKIPPED_LINKS.search(url) and url not in found:
                found.append(url)
        return found

    def walk(self, tables: list[str], extra: tuple[str, ...]) -> None:
        """The home page, then every page its menu links to, every entity's list and add page, the `extra` pages,
        and the records those pages list."""
        home = self.visit(f"{BASE}/")
        assert home is not None, "the home page does not answer"
        menu = self.links(home)
        pages = [*menu, *(f"{BASE}/{table}/list/" for table in tables), *(f"{BASE}/{table}/add" for table in tables)]
        pages += extra
        for url in pages:
            page = self.visit(url)
            if page is not None:
                self.records_of(page, set(menu))

    def records_of(self, page: PageText, menu: set[str]) -> None:
        """The first ROWS records of each table a page links to, their edit pages, and what their record pages
        link to besides the menu and other records (related lists, their Add with the reference filled in)."""
        opened: dict[str, int] = {}
        for url in self.links(page):
            match = RECORD_LINK.search(url)
            if match is None or opened.get(match[1], 0) >= ROWS:
                continue
            opened[match[1]] = opened.get(match[1], 0) + 1
            shown = self.visit(f"{match[1]}/show/{match[3]}")
            self.visit(f"{match[1]}/edit/{match[3]}")
            for link in self.links(shown) if shown is not None else []:
                if link not in menu and RECORD_LINK.search(link) is None and self.new_shape(link):
                    self.visit(link)

    def new_shape(self, url: str) -> bool:
        """Whether no page like `url` but for its numbers was seen: a related list's Add is one page for every
        record (`add?fill.account=7`)."""
        shape = re.sub(r"\d+", "#", url)
        seen = shape in self.shapes
        self.shapes.add(shape)
        return not seen


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("person", PEOPLE)
def test_every_page_reads_well(demo: Demo, vocabulary: Vocabulary, person: str, language: str) -> None:
    crawler = Crawler(demo.platform, person, language, vocabulary)
    entities = demo.platform.catalog.select(DEMO_PACKS).entities.values()
    crawler.walk([entity.table for entity in entities], demo.pages)
    assert len(crawler.visited) > 40
    problems = sorted(set(map(str, crawler.findings)))
    assert not problems, f"{len(problems)} problems on {len(crawler.visited)} pages:\n" + "\n".join(problems)


def test_the_crawler_flags_what_no_one_should_read() -> None:
    """The checks themselves, on a page made to break each rule once (and one value of each kind that is fine)."""
    words = Vocabulary(
        frozenset({"Add Filter", "Owner"}), frozenset({"Blue Systems", "[draft]"}), frozenset({"user10"})
    )
    page = read_page(
        "<html><head><script>var x = None;</script></head><body><h1>Blue Systems</h1><td>None</td><td>[Admin]</td>"
        '<td>[draft]</td><span>user10</span><a title="Add Filter">添加</a><input placeholder="Owner">'
        "<p>CSV</p><p>负责人</p></body></html>"
    )
    found = {(f.problem, f.text) for f in findings_in(f"{BASE}/crm_account/show/1", page, "zh", words)}
    assert found == {
        ("a Python value", "None"),
        ("a Python value", "[Admin]"),
        ("a login for a person", "user10"),
        ("English on a Chinese page", "Add Filter"),
        ("English on a Chinese page", "Owner"),
    }
    assert not findings_in(f"{BASE}/users/list/", read_page("<td>user10</td>"), "zh", words)
