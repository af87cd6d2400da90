"""The explorer's filter definition: parsing from URLs/API queries and applying to establishments."""

import datetime as dt
import io

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard.analytics.filters import (
    Criteria,
    CriteriaError,
    Vocabulary,
    coded_columns,
    criteria_to_params,
    filter_mask,
    parse_criteria,
)

VOCAB = Vocabulary(
    departements=frozenset({"54", "55", "57", "88"}), epci=frozenset({"E1", "E2"}), zones=frozenset({"Z1", "Z2"}),
    filieres=frozenset({"metal", "agro"}), divisions=frozenset({"25", "10"}),
    naf=frozenset({"25.62B", "25.11Z", "10.71A"}), capabilities=frozenset({"tournage", "soudure_tig", "forge"}),
    certifications=frozenset({"iso9001", "en9100"}),
)

SITES = pd.DataFrame({
    "id": [1, 2, 3, 4],
    "name": ["Usinage de la Fensch", "Boulangerie Industrielle", "Forges de Saint-Dié", "Atelier Vermois"],
    "commune_name": ["Hayange", "Metz", "Saint-Dié-des-Vosges", "Saint-Nicolas-de-Port"],
    "department_code": ["57", "57", "88", "54"], "epci_code": ["E1", "E1", "E2", "E2"],
    "zone_code": ["Z1", "Z1", "Z2", "Z2"], "filiere_code": ["metal", "agro", "metal", "metal"],
    "naf_code": ["25.62B", "10.71A", "25.11Z", None], "size_band_code": ["12", "03", "21", None],
    "is_member": [True, False, True, False],
})
CAPS = pd.DataFrame({"establishment_id": [1, 1, 3, 4],
                     "capability_code": ["tournage", "soudure_tig", "forge", "tournage"], "origin": "declared"})
CERTS = pd.DataFrame({"establishment_id": [1, 1, 3], "certification_code": ["iso9001", "en9100", "iso9001"]})


def ids_for(criteria: Criteria) -> list[int]:
    mask = filter_mask(SITES, criteria, capability_links=CAPS, certification_links=CERTS)
    return SITES["id"][mask].tolist()


def test_parse_accepts_repeats_commas_and_naf_without_dot():
    criteria, notices = parse_criteria({"departement": ["57,88"], "capability": ["tournage", "forge"],
                                        "naf": ["2562b"], "member": ["oui"], "size_min": ["11"],
                                        "capability_mode": ["any"], "q": ["  saint die "]}, VOCAB, strict=True)
    assert criteria == Criteria(departements=("57", "88"), capabilities=("tournage", "forge"), naf=("25.62B",),
                                member=True, size_min="11", capability_mode="any", q="saint die")
    assert notices == []


def test_lenient_parsing_drops_bad_values_with_a_french_notice():
    criteria, notices = parse_criteria({"departement": ["57", "75"], "capability": ["soudage"], "member": ["peut-être"],
                                        "size_min": ["XL"], "capability_mode": ["some"]}, VOCAB, strict=False)
    assert criteria == Criteria(departements=("57",))
    assert len(notices) == 5 and all("(ignoré)" in n for n in notices)
    assert any("« 75 »" in n for n in notices)


@pytest.mark.parametrize("params, parameter", [
    ({"departement": ["75"]}, "departement"), ({"capability": ["x"]}, "capability"), ({"size_min": ["7"]}, "size_min"),
    ({"capability_mode": ["both"]}, "capability_mode"), ({"member": ["2"]}, "member"), ({"q": ["a" * 101]}, "q"),
    ({"certification": ["iso1"]}, "certification"), ({"naf": ["99.99Z"]}, "naf"),
])
def test_strict_parsing_raises_naming_the_parameter(params, parameter):
    with pytest.raises(CriteriaError) as err:
        parse_criteria(params, VOCAB, strict=True)
    assert err.value.parameter == parameter


def test_criteria_round_trip_through_parameters():
    criteria = Criteria(departements=("57",), capabilities=("tournage", "forge"), capability_mode="any", member=False,
                        q="metz")
    params = criteria_to_params(criteria)
    assert params == [("departement", "57"), ("capability", "tournage,forge"), ("capability_mode", "any"),
                      ("member", "non"), ("q", "metz")]
    again, _ = parse_criteria({k: [v] for k, v in params}, VOCAB, strict=True)
    assert again == criteria
    assert criteria_to_params(Criteria()) == []


