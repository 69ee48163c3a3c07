"""Shared fixtures: both databases, both object stores, and a Context over them.

PostgreSQL tests use a throwaway database per session on 127.0.0.1:5432 and skip with
a message where no server answers. S3 tests run against moto's S3 server started on a
free loopback port for the session (no MinIO binary can be installed here).
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from pipeline.settings import Settings
from storage.db import Database, migrate
from storage.objects import LocalStore, S3Store

SHARED = Path(__file__).resolve().parents[2] / "shared"
PG_ADMIN_URLS = [os.environ.get("CLAIMS_TEST_PG_ADMIN", ""), "postgresql://postgres@127.0.0.1:5432/test",
                 "postgresql://root@127.0.0.1:5432/test"]


def _pg_admin():
    import psycopg

    errors = []
    for url in filter(None, PG_ADMIN_URLS):
        try:
            return psycopg.connect(url, autocommit=True, connect_timeout=3), url
        except Exception as exc:  # any failure means: try the next way in
            errors.append(f"{url}: {exc}")
    pytest.skip("PostgreSQL is not reachable on 127.0.0.1:5432 (" + "; ".join(errors)[:300] + ")")


@pytest.fixture(scope="session")
def postgres_url():
    conn, admin_url = _pg_admin()
    name = f"claims_test_{uuid.uuid4().hex[:10]}"
    conn.execute(f'CREATE DATABASE "{name}"')
    url = admin_url.rsplit("/", 1)[0] + f"/{name}"
    migrate(url)
    yield url
    from storage.db import _database

    _database.cache_clear()
    conn.execute(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'")
    conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
    conn.close()


@pytest.fixture
def sqlite_url(tmp_path):
    url = f"sqlite:///{tmp_path / 'claims.db'}"
    migrate(url)
    return url


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    if request.param == "sqlite":
        return request.getfixturevalue("sqlite_url")
    url = request.getfixturevalue("postgres_url")
    _truncate_all(url)
    return url


def _truncate_all(url: str) -> None:
    from sqlalchemy import text

    from storage.models import Base

    db = Database(url)
    with db.engine.begin() as conn:  # TRUNCATE fires no row triggers: the audit guard stays on
        tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    db.engine.dispose()


@pytest.fixture
def db(db_url):
    database = Database(db_url)
    yield database
    database.engine.dispose()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def s3_server():
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            time.sleep(0.2)
    else:
        proc.kill()
        pytest.fail("moto S3 server did not start on loopback")
    yield f"127.0.0.1:{port}"
    proc.terminate()
    proc.wait(10)


@pytest.fixture(params=["local", "s3"])
def store(request, tmp_path):
    if request.param == "local":
        return LocalStore(tmp_path / "objects")
    endpoint = request.getfixturevalue("s3_server")
    return S3Store(endpoint, "testing", "testing", f"claims-{uuid.uuid4().hex[:8]}", secure=False,
                   region="us-east-1")


@pytest.fixture
def settings(tmp_path, db_url):
    return Settings(data_dir=tmp_path / "var", database_url=db_url)


@pytest.fixture
def ctx(settings, db, tmp_path):
    from pipeline.stages.context import Context

    return Context(settings, db, LocalStore(tmp_path / "objects"))


@pytest.fixture(scope="session")
def prefect_server():
    """One temporary Prefect server for the session, stopped before pytest closes its output."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture
def flow_ctx(ctx, monkeypatch, prefect_server):
    """A Context the Prefect flows open themselves (they read settings from the environment)."""
    from pipeline.settings import get_settings

    monkeypatch.setenv("CLAIMS_DATABASE_URL", ctx.settings.db_url)
    monkeypatch.setenv("CLAIMS_DATA_DIR", str(ctx.settings.data_dir))
    get_settings.cache_clear()
    from flows.process_claim import context

    yield context()
    get_settings.cache_clear()


@pytest.fixture(scope="session")
def sample_dossiers(tmp_path_factory):
    """A small set of generated dossiers shared by the tests that need real documents."""
    from pipeline.samples import generate_dossiers

    out = tmp_path_factory.mktemp("samples")
    return generate_dossiers(out, 6, seed=11)


def needs_shared(*parts: str) -> Path:
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is absent (the shared data folder is only on developer and CI machines)")
    return path
