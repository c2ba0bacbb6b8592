"""Expected errors and the exit codes they map to.

Every error a user can cause (bad input, unreachable database, a failing
migration) is raised as a subclass of LearnkitError; the CLI's single handler
prints its message as one line on stderr and exits with its code. Anything
else is a bug and keeps its traceback.
"""

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    FAILURE = 1  # the command ran and found or caused a problem
    USAGE = 2  # bad arguments, configuration, or an unreachable database


class LearnkitError(Exception):
    exit_code: ExitCode = ExitCode.FAILURE


class Failure(LearnkitError):
    """The command ran but the work failed (a migration, a test, a check)."""

    exit_code = ExitCode.FAILURE


class UsageError(LearnkitError):
    """Bad arguments, a missing folder, a malformed or unreachable database URL."""

    exit_code = ExitCode.USAGE
