"""krtheory._cache: stale versions, corrupt files and concurrent writers never yield a wrong payload."""

import json
import multiprocessing

import pytest

from krtheory import _cache


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    monkeypatch.setenv(_cache.ENV_DIR, str(tmp_path))
    monkeypatch.delenv(_cache.ENV_SWITCH, raising=False)
    return tmp_path


def _entries(directory):
    return sorted(p for p in directory.iterdir() if p.suffix == ".json" and not p.name.startswith(".tmp"))


def test_round_trip_and_reuse(cache_dir):
    calls = []
    compute = lambda: calls.append(1) or {"h": "tanh(nu)", "radius": "pi/2"}
    assert _cache.cached("derivation", {"family": "diagonal", "depth": 2}, compute) == \
        {"h": "tanh(nu)", "radius": "pi/2"}
    assert _cache.cached("derivation", {"family": "diagonal", "depth": 2}, compute) == \
        {"h": "tanh(nu)", "radius": "pi/2"}
    assert len(calls) == 1
    assert _cache.load("derivation", {"family": "diagonal", "depth": 3}) is None


def test_stale_version_is_recomputed(cache_dir, monkeypatch):
    _cache.store("derivation", {"depth": 2}, "old")
    monkeypatch.setattr(_cache, "versions", lambda: {"krtheory": "0.1.0", "sympy": "99.0"})
    assert _cache.load("derivation", {"depth": 2}) is None
    assert _cache.cached("derivation", {"depth": 2}, lambda: "new") == "new"


def test_entry_with_other_key_is_not_trusted(cache_dir):
    _cache.store("derivation", {"depth": 2}, "right")
    (path,) = _entries(cache_dir)
    entry = json.loads(path.read_text())
    entry["key"]["versions"]["sympy"] = "0.0"
    path.write_text(json.dumps(entry))
    assert _cache.load("derivation", {"depth": 2}) is None


@pytest.mark.parametrize("garbage", [b"", b"{not json", b"\xff\xfe\x00", b"[1, 2]", b'{"key": 1}'])
def test_corrupt_file_is_recomputed_and_overwritten(cache_dir, garbage):
    _cache.store("derivation", {"depth": 2}, "first")
    (path,) = _entries(cache_dir)
    path.write_bytes(garbage)
    assert _cache.cached("derivation", {"depth": 2}, lambda: "again") == "again"
    assert _cache.load("derivation", {"depth": 2}) == "again"


