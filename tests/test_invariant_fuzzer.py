"""The invariant fuzzer (issue 19): random API sessions by every persona, checked after every step against a
reference model of docs/security.md and docs/gamification.md (tests/fuzz/).

`test_the_trust_model_holds_under_random_sessions` runs in every `pytest` with a fixed budget and derandomized
(the same sequences each run, ≤ 60 s); `pytest -m soak [--hypothesis-seed N]` runs the long soak
(LEARNKIT_FUZZ_EXAMPLES examples, default 250, of up to 50 steps). A failure shrinks to a minimal sequence and
prints it as a psql script. LEARNKIT_FUZZ_PROJECT=DIR fuzzes the migrations of another checkout (an older
schema: rules whose API it lacks do not apply); LEARNKIT_FUZZ_SKIP=rule,reads:table,… leaves rules and read
checks out (to find the next hole once one is known).
"""

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis.stateful import run_state_machine_as_test

from cli import connection
from cli.settings import Settings
from tests.fuzz.machine import TrustMachine
from tests.harness import TestDatabases

CI_EXAMPLES, CI_STEPS = int(os.environ.get("LEARNKIT_FUZZ_CI_EXAMPLES", "8")), 25
SOAK_STEPS = 50


@pytest.fixture(scope="module")
def fuzz_template(pg_server, test_databases, migrated_template):
    """The template each example copies: this checkout's migrations, or LEARNKIT_FUZZ_PROJECT's."""
    project = os.environ.get("LEARNKIT_FUZZ_PROJECT")
    if not project:
        yield test_databases, migrated_template
        return
    other = TestDatabases(pg_server, Settings(project_dir=Path(project).resolve()))
    name = other.unique_name("fuzz_project")
    other.build_template(name)
    try:
        yield other, name
    finally:
        other.drop(name)


def _machine(fuzz_template):
    databases, template = fuzz_template

    def new_database():
        url = databases.clone(template, prefix="fuzz")
        name = connection.conninfo.conninfo_to_dict(url)["dbname"]
        return url, lambda: databases.drop(name)

    TrustMachine.new_database = staticmethod(new_database)
    TrustMachine.stats.clear()
    skipped = {name for name in os.environ.get("LEARNKIT_FUZZ_SKIP", "").split(",") if name}
    for name in skipped:
        if not hasattr(TrustMachine, name) and not name.startswith("reads:"):
            pytest.fail(f"LEARNKIT_FUZZ_SKIP: no rule {name!r}", pytrace=False)
    TrustMachine.skipped = frozenset(skipped)
    return TrustMachine


def _report(record_property, machine) -> None:
    stats = dict(sorted(machine.stats.items()))
    record_property("invariant_fuzzer", stats)
    print(f"invariant fuzzer: {stats}")  # shown with -s, also when the run failed


def test_the_trust_model_holds_under_random_sessions(fuzz_template, record_property):
    machine = _machine(fuzz_template)
    try:
        run_state_machine_as_test(machine, settings=settings(
            max_examples=CI_EXAMPLES, stateful_step_count=CI_STEPS, deadline=None, derandomize=True,
            database=None, suppress_health_check=list(HealthCheck), print_blob=False))
    finally:
        _report(record_property, machine)


@pytest.mark.soak
def test_soak_the_trust_model(fuzz_template, record_property):
    machine = _machine(fuzz_template)
    try:
        run_state_machine_as_test(machine, settings=settings(
            max_examples=int(os.environ.get("LEARNKIT_FUZZ_EXAMPLES", "250")), stateful_step_count=SOAK_STEPS,
            deadline=None, database=None, suppress_health_check=list(HealthCheck)))
    finally:
        _report(record_property, machine)
