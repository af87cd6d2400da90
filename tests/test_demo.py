"""The synthetic demo ecosystem: calibration (docs/sources.md, docs/demo-calibration.md), determinism and integrity."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
import shapely

from dashboard.demo import ESTABLISHMENT_COLUMNS, DemoData, generate_demo
from dashboard.reference import load_polygons, load_reference

SEED = 42

# Real company names that must never appear in a demo name (whole words, case-insensitive).
DENIED_NAMES = (
    "Stellantis", "ArcelorMittal", "Arcelor", "Saint-Gobain", "Safran", "Norske Skog", "Norske", "Peugeot", "Renault",
    "Citroën", "Thyssen", "ThyssenKrupp", "Bosch", "Daimler", "Mercedes", "Smart", "Lactalis", "Bel",
    "EssilorLuxottica", "Essilor", "Luxottica", "Garnier-Thiébaut", "Baccarat", "Daum", "Michelin", "Continental",
    "Vallourec", "Arkema",
    "Solvay", "TotalEnergies", "Kronenbourg", "Numalliance", "Hydro Leduc", "Emotors", "EvoBus", "Ineos", "Vittel",
    "Alstom", "Airbus", "Thales", "Valeo", "Faurecia", "Schneider", "Legrand",
)
DENIED_RE = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(n) for n in DENIED_NAMES) + r")(?!\w)", re.IGNORECASE)

BRANCH_GROUPS = {"24": "24-25", "25": "24-25", "29": "29", "26": "26-28", "27": "26-28", "28": "26-28", "33": "33",
                 "30": "30"}
BRANCH_MIX = {"24-25": 0.37, "29": 0.24, "26-28": 0.22, "33": 0.15, "30": 0.015}


@pytest.fixture(scope="module")
def ref():
    return load_reference()


@pytest.fixture(scope="module")
def communes():
    return load_polygons("communes")


@pytest.fixture(scope="module")
def demo(ref, communes) -> DemoData:
    return generate_demo(ref, communes, seed=SEED, scale=1.0)


@pytest.fixture(scope="module")
def rows(demo, ref) -> pd.DataFrame:
    """Establishments with their department, NAF division and metallurgy flag."""
    naf = ref.naf.set_index("subclass")
    department = ref.communes.set_index("code")["departement"]
    frame = demo.establishments.copy()
    frame["department"] = frame["commune_code"].map(department)
    frame["division"] = frame["naf_code"].map(naf["division"])
    frame["metallurgie"] = frame["naf_code"].map(naf["metallurgie"]).fillna("")
    return frame


@pytest.fixture(scope="module")
def active(rows) -> pd.DataFrame:
    return rows[rows["state"] == "A"]


@pytest.fixture(scope="module")
def branch(active) -> pd.DataFrame:
    return active[active["metallurgie"] == "coeur"]


def within(value: float, target: float, tolerance: float = 0.15) -> bool:
    return abs(value - target) <= tolerance * target


# --- Shape --------------------------------------------------------------------------------------------


def test_frames_have_the_documented_columns(demo):
    assert tuple(demo.establishments.columns) == ESTABLISHMENT_COLUMNS
    assert list(demo.capabilities.columns) == ["public_id", "capability_code"]
    assert list(demo.certifications.columns) == ["public_id", "certification_code"]
    e = demo.establishments
    assert e["headcount_estimate"].dtype == np.int64
    assert e["is_member"].dtype == bool
    assert e["lat"].dtype == float and e["lon"].dtype == float
    assert (e["lat"].round(6) == e["lat"]).all() and (e["lon"].round(6) == e["lon"]).all()
    assert set(e["state"]) == {"A", "F"}


def test_public_ids_are_unique_and_never_a_siret(demo):
    ids = demo.establishments["public_id"]
    assert ids.is_unique
    assert ids.str.fullmatch(r"DEMO-\d{7}").all()
    assert not ids.str.fullmatch(r"\d{14}").any()
    assert set(demo.capabilities["public_id"]) <= set(ids)
    assert set(demo.certifications["public_id"]) <= set(ids)
    assert not demo.capabilities.duplicated().any() and not demo.certifications.duplicated().any()


def test_every_code_exists_in_the_reference(demo, ref):
    e = demo.establishments
    assert e["naf_code"].isin(ref.naf["subclass"]).all()
    assert set(ref.naf.loc[ref.naf["subclass"].isin(e["naf_code"]), "section"]) <= {"B", "C", "D", "E"}
    assert e["size_band_code"].isin(ref.size_bands["code"]).all()
    assert e["commune_code"].isin(ref.communes["code"]).all()
    assert demo.capabilities["capability_code"].isin(ref.capabilities["code"]).all()
    assert demo.certifications["certification_code"].isin(ref.certifications["code"]).all()


# --- Calibration at scale 1 -----------------------------------------------------------------------


def test_active_establishments_by_department(active):
    assert 8_000 <= len(active) <= 10_000
    by_department = active["department"].value_counts()
    assert within(by_department["55"], 1_100)  # Meuse: 1,135 published
    assert 3_800 * 0.85 <= by_department["88"] <= 3_800  # Vosges: ~3,800, kept within −15 %
    assert by_department.idxmax() == "57"  # Moselle the largest


def test_department_jobs_are_plausible(active):
    jobs = active.groupby("department")["headcount_estimate"].sum()
    assert within(jobs["55"], 10_400, 0.2)  # Meuse: 10,400 jobs
    assert 30_000 <= jobs["88"] <= 36_000  # Vosges: ~36,000 employees
    assert 90_000 <= jobs.sum() <= 135_000  # Lorraine: 133k in 2011, −17k over 2010–2017


def test_metallurgy_branch_matches_uimm_lorraine(branch):
    assert within(len(branch), 1_600)
    assert within(branch["headcount_estimate"].sum(), 48_000)
    assert abs((branch["headcount_estimate"] < 20).mean() - 0.76) <= 0.05


def test_metallurgy_branch_employee_mix(branch):
    jobs = branch.groupby(branch["division"].map(BRANCH_GROUPS))["headcount_estimate"].sum()
    mix = jobs / jobs.sum()
    for group, share in BRANCH_MIX.items():
        assert abs(mix[group] - share) <= 0.05, (group, mix[group])


def test_metallurgy_branch_department_split(branch):
    split = branch["department"].value_counts(normalize=True)
    for department, share in {"57": 0.40, "54": 0.30, "88": 0.20, "55": 0.10}.items():
        assert abs(split[department] - share) <= 0.05


def test_closed_establishments_and_dates(rows, active):
    closed = rows[rows["state"] == "F"]
    assert 0.15 <= len(closed) / len(active) <= 0.20
    assert closed["closed_on"].notna().all() and active["closed_on"].isna().all()
    assert (closed["closed_on"] >= closed["created_on"]).all()
    closed_years = pd.Series([d.year for d in closed["closed_on"]])
    assert closed_years.between(2010, 2025).all()
    created_years = pd.Series([d.year for d in rows["created_on"]])
    assert created_years.between(1950, 2025).all()


def test_openings_and_closures_tell_a_mild_story(rows):
    opened = pd.Series([d.year for d in rows["created_on"]]).value_counts()
    closed = pd.Series([d.year for d in rows["closed_on"].dropna()]).value_counts()
    early, late = range(2010, 2015), range(2017, 2024)
    assert sum(closed.get(y, 0) for y in early) > sum(opened.get(y, 0) for y in early)
    assert sum(opened.get(y, 0) for y in late) > sum(closed.get(y, 0) for y in late)
    for year in range(2010, 2026):  # meaningful every year, and never dramatic
        assert opened.get(year, 0) >= 50 and closed.get(year, 0) >= 50
        assert 0.6 <= opened[year] / closed[year] <= 1.6


def test_headcount_lies_within_its_size_band(demo, ref):
    bands = ref.size_bands.set_index("code")
    e = demo.establishments.join(bands[["borne_min", "borne_max"]], on="size_band_code")
    bounded = e["borne_max"].notna()
    assert (e.loc[bounded, "headcount_estimate"] >= e.loc[bounded, "borne_min"]).all()
    assert (e.loc[bounded, "headcount_estimate"] <= e.loc[bounded, "borne_max"]).all()
    assert (e.loc[~bounded, "headcount_estimate"] == 0).all()  # 'NN' non-employer
    assert (e["headcount_estimate"] < 20).mean() > 0.8  # most establishments are tiny


def test_a_dozen_anchor_employers(active):
    large = active[active["headcount_estimate"] >= 500]
    assert 12 <= len(large) <= 40
    assert active["headcount_estimate"].max() <= 3_500
    top = active.nlargest(3, "headcount_estimate")
    assert set(top["commune_code"]) == {"57677", "54051", "57221"}  # Trémery, Batilly, Florange


# --- Geography ------------------------------------------------------------------------------------


def test_every_point_lies_inside_its_commune(demo, communes):
    e = demo.establishments
    polygons = communes.geometry.reindex(e["commune_code"]).to_numpy()
    assert shapely.contains_xy(polygons, e["lon"].to_numpy(), e["lat"].to_numpy()).all()


def test_locations_follow_poles_but_reach_rural_communes(active, ref):
    population = ref.communes.set_index("code")["population"]
    counts = active["commune_code"].value_counts()
    assert counts.index[0] in {"57463", "54395", "88160", "57672"}  # Metz, Nancy, Épinal or Thionville leads
    assert (active["commune_code"].map(population) < 500).mean() > 0.1
    assert active["commune_code"].nunique() > 1_000


# --- Capabilities, certifications, membership ----------------------------------------------------


def test_capabilities_follow_sector_and_size(demo, rows):
    count = demo.capabilities.groupby("public_id").size().reindex(rows["public_id"], fill_value=0).to_numpy()
    coeur = (rows["metallurgie"] == "coeur").to_numpy()
    assert ((count[coeur] >= 1) & (count[coeur] <= 7)).all()
    assert (count[coeur] <= 6).mean() > 0.99
    assert (count[~coeur] == 0).mean() > 0.85
    large = rows["headcount_estimate"].to_numpy() >= 50
    assert count[coeur & large].mean() > count[coeur & ~large].mean()


def test_every_capability_has_two_active_suppliers_and_rare_ones_leave_deserts(demo, active, ref):
    held = demo.capabilities.merge(active[["public_id", "department"]], on="public_id")
    suppliers = held["capability_code"].value_counts()
    assert set(suppliers.index) == set(ref.capabilities["code"])
    assert suppliers.min() >= 2
    for rare in ("galvanisation", "impression_3d_metal", "electroerosion"):
        departments = set(held.loc[held["capability_code"] == rare, "department"])
        assert len(departments) < 4, rare  # at least one department is a supplier desert


def test_certifications_are_plausible(demo, rows):
    certified = demo.certifications.merge(rows[["public_id", "headcount_estimate", "division", "naf_code"]])
    by_code = certified.groupby("certification_code")
    assert by_code["headcount_estimate"].median()["iso9001"] >= 20
    assert set(certified.loc[certified["certification_code"] == "iatf16949", "division"]) <= {"22", "25", "27",
                                                                                              "28", "29"}
    assert certified.loc[certified["certification_code"] == "iso13485", "naf_code"].isin(
        ["32.50A", "32.50B", "26.60Z"]).all()
    share_9001 = rows["public_id"].isin(certified.loc[certified["certification_code"] == "iso9001", "public_id"])
    big = rows["headcount_estimate"] >= 50
    assert share_9001[big].mean() > 0.5 > share_9001[~big].mean()


def test_uimm_members_are_metallurgy_establishments(rows, branch):
    members = rows[rows["is_member"]]
    assert members["metallurgie"].isin(["coeur", "partiel"]).all()
    assert (members["state"] == "A").all()
    assert 0.35 <= branch["is_member"].mean() <= 0.45
    large = branch["headcount_estimate"] >= 50
    assert branch.loc[large, "is_member"].mean() > branch.loc[~large, "is_member"].mean()


# --- Names and addresses ----------------------------------------------------------------------------


def test_names_are_unique_fictitious_and_french(demo):
    names = demo.establishments["name"]
    assert names.is_unique
    offending = names[names.str.contains(DENIED_RE)]
    assert offending.empty, offending.head().tolist()
    assert names.str.len().between(5, 120).all()


def test_addresses_look_like_french_street_addresses(demo):
    addresses = demo.establishments["address"]
    assert addresses.str.match(r"^\d+( bis)? (rue|avenue|route|chemin|allée|impasse|place|Grande Rue)").all()


# --- Determinism and scale ------------------------------------------------------------------------


def test_same_seed_gives_identical_frames(demo, ref, communes):
    again = generate_demo(ref, communes, seed=SEED, scale=1.0)
    pd.testing.assert_frame_equal(demo.establishments, again.establishments)
    pd.testing.assert_frame_equal(demo.capabilities, again.capabilities)
    pd.testing.assert_frame_equal(demo.certifications, again.certifications)


def test_another_seed_gives_another_dataset(demo, ref, communes):
    other = generate_demo(ref, communes, seed=SEED + 1, scale=1.0)
    assert not demo.establishments.equals(other.establishments)
    assert not demo.establishments["name"].head(50).equals(other.establishments["name"].head(50))


def test_scale_two_gives_about_twice_the_rows(demo, ref, communes):
    double = generate_demo(ref, communes, seed=SEED, scale=2.0)
    ratio = len(double.establishments) / len(demo.establishments)
    assert 1.9 <= ratio <= 2.1
    assert double.establishments["public_id"].is_unique and double.establishments["name"].is_unique


def test_scale_must_be_positive(ref, communes):
    with pytest.raises(ValueError, match="scale"):
        generate_demo(ref, communes, scale=0)