@pytest.mark.parametrize("criteria, expected", [
    (Criteria(), [1, 2, 3, 4]),
    (Criteria(departements=("57",)), [1, 2]),
    (Criteria(epci=("E2",), filieres=("metal",)), [3, 4]),
    (Criteria(zones=("Z1",)), [1, 2]),
    (Criteria(divisions=("25",)), [1, 3]),
    (Criteria(naf=("10.71A",)), [2]),
    (Criteria(size_min="11"), [1, 3]),  # unknown size bands never pass a minimum
    (Criteria(capabilities=("tournage",)), [1, 4]),
    (Criteria(capabilities=("tournage", "soudure_tig")), [1]),
    (Criteria(capabilities=("tournage", "forge"), capability_mode="any"), [1, 3, 4]),
    (Criteria(certifications=("iso9001",)), [1, 3]),
    (Criteria(certifications=("iso9001", "en9100")), [1]),
    (Criteria(member=True), [1, 3]),
    (Criteria(member=False), [2, 4]),
    (Criteria(q="saint die"), [3]),
    (Criteria(q="SAINT"), [3, 4]),
    (Criteria(q="fensch usinage"), [1]),
    (Criteria(departements=("55",)), []),
])
def test_each_filter(criteria, expected):
    assert ids_for(criteria) == expected


def test_mask_does_not_depend_on_row_order():
    shuffled = SITES.iloc[[3, 1, 0, 2]]
    mask = filter_mask(shuffled, Criteria(capabilities=("tournage",)), capability_links=CAPS, certification_links=CERTS)
    assert sorted(shuffled["id"][mask]) == [1, 4]
    assert isinstance(mask, np.ndarray) and mask.dtype == bool


# Codes as the frame may hold them: missing, a known code, or one no vocabulary lists (an older import).
_CODE = st.sampled_from([None, "57", "54", "88", "E1", "E2", "25.62B", "25.11Z", "10.71A", "2562", "", "12", "03",
                         "21", "NN", "ZZ"])
_CHOSEN = st.lists(st.sampled_from(["57", "54", "E1", "25.62B", "10.71A", "2562", "12", "ZZ"]), max_size=3,
                   unique=True).map(tuple)


@settings(max_examples=150, deadline=None)
@given(rows=st.lists(st.tuples(_CODE, _CODE, _CODE, _CODE), min_size=0, max_size=30),
       departements=_CHOSEN, epci=_CHOSEN, naf=_CHOSEN, filieres=_CHOSEN,
       divisions=st.lists(st.sampled_from(["25", "10", "", "2"]), max_size=2, unique=True).map(tuple),
       size_min=st.sampled_from([None, "00", "12", "21", "53"]), communes=_CHOSEN, arrow=st.booleans())
def test_coded_columns_give_the_same_mask_as_the_plain_columns(rows, departements, epci, naf, filieres, divisions,
                                                               size_min, communes, arrow):
    """`coded=` is only an acceleration: every code test, on missing and unknown values too, is unchanged."""
    columns = list(zip(*rows)) if rows else [(), (), (), ()]
    frame = pd.DataFrame({
        "id": range(len(rows)), "name": "x", "commune_name": "y", "is_member": False,
        "department_code": columns[0], "epci_code": columns[1], "zone_code": columns[2], "filiere_code": columns[3],
        "naf_code": columns[1], "size_band_code": columns[2], "commune_code": columns[0],
    }, dtype=object).astype({"id": int, "is_member": bool})
    if arrow:
        frame = frame.astype({c: "string[pyarrow]" for c in frame.columns if c.endswith("_code")})
    criteria = Criteria(departements=departements, epci=epci, zones=communes, filieres=filieres, naf=naf,
                        divisions=divisions, size_min=size_min, territoires=("ti",) if communes else ())
    territories = {"ti": communes}
    plain = filter_mask(frame, criteria, capability_links=CAPS, certification_links=CERTS,
                        territory_communes=territories)
    coded = filter_mask(frame, criteria, capability_links=CAPS, certification_links=CERTS,
                        territory_communes=territories, coded=coded_columns(frame))
    assert coded.dtype == bool and coded.tolist() == plain.tolist()


