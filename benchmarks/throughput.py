"""Filtered list pages per second over HTTP: ours beside Datasette and a constant Flask app.

    python -m benchmarks.throughput [--organizations 100000] [--seconds 10] [--connections 8]
        [--pages 1] [--database PATH] [--load auto|wrk|python] [--immutable]
        [--gunicorn-config python:partners_api.serving.gunicorn_conf] [--request list|get]

Serves one synthetic SQLite directory with gunicorn (sync workers: one, then one per core)
and with Datasette, and puts each under the same bounded load: a fixed number of
connections on 127.0.0.1 for a fixed time, with wrk when it is on PATH, else a Python
load generator. Our request is the filtered list
`/api/v1/organizations?region=africa&topic=ai-safety&sector=academia&page_size=50`;
Datasette's is `/<db>.json?_shape=array` with SQL that returns the same rows and fields,
lists and total count included (checked before timing). The ceiling is a minimal Flask
app under the same gunicorn settings, answering the bytes of our first page as a constant.
`--request get` times a single organization, `/api/v1/organizations/<id>` (ids spread over
the directory, one per page asked for), against the ceiling answering its bytes; Datasette
is left out then.
Requests per second count 2xx answers only; `--database` reuses a file, or keeps the one
it generates there for the next run.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import statistics
import subprocess
import tempfile
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from benchmarks.servers import datasette_command, gunicorn, record, temporary_directory
from partners_api.serving.local import BIN, free_port, running

FILTERS = {"region": "africa", "topic": "ai-safety", "sector": "academia"}
PAGE_SIZE = 50
# The same page as our list: its filters (the topic with the topics below it, the region
# through the derived organization_regions, active organizations only), order by id, the
# total as a window count, every field of our JSON, lists as JSON arrays in our order.
SQL = """
WITH RECURSIVE chosen(id) AS (
  SELECT id FROM topics WHERE slug = :topic
  UNION
  SELECT topics.id FROM topics JOIN chosen ON topics.parent_id = chosen.id
),
page AS (
  SELECT organizations.*, count(*) OVER () AS total
  FROM organizations
  WHERE sector = :sector AND status = 'active'
    AND id IN (SELECT organization_id FROM organization_regions WHERE region_code = :region)
    AND id IN (
      SELECT organization_id FROM organization_topics
      WHERE topic_id IN (SELECT id FROM chosen) AND relation IN ('offers', 'seeks')
    )
  ORDER BY id
  LIMIT :page_size OFFSET :offset
)
SELECT
  id, slug, name, sector, country_code AS country, acronym, description, city,
  (SELECT json_group_array(region_code) FROM (
    SELECT region_code FROM organization_operating_regions
    WHERE organization_id = page.id ORDER BY region_code
  )) AS operating_regions,
  (SELECT json_group_array(region_code) FROM (
    SELECT region_code FROM organization_regions
    WHERE organization_id = page.id ORDER BY region_code
  )) AS regions,
  (SELECT json_group_array(code) FROM (
    SELECT code FROM organization_languages WHERE organization_id = page.id ORDER BY code
  )) AS languages,
  website, founded_year,
  iif(open_to_dialogue, 'true', 'false') AS open_to_dialogue,
  (SELECT json_group_array(slug) FROM (
    SELECT topics.slug FROM organization_topics JOIN topics ON topics.id = topic_id
    WHERE organization_id = page.id AND relation = 'offers' ORDER BY topics.slug
  )) AS offers,
  (SELECT json_group_array(slug) FROM (
    SELECT topics.slug FROM organization_topics JOIN topics ON topics.id = topic_id
    WHERE organization_id = page.id AND relation = 'seeks' ORDER BY topics.slug
  )) AS seeks,
  external_ids, status,
  replace(created_at, ' ', 'T') || '+00:00' AS created_at,
  replace(updated_at, ' ', 'T') || '+00:00' AS updated_at,
  total
