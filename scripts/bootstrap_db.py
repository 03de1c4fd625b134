#!/usr/bin/env python3
"""Get a PostgreSQL + PostGIS database for PetaLapak on this machine, whatever it starts with.

Order of preference (the foundation issue's):

1. ``DATABASE_URL`` when set: used as is; the database and the extensions are created if missing.
2. A local PostgreSQL server on the usual socket or 127.0.0.1:5432: used, installing the PostGIS
   package for that server's major version when it is missing and we may (root).
3. No server at all: as root, install Debian's ``postgresql`` and PostGIS packages and start a
   cluster of our own under ``var/pgdata`` in the project folder, run as the ``postgres`` user.

Progress goes to stderr; the last line on stdout is the database URL to use, so a Makefile can
say ``DATABASE_URL=$(python scripts/bootstrap_db.py petalapak)``. Every step is idempotent.
Run with the project's virtualenv (it needs psycopg).
"""

from __future__ import annotations

import argparse
import os
import pwd
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
OWN_CLUSTER = ROOT / "var" / "pgdata"
OWN_SOCKET_DIR = ROOT / "var" / "pgsock"
OWN_PORT = int(os.environ.get("PETALAPAK_PG_PORT", "5433"))


def say(msg: str) -> None:
    print(f"[db] {msg}", file=sys.stderr, flush=True)


def fail(msg: str) -> None:
    print(f"[db] ERROR: {msg}", file=sys.stderr, flush=True)
    sys.exit(2)


def is_root() -> bool:
    return os.geteuid() == 0


def try_connect(url: str):  # type: ignore[no-untyped-def]
    import psycopg

    try:
        return psycopg.connect(_plain(url), autocommit=True, connect_timeout=5)
    except psycopg.OperationalError:
        return None


def _plain(url: str) -> str:
    """psycopg wants postgresql://, not SQLAlchemy's postgresql+psycopg://."""
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def with_database(url: str, dbname: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + dbname, parts.query, parts.fragment))


def apt_install(*packages: str) -> None:
    if not is_root():
        fail(
            f"the Debian packages {' '.join(packages)} are needed; run as root or install them "
            f"yourself: sudo apt-get install -y {' '.join(packages)}"
        )
    if not shutil.which("apt-get"):
        fail(f"no apt-get here; install {' '.join(packages)} with your system's package manager")
    say(f"installing {' '.join(packages)} (apt-get)…")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(
        ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *packages],
        check=True,
        env=env,
    )


def candidate_urls() -> list[str]:
    user = pwd.getpwuid(os.geteuid()).pw_name
    urls = []
    # the sockets Debian's and upstream's servers use (read-only probes, no files written)
    for sock in ("/var/run/postgresql", "/tmp", str(OWN_SOCKET_DIR)):  # noqa: S108
        if Path(sock).exists():
            port = OWN_PORT if sock == str(OWN_SOCKET_DIR) else 5432
            urls.append(f"postgresql://{user}@/postgres?host={sock}&port={port}")
            urls.append(f"postgresql://postgres@/postgres?host={sock}&port={port}")
    urls.append(f"postgresql://{user}@127.0.0.1:5432/postgres")
    urls.append("postgresql://postgres@127.0.0.1:5432/postgres")
    urls.append(f"postgresql://postgres@127.0.0.1:{OWN_PORT}/postgres")
    return urls


def port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex(("127.0.0.1", port)) == 0


def server_major(conn) -> int:  # type: ignore[no-untyped-def]
    return int(conn.execute("SHOW server_version_num").fetchone()[0]) // 10000


def has_postgis(conn) -> bool:  # type: ignore[no-untyped-def]
    row = conn.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'postgis'").fetchone()
    return row is not None


def ensure_role_for_me() -> None:
    """Peer-authenticated socket access as our own OS user: create that role via postgres."""
    user = pwd.getpwuid(os.geteuid()).pw_name
    if not is_root() or user == "postgres":
        return
    sql = (
        f"DO $$BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{user}') "
        f'THEN CREATE ROLE "{user}" LOGIN SUPERUSER; END IF; END$$;'
    )
    subprocess.run(["runuser", "-u", "postgres", "--", "psql", "-qc", sql], check=False, cwd="/")


