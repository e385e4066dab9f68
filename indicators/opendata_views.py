"""``/data/``: the open-data catalogue, for people and for harvesters.

The pages describe each dataset of ``indicators.results.datasets`` and its
releases; the downloads stream its tables (CSV, JSON, XLSX) with flat
memory; ``datapackage.json`` (Frictionless) and ``catalog.jsonld`` (DCAT-AP)
describe them for machines. Everything here is public and the same for every
visitor: it reads approved results, reference data and what approvals
published, never a report's draft.
"""
import json

from django.http import (
    FileResponse,
    Http404,
    HttpResponse,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from indicators.models import DataRelease, DataReleaseFile
from indicators.results import catalog, datasets, formats, releases
from indicators.results.exports import download_about, download_error
from provinces.quarters import Quarter


def _dataset_or_404(slug):
    found = datasets.dataset(slug)
    if found is None:
        raise Http404
    return found


class DataIndexView(TemplateView):
    """``/data/``: every dataset with its downloads, the latest release of each quarter, how to harvest."""
    # A public page (smartcity_portal.pagecache): anonymous visitors get it whole from the cache.
    public_page_query = ()

    template_name = "indicators/opendata/index.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        latest = {}
        for release in DataRelease.objects.order_by("-year", "-quarter", "-number"):
            latest.setdefault((release.year, release.quarter), release)
        context.update(
            datasets=[dataset_summary(d) for d in datasets.DATASETS],
            releases=list(latest.values())[:12],
            release_count=len(latest),
            licence=datasets.license_info(),
            publisher=datasets.publisher(),
        )
        return context


def dataset_summary(dataset):
    """What the catalogue page and a dataset's page show of ``dataset``."""
    return {
        "dataset": dataset,
        "temporal": dataset.temporal(),
        "modified": dataset.last_modified(),
        "frequency": FREQUENCIES[dataset.frequency],
        "tables": [
            {"table": table, "downloads": [
                (fmt.upper(), reverse("data:download", kwargs={"dataset": dataset.slug, "table": table.slug, "fmt": fmt}))
                for fmt in formats.FORMATS
            ]}
            for table in dataset.tables
        ],
    }


FREQUENCIES = {
    datasets.QUARTERLY: _("quarterly, after each approval"),
    datasets.ANNUAL: _("yearly, after each approval of a self-assessment"),
    datasets.IRREGULAR: _("when the reference data changes"),
}


class DatasetView(TemplateView):
    """``/data/<dataset>/``: a dataset's description, tables, columns and downloads."""
    # A public page (smartcity_portal.pagecache): anonymous visitors get it whole from the cache.
    public_page_query = ()

    template_name = "indicators/opendata/dataset.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        dataset = _dataset_or_404(kwargs["dataset"])
        context.update(
            summary=dataset_summary(dataset),
            dataset=dataset,
            licence=datasets.license_info(),
            publisher=datasets.publisher(),
            has_releases=any(t.in_release for t in dataset.tables),
        )
        return context


def dataset_package(request, dataset):
    """``/data/<dataset>/datapackage.json``: the dataset's Data Package; its CSV files sit beside it."""
    dataset = _dataset_or_404(dataset)
    descriptor = formats.datapackage(
        name=dataset.slug,
        title=dataset.title,
        description=dataset.description,
        resources=[formats.resource(table) for table in dataset.tables],
        keywords=dataset.keywords,
        homepage=request.build_absolute_uri(reverse("data:dataset", kwargs={"dataset": dataset.slug})),
        temporal=dataset.temporal(),
    )
    return HttpResponse(formats.dumps(descriptor), content_type="application/json")


def _period(request):
    """The ``quarter`` parameter of a download (``2025-Q3``), ``None`` without one; ``ValueError`` if invalid."""
    text = request.GET.get("quarter")
    if text in (None, ""):
        return None
    if len(text) > 8 or not text[:4].isdigit():
        raise ValueError(text)
    return Quarter.parse(text)


def download(request, dataset, table, fmt):
    """``/data/<dataset>/<table>.<csv|json|xlsx>``, streamed; ``?quarter=2025-Q3`` for one quarter's rows."""
    dataset = _dataset_or_404(dataset)
    table = dataset.table(table)
    if table is None:
        raise Http404
    try:
        quarter = _period(request)
    except ValueError:
        return download_error(gettext("Give the quarter as 2025-Q3."), "invalid_quarter")
    if quarter is not None and not table.in_release:
        return download_error(gettext("This table is not per quarter: download it without “quarter”."), "invalid_quarter")
    rows = table.rows(quarter)
    name = f"{table.slug}{f'-{quarter}' if quarter else ''}.{fmt}"
    if fmt == "xlsx":
        response = FileResponse(formats.xlsx_file(table, rows, download_about(request)),
                                content_type=formats.CONTENT_TYPES[fmt])
    else:
        writer = formats.csv_chunks if fmt == "csv" else formats.json_chunks
        response = StreamingHttpResponse(formats.encoded(writer(table, rows)), content_type=formats.CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Access-Control-Allow-Origin"] = "*"
    return response


def catalog_jsonld(request):
    """``/data/catalog.jsonld``: the DCAT-AP catalogue (JSON-LD)."""
    body = catalog.catalog(request.build_absolute_uri)
    response = HttpResponse(json.dumps(body, ensure_ascii=False, indent=2), content_type="application/ld+json")
    response["Access-Control-Allow-Origin"] = "*"
    return response


# --- releases -------------------------------------------------------------------------------------


class ReleaseListView(TemplateView):
    """``/data/releases/``: every quarter's releases, newest first."""
    # A public page (smartcity_portal.pagecache): anonymous visitors get it whole from the cache.
    public_page_query = ()

    template_name = "indicators/opendata/release_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        quarters = {}
        for release in DataRelease.objects.order_by("-year", "-quarter", "-number"):
            quarters.setdefault(Quarter(release.year, release.quarter), []).append(release)
        context["quarters"] = list(quarters.items())
        return context


class QuarterReleasesView(TemplateView):
    """``/data/releases/<2025-Q3>/``: a quarter's releases; the latest is the one to use."""
    # A public page (smartcity_portal.pagecache): anonymous visitors get it whole from the cache.
    public_page_query = ()

    template_name = "indicators/opendata/release_quarter.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        quarter = kwargs["period"]
        found = list(DataRelease.objects.filter(year=quarter.year, quarter=quarter.quarter).order_by("-number"))
        if not found:
            raise Http404
        context.update(quarter=quarter, releases=found, latest=found[0])
        return context


class ReleaseDetailView(TemplateView):
    """``/data/releases/<2025-Q3>/<n>/``: one release, its files with their SHA-256, its change log."""
    # A public page (smartcity_portal.pagecache): anonymous visitors get it whole from the cache.
    public_page_query = ()

    template_name = "indicators/opendata/release_detail.html"
    CHANGES_SHOWN = 200

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        quarter = kwargs["period"]
        release = get_object_or_404(DataRelease, year=quarter.year, quarter=quarter.quarter, number=kwargs["number"])
        later = DataRelease.objects.filter(year=release.year, quarter=release.quarter, number__gt=release.number)
        context.update(
            release=release,
            quarter=quarter,
            files=list(release.files.order_by("name")),
            changes=release.change_log[: self.CHANGES_SHOWN],
            changes_total=len(release.change_log),
            latest=later.order_by("-number").first(),
            previous=DataRelease.objects.filter(
                year=release.year, quarter=release.quarter, number=release.number - 1
            ).first(),
            units=release.units,
        )
        return context


def release_file(request, period, number, name):
    """A stored file of a release, byte for byte as it was written (its SHA-256 in ``ETag`` and ``Digest``)."""
    try:
        quarter = Quarter.parse(period)
    except ValueError:
        raise Http404 from None
    item = get_object_or_404(
        DataReleaseFile.objects.select_related("release"),
        release__year=quarter.year, release__quarter=quarter.quarter, release__number=number, name=name,
    )
    try:
        handle = item.file.open("rb")
    except OSError:
        raise Http404 from None
    content_type = item.media_type + ("; charset=utf-8" if item.media_type.startswith("text/") else "")
    attachment = name != releases.DATAPACKAGE
    response = FileResponse(handle, content_type=content_type, as_attachment=attachment, filename=name)
    response["ETag"] = f'"{item.sha256}"'
    response["X-Content-SHA256"] = item.sha256
    response["Access-Control-Allow-Origin"] = "*"
    # Never changes: a release's files are written once.
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    return response
