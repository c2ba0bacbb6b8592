"""`learnkit demo` section: semantic retrieval (Spool's Pinecone index, as pgvector; issue 17).

Ava asks about addition to 10. Her app embeds the question (learnkit calls no model: the seed's embeddings
and this query are deterministic stand-ins) and calls public.match_content_chunks() as her: first ranked by
cosine similarity alone (no interests), then with her profile's interests (sports, music), which lift the
close chunks that speak to them. Runs where pgvector exists (the embedded server, hosted Supabase).
"""

import psycopg

from cli import output, queries, testing
from cli.settings import Settings

CONCEPT = "math.add.to-10"


def _query(name: str) -> str:
    return queries.query("demo_retrieval.sql", name)


def show_retrieval(conn: psycopg.Connection, settings: Settings) -> None:
    if not conn.execute(_query("available")).fetchone()["available"]:
        output.info("Skipping the retrieval section: this server has no pgvector (see `learnkit db advise`).")
        return
    learner = conn.execute(_query("learner")).fetchone()
    if learner is None:
        output.info("Skipping the retrieval section: the seed's student Ava is missing.")
        return
    with testing.as_user(conn, learner["id"]) as acting:
        for title, interests in ((f"Nearest chunks for a question about {CONCEPT} (similarity only)", []),
                                 (f"The same, favouring {learner['nickname']}'s interests "
                                  f"({', '.join(learner['interests'])}): score = similarity + 0.1 × overlap / "
                                  f"{len(learner['interests'])}", None)):
            rows = acting.execute(_query("match"), {"concept_code": CONCEPT, "match_count": 5,
                                                    "interests": interests}).fetchall()
            output.table(title, ["chunk", "tags", "similarity", "overlap", "score"],
                         [[row["content"], ", ".join(row["interest_tags"]), row["similarity"],
                           row["interest_overlap"], row["score"]] for row in rows])
