"""eval: measure the matcher on a labelled set of names."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from checker.cli.options import RegistryOpt


def eval_command(
    file: Annotated[Optional[str], typer.Argument(
        help="Labelled CSV (vendor,expected_family,tier[,note]). "
             "Default: the labelled set shipped with the tool.")] = None,
    registry: RegistryOpt = None,
) -> None:
    """Measure the matcher: recall per tier, decoys wrongly flagged, confusions and score calibration."""
    from checker.api import evaluate_matcher
    from checker.tools.evaluate import BUNDLED_SET

    typer.echo(evaluate_matcher(file or str(BUNDLED_SET), registry))
