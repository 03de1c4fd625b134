"""Benchmark ``public-map``: the public home map as a crowd's phones load it on a CFD morning.

What it measures
----------------
PetaLapak runs under the ``make serve`` command (gunicorn, ``2 × cores + 1`` workers, gthread)
with Redis at 127.0.0.1:6379 when it answers (``docs/deploy.md``), on the Pontianak demo
(``DATABASE_URL``; loaded when empty). The same server, in the same run, answers the baseline.

* **Page loads** (``rps``, ``p99_ms``, ``errors``): ``CLIENTS`` = 32 clients for
  ``BENCH_SECONDS`` s (default 10), each loading the page after the previous load finished, as
  a returning visitor's browser does: ``GET /`` with gzip, then every data request the page
  makes before its first paint (the layers' ``/peta/data.json`` address named in the page).
  The page is sent ``no-cache`` with an ETag, so the browser revalidates it (``If-None-Match``:
  a 304 while nothing changed). Static assets and the map script are in the browser's cache
  (a day's lifetime; the script and the data addresses carry the data's change counter and are
  immutable), so a browser that holds the data address asks nothing for it; one that holds
  another version's answer fetches the new address. A page load's
  latency runs from the first byte sent to the last byte of its last response; a load counts
  as an error when any response is not 200 or 304, or fails. ``rps`` = page loads per second.
* **Baseline** (``healthz_rps``): the same clients on ``GET /healthz`` (a database round trip)
  for the same time, in ``SLICES`` slices alternating with the page loads' (as serve-lookup
  does with pygeoapi). ``ratio_vs_healthz = rps / healthz_rps`` (target ≥ 0.3).
* ``rps_data_refetched`` / ``p99_ms_data_refetched``: the same load when the browser holds
  nothing: every page load downloads the whole page and the whole data document.
* ``page_bytes``: everything a first visit transfers before first paint (the page, its scripts
  and style sheets, the icon, the data), response headers included, with gzip (target ≤
  150,000).
* ``page_bytes_browser`` / ``requests_before_paint``: the same first visit as Chromium made it
  (Resource Timing ``transferSize``, up to the paint): with the basemap's vector tiles, which
  the page asks for as the map opens.
* ``paint_ms``: Debian's headless Chromium at 360 × 740 with the CPU slowed 4× (DevTools'
  ``Emulation.setCPUThrottlingRate``), a first visit: from navigation start until the booths
  are drawn (the page's script marks it; target ≤ 1,500). ``paint_ms_returning``: the same
  page loaded again with the browser's cache.

During the three measured loads a crew member checks a vendor in every ``CHURN_S`` = 2 s (as
in ``serve-lookup``): each commit moves the city's change counter, so the cached page, script
and data are rebuilt (once, by one request) as on the real morning. A check-in leaves the
public map as it was, so their content addresses stay and browsers keep what they hold.

The clients are asyncio streams over keep-alive HTTP/1.1 connections in this process (one core
at most), so they take a share of the machine's cores from the server for both the page and the
baseline alike.

Run ``python -m bench.public_map``: prints one JSON line.
"""

from __future__ import annotations

import asyncio
import gzip
import os
import re
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.serve_lookup import (
    CHURN_S,
    REDIS_URL,
    THREADS,
    WORKERS,
    _churn,
    _free_port,
    _gunicorn,
    _redis_up,
)

SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
#: Concurrent visitors, each loading the page again as soon as the last load finished.
CLIENTS = 32
#: Slices per side: the baseline and the page loads are measured alternately (see _interleaved).
SLICES = 4
#: Issue #13's targets: key → (comparison, bound).
TARGETS: dict[str, tuple[str, float]] = {
    "ratio_vs_healthz": (">=", 0.3),
    "page_bytes": ("<=", 150_000),
    "p99_ms": ("<=", 250),
    "errors": ("<=", 0),
    "paint_ms": ("<=", 1500),
}
_PRELOAD = re.compile(rb'<link rel="preload" href="([^"]+)" as="fetch"')
_ASSET = re.compile(rb'(?:src|href)="(/static/[^"]+|/peta/peta\.js[^"]*)"')


