"""Sites abroad in an import file (issue 18): the `Pays`, `lat`, `lon`, registration number and town columns.

A row whose country is not France describes a site across the border: it has no SIRET (its national registration
number instead) and no French commune, so it needs its coordinates (WGS84 degrees) and is tagged with the NUTS-3
region holding them. Every problem is a (reason, detail) pair the caller reports with the row's line.
"""

from __future__ import annotations

import re

from dashboard.borders import COUNTRIES, HOME_COUNTRY, load_nuts
from dashboard.importers.taxonomy import plain
from dashboard.reference import load_reference
from dashboard.repository import ForeignSite

ABROAD_COLUMNS = ("Pays", "lat", "lon", "Immatriculation étrangère", "Ville")
ACCEPTED = {
    "country": ("pays", "country", "code pays"),
    "lat": ("lat", "latitude"),
    "lon": ("lon", "lng", "longitude"),
    "foreign_id": ("immatriculation etrangere", "n immatriculation etranger", "numero d immatriculation",
                   "immatriculation", "registration number"),
    "locality": ("ville", "localite", "town", "city"),
    "naf": ("code naf", "naf", "nace", "code nace"),
    "address": ("adresse", "address"),
}
# Country names and codes as typed -> ISO 3166-1 alpha-2 (the countries the bundled NUTS regions cover).
_COUNTRY_NAMES = {plain(name): code for code, name in COUNTRIES.items()} | {
    "lux": "LU", "letzebuerg": "LU", "deutschland": "DE", "germany": "DE", "belgium": "BE", "belgie": "BE",
    "schweiz": "CH", "switzerland": "CH", "nederland": "NL", "netherlands": "NL", "fra": "FR"}


def country_code(value: str) -> str | None:
    """ISO alpha-2 of a typed country ("LU", "Luxembourg", "allemagne"), HOME_COUNTRY when empty, None unknown."""
    key = plain(value)
    if not key:
        return HOME_COUNTRY
    if len(key) == 2 and key.upper() in COUNTRIES:
        return key.upper()
    return _COUNTRY_NAMES.get(key)


def _degrees(value: str) -> float | None:
    try:
        return float(value.strip().replace(",", ".").replace("\u00a0", ""))
    except ValueError:
        return None


def registration(value: str) -> str:
    """A registration number as stored: letters and digits only, upper case ("B 123.456" -> "B123456")."""
    return re.sub(r"[^0-9A-Z]", "", plain(value).upper())[:17]


def _naf(value: str) -> str | None:
    """A NAF rév. 2 sub-class as typed ("25.62B", "2562B", "25.62 b") in its stored form, None when unknown."""
    key = re.sub(r"[^0-9A-Z]", "", value.upper())
    code = f"{key[:2]}.{key[2:]}" if len(key) == 5 else key
    return code if code in set(load_reference().naf["subclass"]) else None


def foreign_site(*, country: str, lat: str, lon: str, foreign_id: str, locality: str, name: str,
                 capabilities: tuple[str, ...], certifications: tuple[str, ...], is_member: bool,
                 naf: str = "", address: str = "") -> ForeignSite | list[tuple[str, str]]:
    """The validated site abroad of one row, or its problems (reason, detail)."""
    naf_code = _naf(naf) if naf.strip() else None
    code = country_code(country)
    if code is None or code == HOME_COUNTRY:
        allowed = ", ".join(f"{c} ({n})" for c, n in COUNTRIES.items() if c != HOME_COUNTRY)
        return [("unknown_country", f"country {country!r} is unknown: expected one of {allowed}")]
    problems: list[tuple[str, str]] = []
    if naf.strip() and naf_code is None:
        problems.append(("unknown_naf", f"NAF code {naf!r} is not a NAF rév. 2 sub-class (e.g. 25.62B)"))
    number = registration(foreign_id)
    if not number:
        problems.append(("missing_registration", "a site abroad needs its national registration number "
                                                 "(column « Immatriculation étrangère »): no SIRET outside France"))
    if not name.strip():
        problems.append(("missing_name", "a site abroad needs its name (Raison sociale)"))
    y, x = _degrees(lat), _degrees(lon)
    if y is None or x is None:
        problems.append(("missing_coordinates", f"a site abroad needs lat and lon in decimal degrees "
                                                f"(got lat={lat!r}, lon={lon!r})"))
        return problems
    nuts = load_nuts()
    region = nuts.region_codes([y], [x])[0]
    if region is None:
        return problems + [("outside_nuts_regions", f"lat={y:g}, lon={x:g} is outside the NUTS regions around "
                                                    "Lorraine (lat and lon swapped?)")]
    region_country = dict(zip(nuts.frame["code"], nuts.frame["pays"]))[region]
    if region_country != code:
        problems.append(("country_mismatch", f"lat={y:g}, lon={x:g} lies in {region_country} ({region}), "
                                             f"not in {code}"))
    if problems:
        return problems
    return ForeignSite(public_id=f"{code}-{number}"[:20], foreign_id=number, country=code, nuts3_code=str(region),
                       name=name.strip(), locality=locality.strip() or nuts.names()[region], lat=y, lon=x,
                       is_member=is_member, naf_code=naf_code, address=address.strip() or None,
                       capabilities=capabilities,
                       certifications=certifications)