FROM page
ORDER BY id
"""
CEILING = "benchmarks.ceiling_app:app"
# What each --request is called in the table, and the share of the ceiling it must reach.
CEILING_TARGETS = {"list": ("list page", ">= 0.25"), "get": ("single GET", ">= 0.4")}
WARM_P95_MS = 1_000  # a warm-up round slower than this still met a worker building
JSON_COLUMNS = (
    "operating_regions",
    "regions",
    "languages",
    "open_to_dialogue",
    "offers",
    "seeks",
    "external_ids",
)
# Reports the totals of a wrk run on one line; latencies in microseconds.
WRK_SCRIPT = """
local paths = {%s}
local n = 0
request = function()
  n = n + 1
  return wrk.format("GET", paths[(n %% #paths) + 1])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %%d %%d %%d %%d %%d %%d\\n", summary.requests,
    summary.duration, latency:percentile(50), latency:percentile(95), e.status,
    e.connect + e.read + e.write + e.timeout))
end
"""


@dataclass
class Load:
    """What one server did under the load: requests answered, time taken, latencies."""

    requests: int
    seconds: float
    median_ms: float
    p95_ms: float
    non_2xx: int
    errors: int

    @property
    def rate(self) -> float:
        """Requests answered with a 2xx per second."""
        return (self.requests - self.non_2xx) / self.seconds


def our_paths(pages: int, request: str = "list", organizations: int = 100_000) -> list[str]:
    """Our list request, pages 1 to `pages`; or as many single organizations, spread out."""
    if request == "get":
        step = max(1, organizations // (pages + 1))
        return [f"/api/v1/organizations/{step * n}" for n in range(1, pages + 1)]
    return [
        "/api/v1/organizations?"
        + urllib.parse.urlencode({**FILTERS, "page_size": PAGE_SIZE, "page": page})
        for page in range(1, pages + 1)
    ]


def datasette_paths(database: str, pages: int) -> list[str]:
    """Datasette's request for the same pages."""
    return [
        f"/{database}.json?"
        + urllib.parse.urlencode(
            [
                ("sql", " ".join(SQL.split())),
                *FILTERS.items(),
                ("page_size", PAGE_SIZE),
                ("offset", (page - 1) * PAGE_SIZE),
                ("_shape", "array"),
                *(("_json", column) for column in JSON_COLUMNS),
            ]
        )
        for page in range(1, pages + 1)
    ]


def fetch(url: str) -> tuple[bytes, dict]:
    """The body and headers of a GET that must succeed."""
    with urllib.request.urlopen(url, timeout=60) as answer:
        return answer.read(), dict(answer.headers)


def same_pages(ours: str, datasette: str, paths: list[str], theirs: list[str]) -> str:
    """Check both servers answer the same rows and totals; describe what else differs."""
    differ: set[str] = set()
    for path, other in zip(paths, theirs, strict=True):
        body, headers = fetch(ours + path)
        rows = json.loads(body)
        total = json.loads(headers["X-Pagination"])["total"]
        their_rows = json.loads(fetch(datasette + other)[0])
        ids = [row["id"] for row in rows]
        if len(rows) != PAGE_SIZE or ids != [row["id"] for row in their_rows]:
            raise SystemExit(f"Datasette and ours answer different rows for {path}")
        if {row.pop("total") for row in their_rows} != {total}:
            raise SystemExit(f"Datasette and ours count different totals for {path}")
        differ |= {
            key
            for a, b in zip(rows, their_rows, strict=True)
            for key in a | b
            if a.get(key) != b.get(key)
        }
    fields = ", ".join(sorted(differ)) or "none"
    return f"same {PAGE_SIZE} ids and total {total:,} on each page; fields that differ: {fields}"


def wrk_load(base: str, paths: list[str], seconds: float, connections: int) -> Load:
    """Run wrk against the paths in turn and read its summary."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
        script.write(WRK_SCRIPT % ", ".join(json.dumps(path) for path in paths))
        script.flush()
        output = subprocess.run(
            [
                "wrk",
                f"-t{min(2, connections)}",
                f"-c{connections}",
                f"-d{seconds}s",
                "--timeout",
                "60s",
                "-s",
                script.name,
                base,
            ],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    line = next(line for line in output.splitlines() if line.startswith("RESULT "))
    requests, duration, median, p95, non_2xx, errors = map(int, line.split()[1:])
    return Load(requests, duration / 1e6, median / 1e3, p95 / 1e3, non_2xx, errors)


def python_load(base: str, paths: list[str], seconds: float, connections: int) -> Load:
    """One thread per connection, each sending the paths in turn until the time is up."""
    host, port = urllib.parse.urlsplit(base).netloc.split(":")
    deadline = time.perf_counter() + seconds

    def connection(first: int) -> tuple[list[float], int, int]:
        client = http.client.HTTPConnection(host, int(port), timeout=60)
        latencies, non_2xx, errors, n = [], 0, 0, first
        while (started := time.perf_counter()) < deadline:
            n += 1
            try:
                client.request("GET", paths[n % len(paths)])
                answer = client.getresponse()
                answer.read()
            except (OSError, http.client.HTTPException):
                client.close()  # reconnects on the next request
                errors += 1
                continue
            latencies.append(time.perf_counter() - started)
            non_2xx += not 200 <= answer.status < 300
        client.close()
        return latencies, non_2xx, errors

    started = time.perf_counter()
    with ThreadPoolExecutor(connections) as pool:
        results = list(pool.map(connection, range(connections)))
    elapsed = time.perf_counter() - started
    latencies = sorted(latency for result in results for latency in result[0])
    return Load(
        len(latencies),
        elapsed,
        statistics.median(latencies) * 1e3 if latencies else 0.0,
        latencies[int(0.95 * (len(latencies) - 1))] * 1e3 if latencies else 0.0,
        sum(result[1] for result in results),
        sum(result[2] for result in results),
    )


def warm_up(base: str, paths: list[str], connections: int, rounds: int = 30) -> None:
    """Load the server until no request waits long: every worker has built its indexes.

    A worker builds them on its first request (seconds at 100,000 organizations); one
    second of load may reach only some workers, and the others would build while timed.
    """
    for _ in range(rounds):
        if python_load(base, paths, 2, connections).p95_ms < WARM_P95_MS:
            return


def first_look(path: Path, ours: str, paths: list[str], theirs: list[str] | None) -> bytes:
    """Our first page; prints the request and how Datasette's answers agree with ours."""
    page_one, headers = fetch(ours + paths[0])
    what = (
        f"{PAGE_SIZE} of {json.loads(headers['X-Pagination'])['total']:,} organizations"
        if "X-Pagination" in headers
        else "one organization"
    )
    print(
        f"{path.stat().st_size / 2**20:,.0f} MB SQLite directory; GET {paths[0]}"
        f"{f' and {len(paths) - 1} more like it' if len(paths) > 1 else ''}: {what},"
        f" {len(page_one) / 1024:.1f} kB"
    )
    if theirs is None:
        print("Datasette left out (a single GET, or not installed: pip install -e '.[bench]')")
        return page_one
    port = free_port()
    with running(datasette_command(path, port), port=port):
        datasette = f"http://127.0.0.1:{port}"
        version = json.loads(fetch(f"{datasette}/-/versions.json")[0])["datasette"]["version"]
        agree = same_pages(ours, datasette, paths, theirs)
    print(
        f"Datasette {version}: /{path.stem}.json?_shape=array&sql=... with the same filters"
        " (topics below ai-safety by a recursive CTE), lists as JSON arrays and the total as"
        f" count(*) OVER (): {agree}"
    )
    return page_one


def main() -> None:
    """Print the table and the ratios."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--organizations", type=int, default=100_000)
    parser.add_argument("--seconds", type=int, default=10, help="of load per server")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--pages", type=int, default=1, help="rotate through pages 1 to N")
    parser.add_argument("--database", help="SQLite file to reuse, or to generate and keep")
    parser.add_argument("--load", choices=("auto", "wrk", "python"), default="auto")
    parser.add_argument("--immutable", action="store_true", help="Datasette's -i mode")
    parser.add_argument(
        "--gunicorn-config",
        metavar="CONFIG",
        help="e.g. python:partners_api.serving.gunicorn_conf, instead of plain sync workers",
    )
    parser.add_argument("--request", choices=("list", "get"), default="list")
    args = parser.parse_args()
    if args.pages < 1 or args.seconds < 1 or args.connections < 1:
        parser.error("--pages, --seconds and --connections must be at least 1")
    tool = args.load if args.load != "auto" else "wrk" if shutil.which("wrk") else "python"
    load = wrk_load if tool == "wrk" else python_load
    cores = len(os.sched_getaffinity(0))
    workers = sorted({1, cores})
    paths = our_paths(args.pages, args.request, args.organizations)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    rates: dict[tuple, float] = {}
    with (
        temporary_directory(args.database, args.organizations) as path,
        tempfile.TemporaryDirectory() as tmp,
    ):
        env = {"DATABASE_URL": f"sqlite:///{path}", "RATELIMIT_ENABLED": "false"}
        compare = args.request == "list" and (BIN / "datasette").exists()
        theirs = datasette_paths(path.stem, args.pages) if compare else None
        body = Path(tmp) / "page.json"
        worker = "worker" if args.gunicorn_config else "sync worker"
        ceiling_env = {"CEILING_BODY": str(body)}
        plan = [
            (("ours", n), f"ours, {plural(n, worker)}", "wsgi:app", env, paths) for n in workers
        ]
        if theirs is not None:
            mode = "immutable" if args.immutable else "mutable"
            plan.append((("Datasette",), f"Datasette, {mode}", None, {}, theirs))
        plan += [
            (("ceiling", n), f"ceiling, {plural(n, worker)}", CEILING, ceiling_env, paths)
            for n in workers
        ]
        for position, (key, label, app, extra, requests) in enumerate(plan):
            command = (
                gunicorn(app, port, workers=key[1], config=args.gunicorn_config)
                if app
                else datasette_command(path, port, immutable=args.immutable)
            )
            with running(command, port=port, env=extra):
                if position == 0:  # ours, before the others: check its answers first
                    body.write_bytes(first_look(path, base, paths, theirs))
                    print_header(args, tool, cores)
                warm_up(base, requests, args.connections)
                result = load(base, requests, args.seconds, args.connections)
            rates[key] = result.rate
            print(
                f"{label:34} {result.rate:>10,.1f} {result.median_ms:>10,.1f}"
                f" {result.p95_ms:>10,.1f} {result.non_2xx:>7} {result.errors:>6}"
            )
    for n in workers:
        ratios = [
            f"/ {name} {rates['ours', n] / rates[key]:.2g}"
            for name, key in (("Datasette", ("Datasette",)), ("ceiling", ("ceiling", n)))
            if rates.get(key)
        ]
        print(f"ours with {plural(n, worker)}: {', '.join(ratios)}")
        if rates.get(("ceiling", n)):
            ratio = rates["ours", n] / rates["ceiling", n]
            what, target = CEILING_TARGETS[args.request]
            record("throughput", f"{what} / ceiling, {plural(n, worker)}", ratio, "x", target)


def print_header(args: argparse.Namespace, tool: str, cores: int) -> None:
    """The conditions of the load, and the table's heading."""
    gunicorn = f"-c {args.gunicorn_config}" if args.gunicorn_config else "sync workers"
    print(
        f"load: {tool}, {args.connections} connections for {args.seconds} s per server on"
        f" 127.0.0.1; {plural(cores, 'core')}, shared by the load generator and the server"
        f" (load average {os.getloadavg()[0]:.1f}); gunicorn {gunicorn}"
    )
    print(f"{'server':34} {'requests/s':>10} {'median ms':>10} {'p95 ms':>10} non-2xx errors")


def plural(count: int, noun: str) -> str:
    """'1 worker', '2 workers'."""
    return f"{count} {noun}{'s' * (count != 1)}"


if __name__ == "__main__":
    main()
