"""learnkit demo."""

import typer

from cli import demo as demo_module
from cli import project


def demo(ctx: typer.Context) -> None:
    """Start the embedded database, rebuild it from the project and show what learnkit does."""
    project.require_supabase_dir(ctx.obj)
    demo_module.run(ctx.obj)