def test_coded_columns_of_another_frame_are_not_used():
    """Codes built for a different frame (another length) fall back to the frame's own columns."""
    mask = filter_mask(SITES, Criteria(departements=("57",)), capability_links=CAPS, certification_links=CERTS,
                       coded=coded_columns(SITES.iloc[:2]))
    assert SITES["id"][mask].tolist() == [1, 2]


def test_the_services_selection_matches_the_plain_definition(service):
    """`matching_mask` (the services' one entry, with cached codes) equals `filter_mask` on the demo snapshot."""
    from dashboard.services.filtering import filter_codes, matching_mask
    from dashboard.services.industry_territories import industry_territories

    snap = service.snapshot()
    sites = snap.establishments
    naf = sites["naf_code"].dropna().iloc[0]
    for criteria in [Criteria(departements=("57",)), Criteria(divisions=(naf[:2],), size_min="11"),
                     Criteria(naf=(naf,), departements=("54", "88")),
                     Criteria(epci=(sites["epci_code"].iloc[0],), filieres=(sites["filiere_code"].dropna().iloc[0],)),
                     Criteria(zones=(sites["zone_code"].iloc[0],), size_min="NN")]:
        plain = filter_mask(sites, criteria, capability_links=snap.capability_links,
                            certification_links=snap.certification_links,
                            territory_communes=industry_territories(service).communes)
        assert plain.any(), criteria
        assert matching_mask(service, snap, criteria).tolist() == plain.tolist(), criteria
    assert filter_codes(snap) is filter_codes(snap)  # once per data version


def test_records_and_french_export(service):
    from dashboard.analytics.records import establishment_records, export_frame

    snap = service.snapshot()
    some = snap.establishments.head(5)
    records = establishment_records(some, capability_links=snap.capability_links,
                                    certification_links=snap.certification_links, lookups=service.lookups)
    assert records["id"].tolist() == some["public_id"].tolist()
    assert records["filiere_label"].notna().all() and records["epci_name"].notna().all()
    caps = dict(zip(service.lookups.capabilities["code"], service.lookups.capabilities["label"]))
    frame = export_frame(records, capability_labels=caps, certification_labels={})
    assert frame.columns[0] == "Identifiant (SIRET ou démo)"
    # Values stay typed (real dates in XLSX); the French text is the one writer's (dashboard.exports).
    from dashboard.exports import csv_bytes

    written = pd.read_csv(io.BytesIO(csv_bytes(frame)), sep=";", dtype=str, encoding="utf-8-sig")
    assert set(written["Données fictives"]) == {"oui"}
    assert written["Date de la source"].iloc[0] == dt.date(2025, 12, 31).strftime("%d/%m/%Y")


def test_rejected_values_raise_when_strict_and_collect_notices_otherwise():
    from dashboard.analytics.filters import RejectedValues

    strict = RejectedValues(CriteriaError, strict=True)
    with pytest.raises(CriteriaError) as raised:
        strict.reject("naf", "Code NAF inconnu.")
    assert raised.value.parameter == "naf" and strict.ignored == ""
    lenient = RejectedValues(CriteriaError, strict=False)
    lenient.reject("naf", "Code NAF inconnu (ignoré).")
    assert lenient.notices == ["Code NAF inconnu (ignoré)."] and lenient.ignored == " (ignoré)"


def test_partner_query_one_of_parameters_keep_or_explain_their_value():
    from dashboard.analytics.partner_query import PartnerParamError, parse_partner_query

    query, notices = parse_partner_query({"capability_mode": ["any"], "size_min": ["12"], "sort": ["distance"]},
                                         VOCAB, strict=False)
    assert (query.capability_mode, query.size_min, query.sort, notices) == ("any", "12", "distance", [])
    query, notices = parse_partner_query({"capability_mode": ["some"], "size_min": ["99"], "sort": ["name"]},
                                         VOCAB, strict=False)
    assert (query.capability_mode, query.size_min, query.sort) == ("all", None, "score")
    assert notices == ["Mode de savoir-faire inconnu : « some » (all ou any) (ignoré).",
                       "Tranche d'effectif inconnue : « 99 » (ignoré).",
                       "Classement inconnu : « name » (score, distance ou road) (ignoré)."]
    with pytest.raises(PartnerParamError, match="Classement inconnu : « name » \\(score, distance ou road\\).$"):
        parse_partner_query({"sort": ["name"]}, VOCAB, strict=True)
