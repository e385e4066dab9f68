from django.core.cache import cache
from django.core.management.base import BaseCommand, CommandError

from indicators.results.maturity import recompute_all_maturity
from indicators.results.services import recompute_all
from programmes.demo import DemoRefused, seed_demo


class Command(BaseCommand):
    help = (
        "Fill the database with a deterministic demonstration picture: about 40 localities' "
        "programmes and quarterly reports from 2021-Q1 to the last complete quarter, and maturity "
        "self-assessments in every state against an illustrative framework. "
        "Safe to run again: an identical demo is left as it is."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2025, help="Random seed (default 2025).")
        parser.add_argument(
            "--size", type=int, default=1, choices=range(1, 101), metavar="N",
            help="1: today's picture; 10: ten times the rows, for benchmarks.",
        )
        parser.add_argument("--reset", action="store_true", help="Replace the demo data already there.")

    def handle(self, *args, seed, size, reset, **options):
        try:
            summary = seed_demo(seed=seed, size=size, reset=reset)
        except DemoRefused as error:
            raise CommandError(str(error)) from None
        if summary is None:
            self.stdout.write(f"Demo data (seed {seed}, size {size}) is already loaded; nothing to do.")
            return
        self.stdout.write(
            "Demo data: {old_units} units reporting before July 2025, {new_units} since; {reports} reports, {values} indicator values, "
            "{revisions} revisions, {projects} projects; {assessments} maturity self-assessments against an illustrative framework.".format(**summary)
        )
        recompute_all()
        recompute_all_maturity()
        self.stdout.write("Dashboard results computed.")
        from indicators.results import releases

        built = releases.publish_quarters(releases.quarters_with_figures())
        self.stdout.write(f"Open data: {len(built)} quarterly releases published.")
        cache.clear()