class _Conn:
    """One keep-alive HTTP/1.1 connection: a request, then its whole response."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def get(
        self, path: str, headers: dict[str, str]
    ) -> tuple[int, dict[str, str], bytes, int]:
        """``(status, headers, body, bytes on the wire)``; reconnects when the server closed."""
        for attempt in (0, 1):
            if self.writer is None:
                self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
            try:
                return await self._exchange(path, headers)
            except (ConnectionError, asyncio.IncompleteReadError):
                self.close()
                if attempt:
                    raise
        raise ConnectionError("no answer")

    async def _exchange(
        self, path: str, headers: dict[str, str]
    ) -> tuple[int, dict[str, str], bytes, int]:
        if self.reader is None or self.writer is None:
            raise ConnectionError("not connected")
        lines = [f"GET {path} HTTP/1.1", f"Host: {self.host}:{self.port}"]
        lines += [f"{k}: {v}" for k, v in headers.items()]
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode())
        await self.writer.drain()
        head = await self.reader.readuntil(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        status = int(status_line.split()[1])
        got = {}
        for line in header_lines:
            if ":" in line:
                name, value = line.split(":", 1)
                got[name.strip().lower()] = value.strip()
        if got.get("transfer-encoding") == "chunked":
            body = b""
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).strip(), 16)
                chunk = await self.reader.readexactly(size + 2)
                if size == 0:
                    break
                body += chunk[:-2]
        else:
            body = await self.reader.readexactly(int(got.get("content-length", "0")))
        if got.get("connection", "").lower() == "close":
            self.close()
        return status, got, body, len(head) + len(body)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


def _html(body: bytes, headers: dict[str, str]) -> bytes:
    return gzip.decompress(body) if headers.get("content-encoding") == "gzip" else body


async def _visitor(
    port: int, deadline: float, *, data_cache: bool, path: str, out: dict[str, Any]
) -> None:
    """Load ``path`` (and for ``/`` its data) again and again until ``deadline``.

    As a browser does: the page is revalidated with the ETag it came with (no-cache), the
    data address it names is fetched unless the answer at that very address is held.
    """
    conn = _Conn("127.0.0.1", port)
    page: tuple[str, bytes] | None = None  # (ETag, HTML) of the page held
    held: set[str] = set()  # the data address held (the browser's cache)
    try:
        while time.monotonic() < deadline:
            start = time.perf_counter()
            ok = True
            try:
                ask = {"Accept-Encoding": "gzip"}
                if page is not None and path == "/" and data_cache:
                    ask["If-None-Match"] = page[0]
                status, headers, body, _n = await conn.get(path, ask)
                ok = status == 200 or (status == 304 and page is not None)
                if ok and path == "/":
                    html = _html(body, headers) if status == 200 else page[1]  # type: ignore[index]
                    if status == 200:
                        page = (headers.get("etag", ""), html)
                    found = _PRELOAD.search(html)
                    url = found.group(1).decode().replace("&amp;", "&") if found else None
                    ok = url is not None
                    if url is not None and not (data_cache and url in held):
                        status, headers, _body, _n = await conn.get(
                            url, {"Accept-Encoding": "gzip"}
                        )
                        ok = status == 200
                        if data_cache and ok:
                            held = {url}  # a new version replaces the old in the cache
            except (OSError, asyncio.IncompleteReadError, ValueError):
                ok = False
                conn.close()
            out["latencies"].append(time.perf_counter() - start)
            if not ok:
                out["errors"] += 1
    finally:
        conn.close()


async def _load(
    port: int, seconds: float, *, path: str = "/", data_cache: bool = True
) -> dict[str, Any]:
    out: dict[str, Any] = {"latencies": [], "errors": 0}
    deadline = time.monotonic() + seconds
    await asyncio.gather(
        *(
            _visitor(port, deadline, data_cache=data_cache, path=path, out=out)
            for _ in range(CLIENTS)
        )
    )
    lat = sorted(out["latencies"])

    def pct(q: float) -> float:
        return round(lat[int(q * (len(lat) - 1))] * 1000, 2) if lat else float("nan")

    return {
        "rps": round(len(lat) / seconds, 1),
        "p50_ms": pct(0.5),
        "p99_ms": pct(0.99),
        "errors": out["errors"],
    }


async def _first_visit_bytes(port: int) -> dict[str, int]:
    """Bytes of the page, every static asset it names, and its data, with gzip."""
    conn = _Conn("127.0.0.1", port)
    try:
        gz = {"Accept-Encoding": "gzip"}
        status, headers, body, total = await conn.get("/", gz)
        html = _html(body, headers)
        parts = {"html": total}
        for url in dict.fromkeys(u.decode().replace("&amp;", "&") for u in _ASSET.findall(html)):
            parts[url] = (await conn.get(url, gz))[3]
        found = _PRELOAD.search(html)
        if found:
            parts["data"] = (await conn.get(found.group(1).decode().replace("&amp;", "&"), gz))[3]
        return parts
    finally:
        conn.close()


def _paint(base: str) -> dict[str, Any]:
    """First-visit and returning paint times in Chromium at 360×740 with the CPU slowed 4×."""
    import shutil

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        return {"paint_note": "Debian's chromium is not installed"}
    try:
        from playwright.sync_api import sync_playwright
    except ModuleNotFoundError:
        return {"paint_note": "playwright is not installed (make setup installs it)"}
    args = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
    results: dict[str, Any] = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, headless=True, args=args)
        try:
            context = browser.new_context(viewport={"width": 360, "height": 740}, locale="id-ID")
            page = context.new_page()
            cdp = context.new_cdp_session(page)
            cdp.send("Emulation.setCPUThrottlingRate", {"rate": 4})
            for key in ("paint_ms", "paint_ms_returning"):
                page.goto(base + "/")
                deadline = time.monotonic() + 30
                painted = None
                while painted is None and time.monotonic() < deadline:
                    painted = page.evaluate("document.documentElement.dataset.mapPaintedMs || null")
                    if painted is None:
                        page.wait_for_timeout(20)
                results[key] = round(float(painted), 1) if painted is not None else None
                if key == "paint_ms":  # what the browser fetched until then: basemap tiles too
                    results["page_bytes_browser"] = page.evaluate(
                        "(() => { const t = Number(document.documentElement.dataset.mapPaintedMs);"
                        " const nav = performance.getEntriesByType('navigation')[0];"
                        " return performance.getEntriesByType('resource')"
                        ".filter(e => e.startTime <= t)"
                        ".reduce((n, e) => n + e.transferSize, nav.transferSize); })()"
                    )
                    results["requests_before_paint"] = page.evaluate(
                        "performance.getEntriesByType('resource').filter(e => e.startTime <="
                        " Number(document.documentElement.dataset.mapPaintedMs)).length + 1"
                    )
            results["legend_open_on_phone"] = page.evaluate(
                "document.querySelector('.pl-legend-toggle').getAttribute('aria-expanded')"
            )
        finally:
            browser.close()
    return results


def _interleaved(port: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """``/healthz`` and page loads in alternating slices (``SLICES`` of each, ``SECONDS`` in
    all per side): on a shared machine whose load moves by the minute, both see the same
    spells, so their ratio holds. rps is the mean of the slices, p99 the worst slice's."""
    seconds = max(1.0, SECONDS / SLICES)
    runs: dict[str, list[dict[str, Any]]] = {"/healthz": [], "/": []}
    for _ in range(SLICES):
        for path in runs:
            runs[path].append(asyncio.run(_load(port, seconds, path=path)))

    def merged(slices: list[dict[str, Any]]) -> dict[str, Any]:
        return {
            "rps": round(sum(r["rps"] for r in slices) / len(slices), 1),
            "slices_rps": [r["rps"] for r in slices],
            "slices_p99_ms": [r["p99_ms"] for r in slices],
            "p50_ms": max(r["p50_ms"] for r in slices),
            "p99_ms": max(r["p99_ms"] for r in slices),
            "errors": sum(r["errors"] for r in slices),
        }

    return merged(runs["/healthz"]), merged(runs["/"])


