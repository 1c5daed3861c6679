"""The house rules that no other test sees: imports point down the layers, and views and API
modules look objects up only through the access helpers.

Layers, lowest first (a module may import its own layer and the ones below it):

0. `lib` — helpers with no models; imports no luoshi module outside `lib`.
1. the API kit, `luoshi/api/` (auth, error handlers, shared schemas, pagination) — `lib`, and
   `accounts` for token authentication (the access-token backend and the `User` it returns).
   The registry, `luoshi/api/api.py` (`_register_routers` imports every app's router) and
   `luoshi/api/urls.py`, is wiring like `luoshi/urls.py` and sits on top.
2. the ground floor: `org`, `accounts`, `mfa`, `audit`, `files`, `workdays` — they may import each
   other, the kit (for their `api.py`) and `lib`.
3. the chain and the one ledger: `campaigns`, `ledgers` — may import each other.
4. the domain apps: `study`, `outreach`, `media`, `meetings`, `rectification`, `heritage`,
   `learning`, `reports`, `volunteering`, `assessment` — may import each other (see below).
5. on top: `luoshi.demo` and the project modules (`luoshi/urls.py`, `luoshi/views.py`,
   `settings.py`, `testing.py`, `pytest_plugin.py`, `wsgi.py`, `asgi.py`, `luoshi/__init__.py`).

An app's own `demo.py` is part of its app and so may not import `luoshi.demo` — except the
builder's type, named for the type checker only (`if TYPE_CHECKING: from luoshi.demo.data import
DemoBuilder`): the builder calls the app's `load(builder)`, so the type is the one arrow that
cannot point down without a protocol per app (the ledger has one). Every other import counts, at
module level or inside a function. Tests and migrations are not checked.

`KNOWN_UPWARD` and `KNOWN_UNSCOPED` list what is still to be mended, each with its reason; the
tests fail on anything new and on a known entry that has gone (so the lists only shrink).

Domain apps importing one another is allowed, but every such arrow is listed here, each with
its reason, so that the list stays short (a line like "- `reports` → `study`, `media` (why)").

- `reports` → `media`, `heritage`, `rectification`, `learning` (a briefing counts their records:
  journalists' targets, routes and exhibitions, task forces' problems, platform points)
- `assessment` → `study`, `outreach`, `media`, `rectification`, `learning`, `volunteering` (its
  indicator sources read their records: readings and essays, lecture targets reached, placements
  and journalists' targets, problems closed on time, the learning compliance setting 计入考核评分,
  and volunteers' confirmed hours, activities, prescribed actions, order ratings, registrations)
"""

import ast
import re
from dataclasses import dataclass
from pathlib import Path

import luoshi

ROOT = Path(luoshi.__file__).parent

LIB, KIT, GROUND, CHAIN, DOMAIN, TOP = range(6)
LAYER_NAMES = {LIB: "lib", KIT: "API kit", GROUND: "ground", CHAIN: "chain", DOMAIN: "domain"}
APPS = {
    "lib": LIB,
    "api": KIT,
    **dict.fromkeys(["org", "accounts", "mfa", "audit", "files", "workdays", "ops"], GROUND),
    **dict.fromkeys(["campaigns", "ledgers"], CHAIN),
    **dict.fromkeys(
        [
            "study",
            "outreach",
            "media",
            "meetings",
            "rectification",
            "heritage",
            "learning",
            "reports",
            "volunteering",
            "assessment",
        ],
        DOMAIN,
    ),
    "demo": TOP,
}
REGISTRY = {"luoshi.api.api", "luoshi.api.urls"}
# The kit authenticates API tokens with the accounts app's backend and returns its User.
KIT_MAY_IMPORT = {"accounts"}


def _is_checked(path: Path) -> bool:
    parts = path.relative_to(ROOT).parts
    return not (
        "tests" in parts
        or "migrations" in parts
        or path.name.startswith("test_")
        or path.name == "conftest.py"
    )


