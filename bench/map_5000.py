"""map-5000: the planner's map of an event with 5,000 booths, in headless Chromium.

Ours: the workspace page, which fetches booths as compressed GeoJSON by bounding box and draws
them on a canvas. Baseline: the naive folium page with all 5,000 booths inlined and its assets
local (what a folium user writes first). Both are served by the same gunicorn, set up as
`make serve` sets it up, on loopback; after three warm-up loads each is loaded in a fresh
browser context with the cache disabled, five times, and the median is kept. Bytes are the
encoded (on-the-wire) sizes Chromium reports for every response of the navigation; time runs
from navigation start until a frame after the booths layer is added.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time as time_module
import urllib.request
from datetime import date, time
from pathlib import Path
from typing import Any

from geoalchemy2.shape import from_shape
from shapely.geometry import LineString
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

BENCH_EVENT = "bench-5000"
CORRIDOR = "Koridor uji 5000 lapak"
EMAIL, PASSWORD = "bench-planner@pontianak.go.id", "bench-password-5000"
RUNS = 5
WARMUP = 3
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
]


def prepare(url: str) -> None:
    """Schema, demo city, a straight 8 km corridor and an event laid out with ~5,000 booths."""
    from app.gis.crs import to_metric, to_wgs84
    from app.migrate import upgrade
    from app.models import Booth, City, Event, Zone
    from app.services.demo import seed_demo
    from app.services.layout import LayoutParams, generate_event_layout
    from app.services.users import create_user, find_user

    upgrade(url)
    engine = create_engine(url)
    with Session(engine) as s:
        if s.scalar(select(City).where(City.slug == "pontianak")) is None:
            seed_demo(s, today=date.today(), log=lambda *_: None)
        city = s.scalars(select(City).where(City.slug == "pontianak")).one()
        if find_user(s, EMAIL) is None:
            create_user(s, email=EMAIL, password=PASSWORD, role="planner")
        event = s.scalars(select(Event).where(Event.slug == BENCH_EVENT)).one_or_none()
        if event is None:
            line = to_metric(LineString([(109.262, -0.100), (109.334, -0.100)]), 32749)
            zone = Zone(
                city=city,
                name=CORRIDOR,
                kind="cfd_corridor",
                geom=from_shape(to_wgs84(line.buffer(5.25, cap_style="flat"), 32749), srid=4326),
            )
            event = Event(
                city=city,
                slug=BENCH_EVENT,
                name="Uji 5.000 lapak",
                date=date.today(),
                start_time=time(6),
                end_time=time(9),
                status="draft",
                corridors=[zone],
            )
            s.add_all([zone, event])
            s.commit()
        n = s.scalar(select(func.count()).select_from(Booth).where(Booth.event_id == event.id))
        if not n:
            generate_event_layout(s, event, LayoutParams(prefix="UJ"))
    engine.dispose()


def naive_page(url: str) -> str:
    """The baseline: what a folium user writes first, every booth inlined as GeoJSON.

    folium's defaults (SVG rendering, a GeoJson layer with a tooltip), with Leaflet and jQuery
    served from the same local server instead of a CDN; nothing tuned.
    """
    import folium

    from app.models import Event
    from app.services.geojson import booths_fc
    from app.views import maps

    engine = create_engine(url)
    with Session(engine) as s:
        event = s.scalars(select(Event).where(Event.slug == BENCH_EVENT)).one()
        fc = booths_fc(s, event)
    engine.dispose()
    m = maps.base_map(
        center=(-0.1, 109.298), zoom=14, static_base="/static/vendor", prefer_canvas=False
    )
    folium.GeoJson(fc, name="booths", tooltip=folium.GeoJsonTooltip(["code"])).add_to(m)
    bounds = maps.fit_bounds_of(fc)
    if bounds:
        m.fit_bounds(bounds)
    html = m.get_root().render()
    marker = "<script>document.documentElement.dataset.boothsAdded = '1';</script></body>"
    return html.replace("</body>", marker)


def bench_app() -> Any:
    """The production app plus the baseline page at /bench/naive.html (gunicorn factory)."""
    from app import create_app

    app = create_app({"REQUEST_LOG": False})
    naive_html = Path(os.environ["PETALAPAK_BENCH_NAIVE"]).read_text()
    inner = app.wsgi_app

    def wsgi(environ: dict[str, Any], start_response: Any) -> Any:
        if environ.get("PATH_INFO") == "/bench/naive.html":
            return Response(naive_html, mimetype="text/html")(environ, start_response)
        return inner(environ, start_response)

    app.wsgi_app = wsgi  # type: ignore[method-assign]
    return app


def serve(url: str, naive_html: str) -> tuple[Any, str]:
    """Both pages under gunicorn as `make serve` runs it (2 × cores + 1 workers, threads)."""
    tmp = Path(tempfile.mkdtemp(prefix="petalapak-bench-"))
    (tmp / "naive.html").write_text(naive_html)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    workers = 2 * (os.cpu_count() or 1) + 1
    env = dict(os.environ, DATABASE_URL=url, PETALAPAK_BENCH_NAIVE=str(tmp / "naive.html"))
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    args = [
        gunicorn,
        "--workers",
        str(workers),
        "--threads",
        "4",
        "--worker-class",
        "gthread",
        "--bind",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
    ]
    if (
        "--no-control-socket"
        in subprocess.run([gunicorn, "--help"], capture_output=True, text=True).stdout
    ):
        args.append("--no-control-socket")
    proc = subprocess.Popen(
        [*args, "bench.map_5000:bench_app()"],
        env=env,
        cwd=str(Path(__file__).resolve().parent.parent),
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=1):
                break
        except OSError:
            time_module.sleep(0.2)
    return proc, base


def _measure(browser: Any, base: str, path: str, ready_js: str, login: bool) -> tuple[int, float]:
    # bypass_csp: the wait below compiles its predicate inside the page, which the app's
    # Content-Security-Policy (no 'unsafe-eval') refuses; the e2e tests check the policy itself.
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    page = context.new_page()
    if login:
        page.goto(base + "/login")
        page.fill("input[name=email]", EMAIL)
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(base + "/")
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    sizes: dict[str, float] = {}
    cdp.on(
        "Network.loadingFinished",
        lambda e: sizes.__setitem__(e["requestId"], e["encodedDataLength"]),
    )
    page.goto(base + path, wait_until="commit")
    page.wait_for_function(ready_js, timeout=60000)
    elapsed_ms = page.evaluate("""() => new Promise(done => requestAnimationFrame(() =>
        requestAnimationFrame(() => done(performance.now()))))""")
    page.wait_for_load_state("networkidle")
    context.close()
    return int(sum(sizes.values())), elapsed_ms / 1000.0


def run() -> dict[str, object]:
    from playwright.sync_api import sync_playwright

    url = os.environ.get("DATABASE_URL")
    if not url:
        raise SystemExit("map-5000 needs DATABASE_URL (make bench sets it)")
    chromium = shutil.which("chromium")
    if chromium is None:
        raise SystemExit("map-5000 needs Debian's chromium (apt-get install chromium)")
    prepare(url)
    server, base = serve(url, naive_page(url))
    ours, naive = [], []
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path=chromium, headless=True, args=CHROMIUM_ARGS
            )
            for _ in range(WARMUP):  # every worker compiles its queries and opens its pool
                _measure(
                    browser,
                    base,
                    f"/planner/map?event={BENCH_EVENT}",
                    "document.documentElement.dataset.boothsPainted > 4000",
                    login=True,
                )
                _measure(
                    browser,
                    base,
                    "/bench/naive.html",
                    "document.documentElement.dataset.boothsAdded === '1'",
                    login=False,
                )
            for _ in range(RUNS):
                ours.append(
                    _measure(
                        browser,
                        base,
                        f"/planner/map?event={BENCH_EVENT}",
                        "document.documentElement.dataset.boothsPainted > 4000",
                        login=True,
                    )
                )
                naive.append(
                    _measure(
                        browser,
                        base,
                        "/bench/naive.html",
                        "document.documentElement.dataset.boothsAdded === '1'",
                        login=False,
                    )
                )
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=20)
    ours_s = statistics.median(t for _, t in ours)
    base_s = statistics.median(t for _, t in naive)
    booths = _booth_count(url)
    return {
        "workload": "map-5000",
        "ours_s": round(ours_s, 3),
        "baseline": "folium-inline-5000",
        "baseline_s": round(base_s, 3),
        "ratio": round(ours_s / base_s, 3),
        "page_bytes": int(statistics.median(b for b, _ in ours)),
        "baseline_page_bytes": int(statistics.median(b for b, _ in naive)),
        "booths": booths,
    }


def _booth_count(url: str) -> int:
    from app.models import Booth, Event

    engine = create_engine(url)
    with Session(engine) as s:
        n = (
            s.scalar(
                select(func.count()).select_from(Booth).join(Event).where(Event.slug == BENCH_EVENT)
            )
            or 0
        )
    engine.dispose()
    return int(n)


if __name__ == "__main__":
    print(json.dumps(run()))
