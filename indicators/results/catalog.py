"""The DCAT-AP catalogue of the open data, as JSON-LD: what CKAN and national data portals harvest.

One ``dcat:Dataset`` per dataset of the registry (``indicators.results.datasets``)
with a ``dcat:Distribution`` per table and format (and its Data Package),
and one per quarter's latest release, whose distributions are its stored
files with their size and SHA-256. Titles and descriptions are given in
Vietnamese and English.
"""
from django.urls import reverse
from django.utils import timezone, translation

from indicators.models import DataRelease
from indicators.results import datasets, formats
from provinces.quarters import Quarter

CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "adms": "http://www.w3.org/ns/adms#",
    "spdx": "http://spdx.org/rdf/terms#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
EU = "http://publications.europa.eu/resource/authority"
FILE_TYPES = {"csv": "CSV", "json": "JSON", "xlsx": "XLSX"}
DATA_PACKAGE_SPEC = "https://specs.frictionlessdata.io/data-package/"
LANGUAGES = ("vi", "en")


def both(text):
    """``text`` (a lazy translation) in Vietnamese and English, as JSON-LD language-tagged values."""
    values = []
    for language in LANGUAGES:
        with translation.override(language):
            values.append({"@value": str(text), "@language": language})
    return values


def _date(value, kind="xsd:date"):
    if value is None:
        return None
    if hasattr(value, "hour"):
        return {"@value": timezone.localtime(value).isoformat(timespec="seconds"), "@type": "xsd:dateTime"}
    return {"@value": value.isoformat(), "@type": kind}


def _distribution(url, page, title, fmt, licence, *, size=None, checksum=None):
    found = {
        "@id": url,
        "@type": "dcat:Distribution",
        "dct:title": title,
        "dcat:accessURL": {"@id": page},
        "dcat:downloadURL": {"@id": url},
        "dcat:mediaType": {"@id": f"http://www.iana.org/assignments/media-types/{formats.MEDIA_TYPES[fmt]}"},
        "dct:format": {"@id": f"{EU}/file-type/{FILE_TYPES[fmt]}"},
        "dct:license": {"@id": licence},
    }
    if size is not None:
        found["dcat:byteSize"] = {"@value": str(size), "@type": "xsd:nonNegativeInteger"}
    if checksum:
        found["spdx:checksum"] = {
            "@type": "spdx:Checksum",
            "spdx:algorithm": {"@id": "http://spdx.org/rdf/terms#checksumAlgorithm_sha256"},
            "spdx:checksumValue": checksum,
        }
    return found


