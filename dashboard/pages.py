"""The page registry: every page of tissu is declared here once.

Routing, the navigation, Dash's validation layout, the API blueprint, the OpenAPI document and the demo
extras all derive from `PAGES`. Code is named by reference (`"module:attribute"` or a module path) and
imported when the app is built, so this module imports neither Dash nor the pages themselves.
To add a page, see docs/adding-a-page.md.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from dashboard.policy import ANONYMOUS, Action, Viewer, can


@dataclass(frozen=True)
class Page:
    """One URL of the app and what it brings.

    `render` returns the page's component tree for `(service, query)`. `callbacks` is a module with
    `register(app, service)`; `api` a module with `register(route, service)`, `OPENAPI_PATHS` and optionally
    `OPENAPI_SCHEMAS`; `demo` a module with `load_demo(engine, *, seed)` and `ensure_demo(engine, *, seed)`;
    `late_components` returns components a page creates after its first render (for callback validation).
    `payloads` maps names to `build(service) -> EncodedPayload` (`services/payloads.py`): dataset-only JSON
    served at `/data/<name>-<etag>.json`. `bundles` names the lazily loaded component libraries
    (`app.LAZY_BUNDLES`) that the page's first render needs: their script is added to that page's HTML.
    A sub-page (agenda, kiosk, fiche) has no `nav_label` and usually shares its topic's modules. `requires`
    reserves a page to the roles the policy allows that action: others get an invitation to sign in.
    """

    path: str
    render: str | Callable[..., Any]
    nav_label: str | None = None
    callbacks: str | ModuleType | None = None
    api: str | ModuleType | None = None
    demo: str | ModuleType | None = None
    late_components: str | Callable[[], list] | None = None
    payloads: str | Mapping[str, Callable[[Any], Any]] | None = None
    bundles: tuple[str, ...] = ()
    requires: Action | None = None  # the policy action a viewer needs to open the page (dashboard/policy.py)


# Modules every app has, whatever its pages: the dataset, geography and taxonomy endpoints.
CORE_API = "dashboard.api.core"

PAGES: tuple[Page, ...] = (
    Page("/", "callbacks.explorer:render", nav_label="Carte", callbacks="callbacks.explorer",
         api="dashboard.api.establishments", late_components="callbacks.explorer:late_components",
         payloads="dashboard.services.explorer:PAYLOADS"),
    Page("/partenaires", "callbacks.partners:render", nav_label="Partenaires", callbacks="callbacks.partners",
         api="dashboard.api.partners", payloads="dashboard.services.partners:PAYLOADS",
         late_components="callbacks.partners:late_components"),
    Page("/couverture", "callbacks.coverage:render", nav_label="Couverture", callbacks="callbacks.coverage",
         api="dashboard.api.coverage", bundles=("dash_ag_grid",)),
    Page("/reindustrialisation", "callbacks.indicators:render", nav_label="Réindustrialisation",
         callbacks="callbacks.indicators", api="dashboard.api.indicators", demo="dashboard.demo.indicators"),
    Page("/fiche", "callbacks.indicators:render_fiche"),
    Page("/competences", "callbacks.skills:render", nav_label="Compétences", callbacks="callbacks.skills",
         api="dashboard.api.skills", demo="dashboard.demo.skills"),
    Page("/evenement", "callbacks.event:render", nav_label="Événement", callbacks="callbacks.event",
         api="dashboard.api.event", demo="dashboard.demo.event", payloads="dashboard.services.event:PAYLOADS"),
    Page("/evenement/agenda", "callbacks.event:render_agenda", late_components="callbacks.event:late_components"),
    Page("/evenement/kiosque", "callbacks.event:render_kiosk"),
    Page("/reseau", "callbacks.network:render", nav_label="Réseau", callbacks="callbacks.network",
         api="dashboard.api.network", demo="dashboard.demo.network",
         late_components="callbacks.network:late_components"),
    Page("/cercles", "callbacks.circles:render", nav_label="Cercles", callbacks="callbacks.circles",
         api="dashboard.api.circles", demo="dashboard.demo.circles",
         late_components="callbacks.circles:late_components"),
    Page("/cercles/cercle", "callbacks.circles:render_circle"),
    Page("/cercles/pratiques", "callbacks.practices:render",
         callbacks="callbacks.practices", api="dashboard.api.practices", demo="dashboard.demo.practices",
         late_components="callbacks.practices:late_components"),
    Page("/connexion", "callbacks.accounts:render_login", callbacks="callbacks.accounts",
         late_components="callbacks.accounts:late_components"),
    Page("/compte/mot-de-passe", "callbacks.accounts:render_reset"),
    Page("/compte", "callbacks.accounts:render_account", requires=Action.USE_API_TOKEN),
    Page("/admin/comptes", "callbacks.accounts:render_admin", nav_label="Comptes", requires=Action.ISSUE_RESET_LINK),
    Page("/admin/journal", "callbacks.accounts:render_audit", nav_label="Journal", requires=Action.READ_AUDIT),
)


def resolve(reference: Any) -> Any:
    """`"package.module:attribute"` -> that attribute, `"package.module"` -> the module; objects pass through."""
    if not isinstance(reference, str):
        return reference
    module_name, _, attribute = reference.partition(":")
    module = importlib.import_module(module_name)
    return getattr(module, attribute) if attribute else module


def _unique_modules(references: Iterable[Any]) -> list[ModuleType]:
    modules: list[ModuleType] = []
    for reference in references:
        if reference is not None and (module := resolve(reference)) not in modules:
            modules.append(module)
    return modules


def nav_entries(pages: Sequence[Page] = PAGES, viewer: Viewer = ANONYMOUS) -> list[tuple[str, str]]:
    """(path, label) of the pages shown in the navigation to this viewer, in registry order."""
    return [(page.path, page.nav_label) for page in pages
            if page.nav_label and (page.requires is None or can(viewer, page.requires))]


def requirements(pages: Sequence[Page] = PAGES) -> dict[str, Action]:
    """path -> the action a viewer needs to open it, for the pages that are reserved."""
    return {page.path: page.requires for page in pages if page.requires is not None}


def renderers(pages: Sequence[Page] = PAGES) -> dict[str, Callable[..., Any]]:
    """path -> render(service, query)."""
    return {page.path: resolve(page.render) for page in pages}


def callback_modules(pages: Sequence[Page] = PAGES) -> list[ModuleType]:
    return _unique_modules(page.callbacks for page in pages)


def api_modules(pages: Sequence[Page] = PAGES) -> list[ModuleType]:
    """The core API module first, then each page's, in registry order."""
    return _unique_modules([CORE_API, *(page.api for page in pages)])


def demo_modules(pages: Sequence[Page] = PAGES) -> list[ModuleType]:
    """Synthetic data loaded alongside the demo establishments, in registry order."""
    return _unique_modules(page.demo for page in pages)


def late_components(pages: Sequence[Page] = PAGES) -> list:
    return [component for page in pages if page.late_components for component in resolve(page.late_components)()]


def payload_builders(pages: Sequence[Page] = PAGES) -> dict[str, Callable[[Any], Any]]:
    """name -> build(service) of every page's payloads; a name declared by two pages is an error."""
    builders: dict[str, Callable[[Any], Any]] = {}
    for page in pages:
        for name, build in (resolve(page.payloads) if page.payloads else {}).items():
            if builders.get(name, build) is not build:
                raise ValueError(f"payload {name!r} is declared twice")
            builders[name] = build
    return builders


def bundles_for(path: str, pages: Sequence[Page] = PAGES) -> tuple[str, ...]:
    """Lazy component libraries the page at `path` renders at once (none for an unknown path)."""
    path = path.rstrip("/") or "/"
    return next((page.bundles for page in pages if page.path == path), ())
