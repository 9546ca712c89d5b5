"""`flask coop merge-kpis FILE…`: several coops' KPI exports as one city-wide overview."""

import json
from pathlib import Path

import click
from flask.cli import with_appcontext

from coop.kpis import reports
from coop.kpis.services import KpiError


@click.command("merge-kpis")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print the overview as JSON.")
@with_appcontext
def merge_kpis_command(files, as_json: bool) -> None:
    """Merge KPI exports (schema 1.0) of one period: sums where a KPI adds up."""
    try:
        contents = []
        for name in files:
            path = Path(name)
            try:
                contents.append((path.name, path.read_bytes()))
            except OSError as error:
                raise click.ClickException(f"{name}: {error.strerror}") from None
        merged = reports.merge(contents)
    except KpiError as error:
        raise click.ClickException(str(error.message)) from None
    if as_json:
        click.echo(json.dumps({
            "period": merged.period, "coops": merged.coops,
            "kpis": [{"code": k.code, "name": k.name, "unit": k.unit, "additive": k.additive,
                      "per_coop": k.per_coop, "total": k.total} for k in merged.kpis]},
            ensure_ascii=False, indent=1))
        return
    click.echo(f"{merged.period['start']} – {merged.period['end']}: "
               + ", ".join(merged.coops))
    for kpi in merged.kpis:
        total = kpi.total if kpi.additive else "(does not add up)"
        click.echo(f"{kpi.code}\t{kpi.unit}\t{total}\t" + "\t".join(
            "—" if v is None else str(v) for v in kpi.per_coop))


COMMANDS = [merge_kpis_command]
