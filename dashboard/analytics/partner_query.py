"""The partner search as URL/API parameters: parsed, validated, written back (same names everywhere)."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass

from dashboard.analytics.filters import MAX_VALUES, SIZE_ORDER, RejectedValues, Vocabulary

DEFAULT_RADIUS_KM = 40.0
PAGE_RADIUS_RANGE = (5.0, 150.0)  # the slider; the API accepts (0, 300]
SORTS = ("score", "distance", "road")
# What a site's own capabilities say it needs (`match=`, with a site as origin): its peers (the same capabilities)
# or complementary suppliers (capabilities it lacks; analytics.partner_context).
MATCHES = ("peers", "complementary")
TRUE_WORDS, FALSE_WORDS = frozenset({"1", "true", "oui", "yes"}), frozenset({"0", "false", "non", "no"})


@dataclass(frozen=True)
class PartnerQuery:
    """Who is looking (origin) and for what (need), before the origin is resolved to coordinates."""

    site: str | None = None  # public id (SIRET or DEMO-…) of the origin establishment
    commune: str | None = None  # INSEE code of the origin commune
    lat: float | None = None  # an explicit point (e.g. a click on the map)
    lon: float | None = None
    capabilities: tuple[str, ...] = ()
    capability_mode: str = "all"
    naf: tuple[str, ...] = ()  # division (25), group (25.6), class (25.62) or sub-class (25.62B)
    certifications: tuple[str, ...] = ()  # required: a partner holds every one
    wished_certifications: tuple[str, ...] = ()  # wished: holders rank up, nobody is left out
    size_min: str | None = None
    members_only: bool = False
    radius_km: float = DEFAULT_RADIUS_KM
    sort: str = "score"
    match: str | None = None  # one of MATCHES: the capabilities come from the origin site (see services.partners)
    # Sites abroad among the candidates; None: the default, on when the origin is near the border (services).
    cross_border: bool | None = None

    @property
    def origin_kind(self) -> str:
        if self.site:
            return "site"
        if self.commune:
            return "commune"
        if self.lat is not None and self.lon is not None:
            return "point"
        return "none"


class PartnerParamError(ValueError):
    def __init__(self, parameter: str, message: str):
        super().__init__(message)
        self.parameter = parameter


def _values(params: Mapping[str, Iterable[str]], name: str) -> list[str]:
    return [v.strip() for item in params.get(name, []) for v in str(item).split(",") if v.strip()]


def _normalize_naf(code: str) -> str:
    code = code.upper()
    if len(code) == 5 and "." not in code:
        return f"{code[:2]}.{code[2:]}"
    return code


def parse_partner_query(params: Mapping[str, Iterable[str]], vocab: Vocabulary, *, strict: bool,
                        max_radius_km: float = 300.0) -> tuple[PartnerQuery, list[str]]:
    """A PartnerQuery from query parameters; strict (API) raises PartnerParamError, else notices."""
    values: dict = {}
    rejected = RejectedValues(PartnerParamError, strict=strict)
    ignored, reject = rejected.ignored, rejected.reject

    def listed(name: str) -> list[str]:
        found = _values(params, name)
        if len(found) > MAX_VALUES:
            reject(name, f"{name} : {MAX_VALUES} valeurs au plus ({len(found)} reçues){ignored}.")
        return found[:MAX_VALUES]

    def one_of(name: str, allowed: Collection[str], unknown: str, hint: str = "") -> None:
        """values[name] = the first value of parameter `name` when it is allowed, else rejected."""
        found = listed(name)
        if found:
            if found[0] in allowed:
                values[name] = found[0]
            else:
                reject(name, f"{unknown} : « {found[0]} »{hint}{ignored}.")

    for name in ("site", "siret", "id"):
        found = listed(name)
        if found:
            values["site"] = found[0][:40]
            break
    commune = listed("commune")
    if commune:
        values["commune"] = commune[0][:5]
    lat, lon = listed("lat"), listed("lon")
    if lat or lon:
        coordinates = {}
        for name, raw in (("lat", lat), ("lon", lon)):
            try:
                coordinates[name] = float(raw[0])
            except (IndexError, ValueError):
                reject(name, f"Coordonnées invalides : lat et lon sont deux nombres{ignored}.")
                break
        else:
            values.update(coordinates)
    for name, field_name, allowed, label in (
        ("capability", "capabilities", vocab.capabilities, "Savoir-faire"),
        ("certification", "certifications", vocab.certifications, "Certification"),
        ("wished_certification", "wished_certifications", vocab.certifications, "Certification souhaitée"),
    ):
        codes = listed(name)
        bad = [c for c in codes if c not in allowed]
        for code in bad:
            reject(name, f"{label} inconnu(e) : « {code} »{ignored}.")
        values[field_name] = tuple(dict.fromkeys(c for c in codes if c in allowed))
    naf = [_normalize_naf(c) for c in listed("naf")]
    known_naf = vocab.naf | vocab.divisions | {c[:4] for c in vocab.naf} | {c[:5] for c in vocab.naf}
    for code in [c for c in naf if c not in known_naf]:
        reject("naf", f"Code NAF inconnu : « {code} »{ignored}.")
    values["naf"] = tuple(dict.fromkeys(c for c in naf if c in known_naf))
    one_of("capability_mode", ("all", "any"), "Mode de savoir-faire inconnu", " (all ou any)")
    one_of("size_min", SIZE_ORDER, "Tranche d'effectif inconnue")
    for name, field_name, unknown in (("member", "members_only", "Valeur d'adhésion inconnue"),
                                      ("cross_border", "cross_border", "Fournisseurs transfrontaliers")):
        flag = listed(name)
        if flag:
            if flag[0].lower() in TRUE_WORDS | FALSE_WORDS:
                values[field_name] = flag[0].lower() in TRUE_WORDS
            else:
                reject(name, f"{unknown} : « {flag[0]} » (oui ou non, 1 ou 0){ignored}.")
    radius = listed("radius_km")
    if radius:
        try:
            value = float(radius[0])
            if not 0 < value <= max_radius_km:
                raise ValueError
            values["radius_km"] = value
        except ValueError:
            reject("radius_km", f"Rayon invalide : « {radius[0]} » (entre 0 et {max_radius_km:g} km){ignored}.")
    one_of("sort", SORTS, "Classement inconnu", " (score, distance ou road)")
    one_of("match", MATCHES, "Contexte inconnu", " (peers ou complementary)")
    if "wished_certifications" in values:  # a required certification is already held by every partner
        required = set(values.get("certifications", ()))
        values["wished_certifications"] = tuple(c for c in values["wished_certifications"] if c not in required)
    return PartnerQuery(**values), rejected.notices


def partner_query_params(query: PartnerQuery) -> list[tuple[str, str]]:
    """Parameters that reproduce `query` (defaults left out): the page's shareable link."""
    out: list[tuple[str, str]] = []
    if query.site:
        out.append(("site", query.site))
    elif query.commune:
        out.append(("commune", query.commune))
    elif query.lat is not None and query.lon is not None:
        out += [("lat", f"{query.lat:.5f}"), ("lon", f"{query.lon:.5f}")]
    if query.capabilities:
        out.append(("capability", ",".join(query.capabilities)))
    if query.capability_mode != "all":
        out.append(("capability_mode", query.capability_mode))
    if query.naf:
        out.append(("naf", ",".join(query.naf)))
    if query.match:
        out.append(("match", query.match))
    if query.certifications:
        out.append(("certification", ",".join(query.certifications)))
    if query.wished_certifications:
        out.append(("wished_certification", ",".join(query.wished_certifications)))
    if query.size_min:
        out.append(("size_min", query.size_min))
    if query.members_only:
        out.append(("member", "oui"))
    if query.radius_km != DEFAULT_RADIUS_KM:
        out.append(("radius_km", f"{query.radius_km:g}"))
    if query.sort != "score":
        out.append(("sort", query.sort))
    if query.cross_border is not None:
        out.append(("cross_border", "1" if query.cross_border else "0"))
    return out
