"""Benchmark: semantic retrieval, HNSW (content_chunks_embedding_idx) vs exact search, same server, same run.

Loads N chunks (default 100,000) of 1536-dimension unit vectors into public.content_chunks on the embedded
server (pgvector; Debian's PostgreSQL 15 has none), builds the HNSW cosine index as the schema declares it,
then for Q query vectors runs the exact top-10 (a sequential scan, index scans off) and the HNSW top-10 at each
hnsw.ef_search. recall@10 = |HNSW top-10 ∩ exact top-10| / 10, averaged over the queries; latency per query
(the kNN statement alone, through one connection), p50 and p95, repeated and reported as the median with the
spread (min–max) over the repeats. The figures go to docs/performance.md.

Vectors are generated in SQL: C topic centroids (uniform random directions), each chunk its centroid plus
uniform noise of the same norm, l2-normalised (cosine ≈ 0.7 to its centroid), and each query a fresh noisy copy
of a random centroid. Real embeddings cluster by topic like this; uniform random vectors in 1536 dimensions do
not (every pair sits at cosine 0 ± 0.03, so "the 10 nearest" is noise): `--clusters 0` measures that case too.

  .venv/bin/python bench/retrieval.py                     # 100k chunks: the index build takes minutes
  .venv/bin/python bench/retrieval.py --chunks 20000 --queries 30 --repeats 2
"""

import argparse
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from common import migrated_database, percentile
from cli import connection, queries
from cli.local_server import LocalServer, ServerConfig, free_port

SQL = queries.parse_named_blocks((Path(__file__).parent / "sql" / "retrieval.sql").read_text())
EF_SEARCH = (40, 100, 200, 400)


def load(conn, chunks: int, clusters: int) -> float:
    started = time.perf_counter()
    conn.execute(SQL["drop_index"])
    conn.execute(SQL["platform_concept"])
    conn.execute(SQL["centroids"], {"clusters": max(clusters, 1)})
    conn.execute("set session_replication_role = replica")  # skip the row triggers: this measures search
    conn.execute(SQL["load_chunks"], {"chunks": chunks, "clustered": clusters > 0})
    conn.execute("reset session_replication_role")
    conn.execute("vacuum analyze public.content_chunks")
    return time.perf_counter() - started


def build_index(conn) -> float:
    started = time.perf_counter()
    conn.execute(SQL["build_index"])
    return time.perf_counter() - started


def timed(conn, statement: str, params: dict) -> tuple[list, float]:
    """One kNN query as an app sends it: the query vector as a parameter."""
    started = time.perf_counter()
    rows = conn.execute(statement, params).fetchall()
    return [row["id"] for row in rows], (time.perf_counter() - started) * 1000


def run(conn, repeats: int) -> dict:
    vectors = {row["n"]: row["v"] for row in conn.execute(SQL["queries"]).fetchall()}
    query_ids = sorted(vectors)
    truth: dict[int, set] = {}
    figures: dict[str, dict] = {"exact": {"p50": [], "p95": []}}
    figures.update({f"hnsw ef_search={ef}": {"p50": [], "p95": [], "recall": []} for ef in EF_SEARCH})
    figures["match_content_chunks()"] = {"p50": [], "p95": [], "recall": []}
    for _ in range(repeats):
        with conn.transaction():
            conn.execute(SQL["exact_mode"])
            samples = []
            for n in query_ids:
                ids, ms = timed(conn, SQL["knn"], {"q": vectors[n]})
                truth[n] = set(ids)
                samples.append(ms)
        figures["exact"]["p50"].append(percentile(samples, 0.5))
        figures["exact"]["p95"].append(percentile(samples, 0.95))
        for ef in EF_SEARCH:
            with conn.transaction():
                conn.execute(SQL["hnsw_mode"], {"ef_search": str(ef)})
                samples, recalls = [], []
                for n in query_ids:
                    ids, ms = timed(conn, SQL["knn"], {"q": vectors[n]})
                    samples.append(ms)
                    recalls.append(len(truth[n] & set(ids)) / 10)
            record(figures[f"hnsw ef_search={ef}"], samples, recalls)
        with conn.transaction():
            conn.execute(SQL["match_mode"])
            samples, recalls = [], []
            for n in query_ids:
                ids, ms = timed(conn, SQL["match"], {"q": vectors[n]})
                samples.append(ms)
                recalls.append(len(truth[n] & set(ids)) / 10)
        record(figures["match_content_chunks()"], samples, recalls)
    return figures