def catalog(absolute):
    """The catalogue as a JSON-able dict; ``absolute(path)`` makes the portal's addresses absolute."""
    licence = datasets.license_info()["path"]
    publisher_id = absolute(reverse("data:catalog")) + "#publisher"
    publisher = {
        "@id": publisher_id, "@type": "foaf:Agent", "foaf:name": both(datasets.publisher()),
        "dct:type": {"@id": "http://purl.org/adms/publishertype/NationalAuthority"},
    }
    contact = {"@type": "vcard:Organization", "vcard:fn": both(datasets.publisher()),
               "vcard:hasURL": {"@id": absolute(reverse("about"))}}
    entries = []
    modified = []
    for dataset in datasets.DATASETS:
        page = absolute(reverse("data:dataset", kwargs={"dataset": dataset.slug}))
        distributions = [
            _distribution(
                absolute(reverse("data:download", kwargs={"dataset": dataset.slug, "table": table.slug, "fmt": fmt})),
                page, both(table.title), fmt, licence,
            )
            for table in dataset.tables for fmt in formats.FORMATS
        ]
        package = absolute(reverse("data:datapackage", kwargs={"dataset": dataset.slug}))
        distributions.append({
            **_distribution(package, page, "datapackage.json", "json", licence),
            "dct:conformsTo": {"@id": DATA_PACKAGE_SPEC},
            "dct:description": both(datasets.PACKAGE_DESCRIPTION),
        })
        entry = {
            "@id": page,
            "@type": "dcat:Dataset",
            "dct:identifier": dataset.slug,
            "dct:title": both(dataset.title),
            "dct:description": both(dataset.description),
            "dct:publisher": {"@id": publisher_id},
            "dcat:contactPoint": contact,
            "dcat:landingPage": {"@id": page},
            "dct:license": {"@id": licence},
            "dct:accessRights": {"@id": f"{EU}/access-right/PUBLIC"},
            "dct:language": [{"@id": f"{EU}/language/VIE"}, {"@id": f"{EU}/language/ENG"}],
            "dct:accrualPeriodicity": {"@id": f"{EU}/frequency/{dataset.frequency}"},
            "dct:spatial": {"@id": f"{EU}/country/VNM"},
            "dcat:keyword": [value for keyword in dataset.keywords for value in both(keyword)],
            "dcat:theme": {"@id": f"{EU}/data-theme/REGI"},
            "dcat:distribution": distributions,
        }
        temporal = dataset.temporal()
        if temporal:
            entry["dct:temporal"] = {"@type": "dct:PeriodOfTime", "dcat:startDate": _date(temporal[0]),
                                     "dcat:endDate": _date(temporal[1])}
        last = dataset.last_modified()
        if last:
            entry["dct:modified"] = _date(last)
            modified.append(last if hasattr(last, "hour") else None)
        entries.append(entry)
    entries += release_entries(absolute, publisher_id, contact, licence)
    found = {
        "@context": CONTEXT,
        "@id": absolute(reverse("data:catalog")),
        "@type": "dcat:Catalog",
        "dct:title": both(datasets.CATALOG_TITLE),
        "dct:description": both(datasets.CATALOG_DESCRIPTION),
        "dct:publisher": publisher,
        "foaf:homepage": {"@id": absolute(reverse("data:index"))},
        "dct:license": {"@id": licence},
        "dct:language": [{"@id": f"{EU}/language/VIE"}, {"@id": f"{EU}/language/ENG"}],
        "dcat:dataset": entries,
    }
    stamps = [m for m in modified if m is not None]
    if stamps:
        found["dct:modified"] = _date(max(stamps))
    return found


def release_entries(absolute, publisher_id, contact, licence):
    """One dataset per quarter: its latest release, with links to the earlier ones."""
    entries = []
    latest = {}
    for release in DataRelease.objects.prefetch_related("files").order_by("year", "quarter", "number"):
        latest.setdefault((release.year, release.quarter), []).append(release)
    for (_year, _quarter), found in sorted(latest.items(), reverse=True):
        release = found[-1]
        page = absolute(release.get_absolute_url())
        period = release.period
        distributions = [
            _distribution(absolute(item.get_absolute_url()), page, item.name, item.name.rsplit(".", 1)[-1], licence,
                          size=item.size, checksum=item.sha256)
            for item in release.files.all() if item.name.rsplit(".", 1)[-1] in FILE_TYPES
        ]
        entries.append({
            "@id": page,
            "@type": "dcat:Dataset",
            "dct:identifier": f"release-{period}",
            "dct:title": both(datasets.release_title(period)),
            "dct:description": both(datasets.RELEASE_DESCRIPTION),
            "dct:publisher": {"@id": publisher_id},
            "dcat:contactPoint": contact,
            "dcat:landingPage": {"@id": page},
            "dct:license": {"@id": licence},
            "dct:issued": _date(found[0].created_at),
            "dct:modified": _date(release.created_at),
            "dcat:version": str(release.number),
            "dct:hasVersion": [{"@id": absolute(r.get_absolute_url())} for r in found[:-1]],
            "dct:accrualPeriodicity": {"@id": f"{EU}/frequency/IRREG"},
            "dcat:theme": {"@id": f"{EU}/data-theme/REGI"},
            "dct:spatial": {"@id": f"{EU}/country/VNM"},
            "dct:temporal": {"@type": "dct:PeriodOfTime", "dcat:startDate": _date(_quarter_start(release)),
                             "dcat:endDate": _date(_quarter_end(release))},
            "dcat:distribution": distributions,
        })
    return entries


def _quarter_start(release):
    return Quarter(release.year, release.quarter).start


def _quarter_end(release):
    return Quarter(release.year, release.quarter).end