def _modules() -> dict[str, Path]:
    """Every checked module under luoshi/, by dotted name."""
    found = {}
    for path in sorted(ROOT.rglob("*.py")):
        if not _is_checked(path):
            continue
        parts = ["luoshi", *path.relative_to(ROOT).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


_MODULES = _modules()


def _layer(module: str) -> tuple[str, int]:
    """(app, layer) of a luoshi module."""
    parts = module.split(".")
    if module in REGISTRY or len(parts) == 1:
        return ("project", TOP)
    app = parts[1]
    if app in APPS:
        return (app, APPS[app])
    if (ROOT / f"{app}.py").exists():  # a project module: urls, views, settings, testing…
        return ("project", TOP)
    return (app, -1)  # an app no layer names yet: the test says so


@dataclass(frozen=True)
class Import:
    path: Path
    line: int
    module: str

    def __str__(self) -> str:
        return f"{self.path.relative_to(ROOT.parent)}:{self.line} imports {self.module}"


def _imports(module: str, path: Path) -> list[Import]:
    """Every luoshi module `module` imports, at any depth of the file."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            stem = ".".join([*base, *([node.module] if node.module else [])])
            # `from luoshi.org import selectors` imports the module luoshi.org.selectors;
            # `from luoshi.org.access import scope_for` imports luoshi.org.access.
            names = [
                f"{stem}.{alias.name}" if f"{stem}.{alias.name}" in _MODULES else stem
                for alias in node.names
            ]
        else:
            continue
        for name in names:
            if name == "luoshi" or name.startswith("luoshi."):
                found.append(Import(path, node.lineno, name))
    return found


# Still pointing up: none (the ledger's heritage site and study groups are hooks the higher apps
# register from AppConfig.ready(), see luoshi.ledgers.hooks).
KNOWN_UPWARD: set[tuple[str, str]] = set()
# Still unscoped: none (every lookup by id in a view or API module goes through an access helper
# or a scoped queryset).
KNOWN_UNSCOPED: dict[str, int] = {}


def _type_checking_only(path: Path) -> set[int]:
    """Line numbers of the imports inside `if TYPE_CHECKING:` blocks."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    lines = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and getattr(node.test, "id", "") == "TYPE_CHECKING":
            for child in node.body:
                if isinstance(child, ast.Import | ast.ImportFrom):
                    lines.add(child.lineno)
    return lines


def _allowed(module: str, found: "Import") -> bool:
    if (module, found.module) in KNOWN_UPWARD:
        return True
    return (
        found.path.name == "demo.py"
        and found.module == "luoshi.demo.data"
        and found.line in _type_checking_only(found.path)
    )


def _wrong_way(importer: str, imported: str) -> bool:
    (source_app, source_layer), (target_app, target_layer) = _layer(importer), _layer(imported)
    if source_app == target_app:
        return False
    if source_layer == LIB:
        return True  # lib imports no luoshi module at all
    if source_layer == KIT and target_app in KIT_MAY_IMPORT:
        return False
    return target_layer > source_layer


def test_every_app_has_a_layer():
    unknown = sorted({_layer(module)[0] for module in _MODULES if _layer(module)[1] == -1})
    assert not unknown, f"put these apps in a layer of {__name__}: {', '.join(unknown)}"


def test_imports_point_down_the_layers():
    wrong = {
        found
        for module, path in _MODULES.items()
        for found in _imports(module, path)
        if _wrong_way(module, found.module) and not _allowed(module, found)
    }
    violations = [str(found) for found in sorted(wrong, key=lambda f: (f.path, f.line, f.module))]
    assert not violations, "imports that point up:\n" + "\n".join(violations)
    still = {
        (module, found.module)
        for module, path in _MODULES.items()
        for found in _imports(module, path)
        if (module, found.module) in KNOWN_UPWARD
    }
    assert still == KNOWN_UPWARD, f"mended, take out of KNOWN_UPWARD: {KNOWN_UPWARD - still}"


def test_domain_to_domain_imports_are_the_known_ones():
    """The arrows between domain apps listed in this module's docstring, and no others."""
    arrows = {
        (_layer(module)[0], _layer(found.module)[0])
        for module, path in _MODULES.items()
        for found in _imports(module, path)
        if _layer(module)[1] == DOMAIN
        and _layer(found.module)[1] == DOMAIN
        and _layer(module)[0] != _layer(found.module)[0]
    }
    listed = set()
    for line in (__doc__ or "").splitlines():
        match = re.match(r"- `(\w+)` → (.*?)(?: \(|;|$)", line)
        if match:
            listed |= {(match[1], target) for target in re.findall(r"`(\w+)`", match[2])}
    assert arrows <= listed, f"new domain → domain imports: {sorted(arrows - listed)}"


# --- Unscoped lookups in views and API modules ---------------------------------------------------

# Methods that narrow nothing by the user's scope: a lookup after them is still unscoped.
UNSCOPED = {"all", "alive", "select_related", "prefetch_related", "only", "defer", "using"}


def _view_modules() -> list[Path]:
    return [
        path
        for path in _MODULES.values()
        if re.fullmatch(r"(views|api)(_\w+)?\.py", path.name)
        or path.parent.name in ("views", "api")
    ]


def _by_key(call: ast.Call) -> bool:
    return any(keyword.arg in ("pk", "id") for keyword in call.keywords)


def _rooted_at_manager(node: ast.expr) -> bool:
    """`node` is `Model.objects`, or a chain of unscoping calls on it."""
    while isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        if node.func.attr not in UNSCOPED:
            return False
        node = node.func.value
    return isinstance(node, ast.Attribute) and node.attr == "objects"


def _unscoped_lookups(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    shown = path.relative_to(ROOT.parent) if path.is_relative_to(ROOT.parent) else path
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        hit = ""
        if isinstance(func, ast.Attribute) and func.attr == "get" and _by_key(node):
            if _rooted_at_manager(func.value):
                hit = ".objects.get(pk=…)"
        elif isinstance(func, ast.Attribute) and func.attr == "first":
            inner = func.value
            if (
                isinstance(inner, ast.Call)
                and isinstance(inner.func, ast.Attribute)
                and inner.func.attr == "filter"
                and _by_key(inner)
                and _rooted_at_manager(inner.func.value)
            ):
                hit = ".objects.filter(pk=…).first()"
        elif isinstance(func, ast.Name) and func.id == "get_object_or_404" and _by_key(node):
            # a model class (`Task`, `models.Task`), not a scoped manager (`user.access_tokens`)
            model = node.args[0] if node.args else None
            name = str(getattr(model, "id", None) or getattr(model, "attr", ""))
            if isinstance(model, ast.Name | ast.Attribute) and name[:1].isupper():
                hit = "get_object_or_404(Model, pk=…)"
        if hit:
            found.append(f"{shown}:{node.lineno} {hit}")
    return found


def test_views_and_api_modules_look_objects_up_through_access_helpers():
    """`Model.objects.get(pk=…)` in a view reaches any object whatever the user's scope; the
    app's `access.get_<obj>_for_user(user, pk, *, write=False)` is the one way in."""
    found = [hit for path in _view_modules() for hit in _unscoped_lookups(path)]
    counts: dict[str, int] = {}
    for hit in found:
        key = re.sub(r":\d+ ", " ", hit)
        counts[key] = counts.get(key, 0) + 1
    new = [hit for hit in found if re.sub(r":\d+ ", " ", hit) not in KNOWN_UNSCOPED]
    assert not new, "unscoped lookups (use the app's access helpers):\n" + "\n".join(new)
    assert counts == KNOWN_UNSCOPED, f"update KNOWN_UNSCOPED (only ever down): {counts}"


def test_the_lookup_check_tells_scoped_from_unscoped(tmp_path):
    view = tmp_path / "views.py"
    view.write_text(
        "def unscoped(request, pk):\n"
        "    Task.objects.get(pk=pk)\n"
        "    Unit.objects.alive().filter(pk=pk).first()\n"
        "    get_object_or_404(models.Task, id=pk)\n"
        "    Task.objects.select_related('unit').get(id=pk)\n"
        "def scoped(request, pk):\n"
        "    Task.objects.visible_to(request.user).get(pk=pk)\n"
        "    get_object_or_404(request.user.access_tokens, pk=pk)\n"
        "    Task.objects.filter(campaign=pk).first()\n",
        encoding="utf-8",
    )
    lines = [int(hit.split(":")[1].split()[0]) for hit in _unscoped_lookups(view)]
    assert sorted(lines) == [2, 3, 4, 5]
