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
    from checker.api import evaluate_matcher

    path = file or str(Path(__file__).resolve().parents[2] / "tests" / "data" / "eval_names.csv")
    typer.echo(evaluate_matcher(path, registry))