def record(entry: dict, samples: list[float], recalls: list[float]) -> None:
    entry["p50"].append(percentile(samples, 0.5))
    entry["p95"].append(percentile(samples, 0.95))
    entry["recall"].append(statistics.mean(recalls))


def uses_the_index(conn) -> bool:
    with conn.transaction():
        conn.execute(SQL["hnsw_mode"], {"ef_search": "40"})
        vector = conn.execute(SQL["queries"]).fetchone()["v"]
        plan = "\n".join(row["QUERY PLAN"] for row in conn.execute("explain " + SQL["knn"], {"q": vector}).fetchall())
    return "content_chunks_embedding_idx" in plan


def spread(values: list[float]) -> str:
    return f"{statistics.median(values):8.2f} ({min(values):.2f}–{max(values):.2f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--chunks", type=int, default=100_000)
    parser.add_argument("--clusters", type=int, default=1_000, help="topic centroids; 0: uniform random vectors")
    parser.add_argument("--queries", type=int, default=50)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    print("load:", subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip())
    directory = Path(tempfile.mkdtemp(prefix="learnkit-bench-retrieval-"))
    # The whole index in memory while it is built (pgvector warns and slows down past maintenance_work_mem).
    server = LocalServer(directory / "pg", ServerConfig(kind="embedded", port=free_port()), fast=True,
                         settings={"shared_buffers": "2GB", "maintenance_work_mem": "2GB",
                                   "max_parallel_maintenance_workers": "1"})
    server.start()
    try:
        url = migrated_database(server)
        with connection.connect(url) as conn:
            # No server-side prepared statements: a plan prepared while index scans are off (the exact search)
            # would be reused for the HNSW runs, since a changed setting does not invalidate a cached plan.
            conn.prepare_threshold = None
            print(f"PostgreSQL {conn.execute('show server_version').fetchone()['server_version']}, pgvector "
                  f"{conn.execute(SQL['vector_version']).fetchone()['version']}")
            seconds = load(conn, args.chunks, args.clusters)
            print(f"loaded {args.chunks:,} chunks of 1536 dimensions "
                  f"({'%d clusters' % args.clusters if args.clusters else 'uniform random'}) in {seconds:.1f} s")
            seconds = build_index(conn)
            size = conn.execute(SQL["index_size"]).fetchone()["size"]
            print(f"built the HNSW index (m 16, ef_construction 64) in {seconds:.1f} s, {size}")
            conn.execute(SQL["create_prewarm"])
            conn.execute(SQL["prewarm"])
            conn.execute(SQL["make_queries"], {"queries": args.queries, "clustered": args.clusters > 0})
            if not uses_the_index(conn):
                raise SystemExit("the kNN query does not use content_chunks_embedding_idx")
            figures = run(conn, args.repeats)
    finally:
        server.destroy()
        shutil.rmtree(directory, ignore_errors=True)

    exact_p95 = statistics.median(figures["exact"]["p95"])
    print(f"\n{args.queries} queries × {args.repeats} repeats; median over repeats (min–max)")
    print(f"{'search':<22} {'recall@10':>20} {'p50 ms':>22} {'p95 ms':>22} {'p95 speed-up':>13}")
    for name, entry in figures.items():
        recall = spread(entry["recall"]) if "recall" in entry else f"{'1 (truth)':>8}"
        speedup = exact_p95 / statistics.median(entry["p95"])
        print(f"{name:<22} {recall:>20} {spread(entry['p50']):>22} {spread(entry['p95']):>22} {speedup:>12.1f}×")
    print("load:", subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip())


if __name__ == "__main__":
    main()