def start_own_cluster() -> str:
    """Initialise and start a cluster under var/pgdata, run by the postgres OS user."""
    bindir = find_pg_bindir()
    if bindir is None:
        apt_install("postgresql", "postgresql-common")
        bindir = find_pg_bindir()
        if bindir is None:
            fail("PostgreSQL was installed but its binaries are not in /usr/lib/postgresql")
    major = int(bindir.parent.name)
    if not Path(f"/usr/share/postgresql/{major}/extension/postgis.control").exists():
        apt_install(f"postgresql-{major}-postgis-3")
    if not is_root():
        fail("starting a PostgreSQL cluster of our own needs root (to run it as 'postgres')")
    OWN_CLUSTER.parent.mkdir(parents=True, exist_ok=True)
    OWN_SOCKET_DIR.mkdir(parents=True, exist_ok=True)
    subprocess.run(["chown", "postgres:postgres", str(OWN_SOCKET_DIR)], check=True)
    if not (OWN_CLUSTER / "PG_VERSION").exists():
        say(f"initialising a PostgreSQL {major} cluster in {OWN_CLUSTER}")
        OWN_CLUSTER.mkdir(parents=True, exist_ok=True)
        subprocess.run(["chown", "postgres:postgres", str(OWN_CLUSTER)], check=True)
        subprocess.run(
            [
                "runuser",
                "-u",
                "postgres",
                "--",
                str(bindir / "initdb"),
                "-D",
                str(OWN_CLUSTER),
                "--auth=trust",
                "-U",
                "postgres",
                "-E",
                "UTF8",
            ],
            check=True,
            cwd="/",
        )
    if (
        port_open(OWN_PORT)
        and try_connect(f"postgresql://postgres@127.0.0.1:{OWN_PORT}/postgres") is None
    ):
        fail(f"port {OWN_PORT} is taken by something else; set PETALAPAK_PG_PORT to a free port")
    if not port_open(OWN_PORT):
        say(f"starting our PostgreSQL on 127.0.0.1:{OWN_PORT}")
        subprocess.run(
            [
                "runuser",
                "-u",
                "postgres",
                "--",
                str(bindir / "pg_ctl"),
                "-D",
                str(OWN_CLUSTER),
                "-l",
                str(OWN_CLUSTER / "server.log"),
                "-w",
                "start",
                "-o",
                f"-p {OWN_PORT} -k {OWN_SOCKET_DIR} -c listen_addresses=127.0.0.1",
            ],
            check=True,
            cwd="/",
        )
    return f"postgresql://postgres@127.0.0.1:{OWN_PORT}/postgres"


def find_pg_bindir() -> Path | None:
    base = Path("/usr/lib/postgresql")
    if not base.exists():
        return None
    versions = sorted(
        (p for p in base.iterdir() if (p / "bin" / "initdb").exists()),
        key=lambda p: int(p.name) if p.name.isdigit() else 0,
    )
    return versions[-1] / "bin" if versions else None


def start_debian_cluster_if_stopped() -> None:
    """A Debian cluster that exists but is down (e.g. after a reboot in a container)."""
    if not shutil.which("pg_lsclusters") or not is_root():
        return
    out = subprocess.run(["pg_lsclusters", "-h"], capture_output=True, text=True).stdout
    for line in out.splitlines():
        cols = line.split()
        if len(cols) >= 4 and cols[3] == "down":
            say(f"starting PostgreSQL cluster {cols[0]}/{cols[1]}")
            subprocess.run(
                ["pg_ctlcluster", "--skip-systemctl-redirect", cols[0], cols[1], "start"],
                check=False,
            )


def find_server() -> str:
    env_url = os.environ.get("DATABASE_URL")
    if env_url:
        if try_connect(with_database(env_url, "postgres")) or try_connect(env_url):
            return env_url
        fail(f"DATABASE_URL is set but the server does not answer: {env_url}")
    for attempt in range(2):
        for url in candidate_urls():
            conn = try_connect(url)
            if conn is not None:
                conn.close()
                return url
        if attempt == 0:
            start_debian_cluster_if_stopped()
            ensure_role_for_me()
            time.sleep(1)
    if port_open(5432):
        fail(
            "a server listens on 127.0.0.1:5432 but refuses us; set DATABASE_URL "
            "(e.g. postgresql://user:password@127.0.0.1:5432/petalapak)"
        )
    return start_own_cluster()


def ensure_database(server_url: str, dbname: str, explicit_url: str | None) -> str:
    import psycopg
    from psycopg import sql

    target = explicit_url if explicit_url else with_database(server_url, dbname)
    if explicit_url:
        dbname = urlsplit(_plain(explicit_url)).path.lstrip("/") or dbname
    admin = try_connect(with_database(server_url, "postgres")) or try_connect(server_url)
    if admin is None:
        fail("cannot connect to the 'postgres' maintenance database")
    with admin:
        major = server_major(admin)
        if not has_postgis(admin):
            say(f"PostGIS is not installed for PostgreSQL {major}")
            apt_install(f"postgresql-{major}-postgis-3")
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (dbname,)).fetchone()
        if not exists:
            say(f"creating database {dbname}")
            try:
                admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(dbname)))
            except psycopg.errors.InsufficientPrivilege:
                fail(f"no permission to create database {dbname}; create it or set DATABASE_URL")
    db = try_connect(target)
    if db is None:
        fail(f"cannot connect to {target}")
    with db:
        for ext in ("postgis", "btree_gist"):
            try:
                db.execute(f"CREATE EXTENSION IF NOT EXISTS {ext}")
            except psycopg.errors.InsufficientPrivilege:
                fail(f"the {ext} extension needs a superuser once: CREATE EXTENSION {ext};")
        version = db.execute("SELECT postgis_lib_version()").fetchone()[0]
        say(f"database {dbname} ready (PostgreSQL {major}, PostGIS {version})")
    return target


def main() -> None:
    # Only the URL may reach stdout (the Makefile captures it): everything else this script and
    # the programs it starts print (apt-get, dpkg, initdb, psql) goes to stderr.
    url_out = os.fdopen(os.dup(sys.stdout.fileno()), "w")
    sys.stdout.flush()
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dbname", nargs="?", default="petalapak")
    args = parser.parse_args()
    explicit = os.environ.get("DATABASE_URL")
    if explicit and args.dbname != "petalapak":
        # The test database sits beside the configured one on the same server.
        explicit = with_database(explicit, args.dbname)
    server = find_server()
    url = ensure_database(server, args.dbname, explicit)
    print(url.replace("postgresql://", "postgresql+psycopg://", 1), file=url_out, flush=True)


if __name__ == "__main__":
    main()