def _prepare_database(url: str) -> dict[str, Any]:
    from sqlalchemy import create_engine, func, select, text
    from sqlalchemy.orm import Session

    from app.config import normalise_database_url
    from app.migrate import upgrade
    from app.models import Booth, Event
    from app.services.audit import acting_as
    from app.services.demo import seed_demo

    upgrade(url)
    engine = create_engine(normalise_database_url(url))
    with Session(engine) as s:
        from datetime import date

        # every step of the demo skips what is there: an older bench database gains the parts
        # added since (the basemap), as `make run` gives a new user
        with acting_as(None, "bench"):
            seed_demo(s, today=date.today(), log=lambda *_: None)
            s.commit()
        s.execute(text("ANALYZE"))
        s.commit()
        booths = int(s.scalar(select(func.count()).select_from(Booth)) or 0)
        event = s.scalars(
            select(Event.slug).where(Event.status == "published").order_by(Event.date.desc())
        ).first()
    engine.dispose()
    return {"booths_in_database": booths, "event": event}


def run() -> dict[str, Any]:
    """Serve as deployed and measure page loads against ``/healthz``; one JSON-able dict."""
    result: dict[str, Any] = {
        "workload": "public-map",
        "seconds": SECONDS,
        "clients": CLIENTS,
        "workers": WORKERS,
        "threads": THREADS,
    }
    url = os.environ.get("DATABASE_URL")
    if not url:
        return {**result, "skipped": "DATABASE_URL is not set (make bench sets it)"}
    result |= _prepare_database(url)
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "REQUEST_LOG": "1",
        "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-secret-key-0123456789abcdef"),
        "CACHE_KEY_PREFIX": f"bench-{os.getpid()}-{time.time_ns()}:",
    }
    env.pop("CACHE_TTL", None)
    if _redis_up():
        env["REDIS_URL"] = REDIS_URL
    result["cache"] = "redis" if "REDIS_URL" in env else "memory"
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory(prefix="petalapak-bench-") as tmp:
        log = Path(tmp) / "server.log"
        with _gunicorn(Path(sys.executable), "app:create_app()", port, env, log, base + "/healthz"):
            # warm-up, not measured: every worker imports, connects and fills its caches
            asyncio.run(_load(port, 3))
            parts = asyncio.run(_first_visit_bytes(port))
            with _churn(url, result["event"]) as churn:
                healthz, pages = _interleaved(port)
                refetched = asyncio.run(_load(port, SECONDS, data_cache=False))
            paint = _paint(base)
    result |= {
        "rps": pages["rps"],
        "p50_ms": pages["p50_ms"],
        "p99_ms": pages["p99_ms"],
        "errors": pages["errors"] + healthz["errors"],
        "healthz_rps": healthz["rps"],
        "slices_rps": pages["slices_rps"],
        "slices_p99_ms": pages["slices_p99_ms"],
        "healthz_slices_rps": healthz["slices_rps"],
        "healthz_p99_ms": healthz["p99_ms"],
        "ratio_vs_healthz": round(pages["rps"] / healthz["rps"], 3) if healthz["rps"] else None,
        "rps_data_refetched": refetched["rps"],
        "p99_ms_data_refetched": refetched["p99_ms"],
        "errors_data_refetched": refetched["errors"],
        "churn_s": CHURN_S,
        "churn_commits": churn["churn_commits"],
        "page_bytes": sum(parts.values()),
        "page_bytes_parts": parts,
        **paint,
    }
    result["targets"] = {key: f"{op} {bound:g}" for key, (op, bound) in TARGETS.items()}
    result["targets_met"] = {
        key: (
            result.get(key) is not None
            and bool(result[key] >= bound if op == ">=" else result[key] <= bound)
        )
        for key, (op, bound) in TARGETS.items()
    }
    # the common keys of every workload: seconds per page load against a /healthz answer
    result |= {
        "ours_s": round(1.0 / result["rps"], 5) if result["rps"] else None,
        "baseline": "healthz",
        "baseline_s": round(1.0 / result["healthz_rps"], 5) if result["healthz_rps"] else None,
        "ratio": round(result["healthz_rps"] / result["rps"], 3) if result["rps"] else None,
    }
    return result


if __name__ == "__main__":
    import json

    print(json.dumps(run(), ensure_ascii=False))