def test_unwritable_directory_still_computes(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setenv(_cache.ENV_DIR, str(blocker / "sub"))
    assert _cache.cached("derivation", {"depth": 2}, lambda: 7) == 7


def test_off_switch(cache_dir, monkeypatch):
    monkeypatch.setenv(_cache.ENV_SWITCH, "off")
    _cache.store("derivation", {"depth": 2}, "x")
    assert not list(cache_dir.iterdir())
    assert _cache.load("derivation", {"depth": 2}) is None


def _writer(directory, tag, rounds):
    import os

    os.environ[_cache.ENV_DIR] = directory
    payload = {"tag": tag, "data": [tag] * 5000}
    for _ in range(rounds):
        _cache.store("derivation", {"depth": 2}, payload)


def test_two_concurrent_writers_leave_one_whole_entry(cache_dir):
    context = multiprocessing.get_context("spawn")
    writers = [context.Process(target=_writer, args=(str(cache_dir), tag, 200)) for tag in ("a", "b")]
    for w in writers:
        w.start()
    seen = set()
    while any(w.is_alive() for w in writers):
        payload = _cache.load("derivation", {"depth": 2})
        if payload is not None:
            assert payload["data"] == [payload["tag"]] * 5000
            seen.add(payload["tag"])
    for w in writers:
        w.join()
        assert w.exitcode == 0
    final = _cache.load("derivation", {"depth": 2})
    assert final["tag"] in ("a", "b") and final["data"] == [final["tag"]] * 5000
    assert len(_entries(cache_dir)) == 1
    assert not [p for p in cache_dir.iterdir() if p.name.startswith(".tmp")]


@pytest.mark.parametrize("family, depth", [("diagonal", 2), ("diagonal", 3), ("explicit", 2)])
def test_cached_link_is_the_fresh_one(cache_dir, monkeypatch, family, depth):
    import sympy

    from krtheory.builtin_problems import builtin_problems
    from krtheory.families.diagonal import _derivation, implicit_link
    from krtheory.solve.predict import predict

    derivation = _derivation(family, depth)
    stored = implicit_link(family, depth, "0.5", None, 3)  # computed, then written
    assert _entries(cache_dir)
    monkeypatch.setattr("krtheory.families.diagonal._derivation",
                        lambda *a: pytest.fail("a warm call re-derived"))
    warm = implicit_link(family, depth, "0.5", None, 3)
    for link in (stored, warm):
        assert link.h == derivation.link and link.G == derivation.dual_potential
        assert link.radius == derivation.nu_radius and link.nu == derivation.nu
        c = sympy.Rational(1, 2)
        assert [sympy.Rational(a) for a in link.amplitude] == [sympy.sympify(derivation.amplitude).subs(derivation.c, c)] * 3
        assert [sympy.Rational(b) for b in link.rate] == [sympy.sympify(derivation.rate).subs(derivation.c, c)] * 3
    problem = builtin_problems()[0]
    fresh = predict(problem, implicit_link(family, depth, "0.5", None, problem.d), backend="numpy")
    monkeypatch.undo()
    monkeypatch.setenv(_cache.ENV_SWITCH, "off")
    uncached = predict(problem, implicit_link(family, depth, "0.5", None, problem.d), backend="numpy")
    assert fresh.beta == uncached.beta


def test_cached_derivation_is_the_fresh_one_and_corrupt_srepr_rederives(cache_dir):
    import dataclasses

    from krtheory.derive import engine
    from krtheory.derive.potential import potential_value

    fresh = engine.derive_separable("diagonal", 3, engine.u**3 - engine.v**3, (engine.u, engine.v))
    engine._derive_cached.cache_clear()
    written = engine.derive("diagonal", 3)
    engine._derive_cached.cache_clear()
    warm = engine.derive("diagonal", 3)  # decoded from the file
    for derivation in (written, warm):
        for field in dataclasses.fields(fresh):
            assert getattr(derivation, field.name) == getattr(fresh, field.name), field.name
    assert potential_value(warm, "3", 25) == potential_value(fresh, "3", 25)
    (path,) = [p for p in _entries(cache_dir) if p.name.startswith("derivation-")]
    entry = json.loads(path.read_text())
    entry["payload"]["link"] = "Symbol('nu'"  # valid JSON, unreadable expression
    path.write_text(json.dumps(entry))
    engine._derive_cached.cache_clear()
    again = engine.derive("diagonal", 3)
    assert again.link == fresh.link and again.verified()
    assert json.loads(path.read_text())["payload"]["link"] != "Symbol('nu'"
    engine._derive_cached.cache_clear()


def test_an_edited_payload_is_not_trusted(cache_dir):
    _cache.store("derivation", {"depth": 2}, {"h": "tanh(nu)"})
    (path,) = _entries(cache_dir)
    entry = json.loads(path.read_text())
    entry["payload"]["h"] = "sinh(nu)"  # well-formed JSON, the right key, but not what was written
    path.write_text(json.dumps(entry))
    assert _cache.load("derivation", {"depth": 2}) is None
    assert _cache.cached("derivation", {"depth": 2}, lambda: {"h": "again"}) == {"h": "again"}


def test_a_payload_of_the_wrong_shape_is_recomputed(cache_dir):
    _cache.store("derivation", {"depth": 2}, [1, 2])
    shaped = lambda payload: isinstance(payload, dict)  # noqa: E731
    assert _cache.cached("derivation", {"depth": 2}, lambda: {"h": "again"}, valid=shaped) == {"h": "again"}
    assert _cache.load("derivation", {"depth": 2}) == {"h": "again"}


def test_versions_read_without_imports_equal_the_installed_metadata():
    from importlib import metadata

    assert _cache.versions() == {"krtheory": metadata.version("krtheory"), "sympy": metadata.version("sympy")}
