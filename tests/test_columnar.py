"""The snapshot's frames kept as Parquet (services/columnar.py): the same frames as SQL, never a stale set."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from dashboard import repository
from dashboard.services import DataService, columnar


def _frames(snap) -> dict[str, pd.DataFrame]:
    return {"establishments": snap.establishments, "capability_links": snap.capability_links,
            "certification_links": snap.certification_links}


def test_a_restart_reads_the_same_frames_from_parquet(engine, settings, tmp_path, monkeypatch):
    local = replace(settings, instance_dir=tmp_path)
    from_sql = DataService(engine, local).snapshot()
    assert len(list((tmp_path / columnar.SUBDIR).glob("*.parquet"))) == len(columnar.FRAMES)
    real = repository.establishments_frame

    def no_full_query(engine_, dataset_id, **kwargs):
        assert dataset_id == -1, "the establishments must come from the Parquet copy"
        return real(engine_, dataset_id, **kwargs)
    monkeypatch.setattr(repository, "establishments_frame", no_full_query)
    from_parquet = DataService(engine, local).snapshot()
    for name, frame in _frames(from_sql).items():
        pd.testing.assert_frame_equal(_frames(from_parquet)[name], frame)
    assert len(from_parquet.establishments) > 1000


def test_broken_or_other_version_files_fall_back_to_sql(engine, settings, tmp_path):
    local = replace(settings, instance_dir=tmp_path)
    expected = DataService(engine, local).snapshot().establishments
    for path in (tmp_path / columnar.SUBDIR).glob("*establishments.parquet"):
        path.write_bytes(b"not parquet")
    pd.testing.assert_frame_equal(DataService(engine, local).snapshot().establishments, expected)
    info = repository.active_dataset(engine)
    url = engine.url.render_as_string(hide_password=True)
    columns = {name: ["id"] for name in columnar.FRAMES}
    newer = columnar.DataKey(url, info.id, info.version + 1, str(info.loaded_at))
    assert columnar.read_frames(tmp_path, newer, columns) is None  # an import: a new version, no file yet
    same = columnar.DataKey(url, info.id, info.version, str(info.loaded_at))
    assert columnar.read_frames(tmp_path, same, columns) is None  # other columns than the query's
