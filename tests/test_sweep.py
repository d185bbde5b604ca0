"""The sweep engine: resume after SIGKILL without recomputing finished points, a dying worker
losing only its point, rows in point order and identical for any number of workers, Dask
giving the local pool's table."""

import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from krtheory.errors import InvalidArgument
from krtheory.sweep import Runner, point_seed
from krtheory.sweep.table import journal_path
from tests import sweep_points

ROOT = Path(__file__).resolve().parents[1]


def read_csv(path):
    lines = [line for line in Path(path).read_text().splitlines() if not line.startswith("#")]
    return list(csv.DictReader(lines))


def test_rows_are_in_point_order_and_the_same_for_any_number_of_workers(tmp_path):
    points = [{"x": x} for x in (5, 3, 8, 1, 2, 7)]
    one = Runner(workers=1)(sweep_points.noisy_square, points)
    two = Runner(workers=2)(sweep_points.noisy_square, points, table=tmp_path / "t.csv")
    assert one == two
    assert [row["x"] for row in two] == [5, 3, 8, 1, 2, 7]
    assert [row["square"] for row in two] == [25, 9, 64, 1, 4, 49]
    assert [row["x"] for row in read_csv(tmp_path / "t.csv")] == ["5", "3", "8", "1", "2", "7"]
    # the noise comes from the point's seed: numpy's own generator seeded the same way
    import numpy as np
    assert two[0]["noise"] == float(np.random.default_rng(point_seed("test-sweep", 5)).standard_normal())


def test_a_worker_that_dies_loses_only_its_point(tmp_path):
    points = [{"x": x, "crash": 3} for x in range(6)]
    rows = Runner(workers=2)(sweep_points.dies_at, points, table=tmp_path / "t.csv")
    assert [row["sweep_status"] for row in rows] == ["ok", "ok", "ok", "failed", "ok", "ok"]
    assert [row.get("square") for row in rows] == [0, 1, 4, None, 16, 25]
    assert "worker process died" in rows[3]["sweep_reason"]
    table = read_csv(tmp_path / "t.csv")
    assert table[3]["sweep_status"] == "failed" and table[4]["square"] == "16"


def test_an_exception_is_retried_once_then_recorded(tmp_path):
    points = [{"x": x, "crash": 1} for x in range(3)]
    rows = Runner(workers=2)(sweep_points.raises_at, points)
    assert rows[1]["sweep_status"] == "failed"
    assert rows[1]["sweep_reason"] == "ValueError: no square for 1"
    assert rows[2]["square"] == 4


def test_a_sweep_killed_halfway_resumes_without_recomputing_finished_points(tmp_path):
    table, log = tmp_path / "t.csv", tmp_path / "log.txt"
    points = [{"x": x, "log": str(log), "sleep": 0.3} for x in range(12)]
    script = ("import json, sys; from krtheory.sweep import Runner; from tests import sweep_points; "
              "Runner(workers=2)(sweep_points.logged_slowly, json.loads(sys.argv[1]), table=sys.argv[2])")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen([sys.executable, "-c", script, json.dumps(points), str(table)], cwd=ROOT,
                             env=env, start_new_session=True)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            journal = journal_path(table)
            if journal.is_file() and journal.read_text().count('"ok"') >= 4:
                break
            time.sleep(0.05)
        else:
            pytest.fail("the child sweep finished no points")
    finally:
        os.killpg(child.pid, signal.SIGKILL)
        child.wait()
    before = [json.loads(line)["row"]["x"] for line in journal_path(table).read_text().splitlines() if line]
    assert 4 <= len(before) < len(points)  # killed halfway
    computed_before = log.read_text().split()
    log.write_text("")
    rows = Runner(workers=2)(sweep_points.logged_slowly, points, table=table)
    recomputed = {int(x) for x in log.read_text().split()}
    assert not recomputed & set(before)
    assert recomputed | set(before) == set(range(12))
    assert len(computed_before) >= len(before)
    assert [row["square"] for row in rows] == [x * x for x in range(12)]
    assert [row["x"] for row in read_csv(table)] == [str(x) for x in range(12)]


def test_a_finished_table_is_reused_entirely(tmp_path):
    points = [{"x": x} for x in range(3)]
    first = Runner(workers=1)(sweep_points.noisy_square, points, table=tmp_path / "t.csv")
    again = Runner(workers=1)(sweep_points.dies_at, [dict(p, crash=-1) for p in points],
                              table=tmp_path / "t.csv", key=["x"])
    assert again == first  # nothing ran: dies_at would have dropped the noise column


def test_bad_runner_arguments_are_refused():
    for bad in ({"workers": 0}, {"workers": "2"}, {"scheduler": " "}, {"retries": -1}):
        with pytest.raises(InvalidArgument):
            Runner(**bad)
    with pytest.raises(InvalidArgument, match="same key"):
        Runner(workers=1)(sweep_points.noisy_square, [{"x": 1}, {"x": 1}])
    with pytest.raises(InvalidArgument, match="key column 'y'"):
        Runner(workers=1)(sweep_points.noisy_square, [{"x": 1}], key=["y"])


def test_a_dask_cluster_gives_the_local_pools_table(tmp_path):
    distributed = pytest.importorskip("distributed")
    points = [{"x": x} for x in (4, 2, 9, 1)]
    local = Runner(workers=2)(sweep_points.noisy_square, points)
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                                  dashboard_address=None) as cluster:
        remote = Runner(scheduler=cluster.scheduler_address)(sweep_points.noisy_square, points,
                                                             table=tmp_path / "d.csv")
    assert remote == local


def test_an_unreachable_scheduler_is_one_clear_error(monkeypatch):
    pytest.importorskip("distributed")
    from krtheory.sweep import distributed
    monkeypatch.setattr(distributed, "CONNECT_TIMEOUT", 1)
    with pytest.raises(InvalidArgument, match="--scheduler tcp://127.0.0.1:9: cannot connect"):
        Runner(scheduler="tcp://127.0.0.1:9")(sweep_points.noisy_square, [{"x": 1}])
