"""eval: measure the matcher on a labelled set of names."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from checker.cli.options import RegistryOpt


def eval_command(
    file: Annotated[Optional[str], typer.Argument(
        help="Labelled CSV (vendor,expected_family,tier[,note]). "
             "Default: tests/data/eval_names.csv of a checkout.")] = None,
    registry: RegistryOpt = None,
) -> None:
    """Measure the matcher: recall per tier, decoys wrongly flagged, confusions and score calibration."""
    from checker.knowledge.registry import load_registry
    from checker.match.matcher import Matcher
    from checker.tools.evaluate import evaluate, load_cases, render

    path = file or str(Path(__file__).resolve().parents[2] / "tests" / "data" / "eval_names.csv")
    reg = load_registry(registry)
    typer.echo(render(evaluate(Matcher(reg), load_cases(path)), set(reg.families)))
