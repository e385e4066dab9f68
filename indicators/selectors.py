"""Reads of the reference data units report against: frameworks, their items, indicators, mappings.

The bottom layer of the domain with ``provinces.selectors``: reports, results
and pages read frameworks through these functions, never by their own
queries, so that "which items does a quarter's report answer" and "which
nodes does an indicator count toward" have one answer each.
"""
from collections import defaultdict

from django.db.models import Prefetch, Q

from indicators.models import (
    Cycle,
    Framework,
    FrameworkNode,
    FrameworkStatus,
    FrameworkVersion,
    Indicator,
    IndicatorMapping,
    NodeKind,
)

# The framework of API v1's task groups and of every page that names none.
DEFAULT_FRAMEWORK = "decision-950"
# The framework whose groups are API v1's pillars.
PILLARS_FRAMEWORK = "digital-transformation-2020"


def in_force_on(day):
    """Active versions in force on ``day``."""
    return Q(status=FrameworkStatus.ACTIVE, valid_from__lte=day) & (
        Q(valid_until__isnull=True) | Q(valid_until__gte=day)
    )


def versions_in_force(day, *, cycle=None):
    """Active versions in force on ``day``, one per framework at most (``indicators.frameworks.check_no_overlap``)."""
    versions = FrameworkVersion.objects.filter(in_force_on(day)).select_related("framework")
    if cycle is not None:
        versions = versions.filter(cycle=cycle)
    return list(versions.order_by("framework__code"))


def version_in_force(framework_code, day):
    """The active version of the framework ``framework_code`` in force on ``day``, or ``None``."""
    return (
        FrameworkVersion.objects.filter(in_force_on(day), framework__code=framework_code)
        .select_related("framework")
        .first()
    )


def current_version(framework_code, day=None):
    """The version a page shows for ``framework_code``: in force on ``day`` (today), else the latest active one."""
    from django.utils import timezone

    version = version_in_force(framework_code, day or timezone.localdate())
    if version is None:
        version = (
            FrameworkVersion.objects.filter(framework__code=framework_code, status=FrameworkStatus.ACTIVE)
            .select_related("framework")
            .order_by("-valid_from")
            .first()
        )
    return version


def version_by_codes(framework_code, version_code):
    return (
        FrameworkVersion.objects.filter(framework__code=framework_code, code=version_code)
        .select_related("framework")
        .first()
    )


def report_items(quarter):
    """The items a report on ``quarter`` answers, in display order.

    Every progress or criterion node of the active quarterly versions in force
    on the quarter's last day.
    """
    versions = versions_in_force(quarter.end, cycle=Cycle.QUARTERLY)
    return list(
        FrameworkNode.objects.filter(version__in=versions)
        .exclude(kind=NodeKind.GROUP)
        .select_related("version__framework", "parent")
        .order_by("version__framework__code", "order")
    )


def nodes_by_key(nodes):
    """``{node key: node}`` (``decision-950:3``) of ``nodes`` fetched with their framework."""
    return {f"{node.version.framework.code}:{node.code}": node for node in nodes}


def version_nodes(version):
    """Every node of ``version`` in tree order, with its mappings and their indicators."""
    return list(
        version.nodes.select_related("parent", "version__framework").prefetch_related(
            Prefetch("mappings", queryset=IndicatorMapping.objects.select_related("indicator").order_by("indicator__code"))
        ).order_by("order")
    )


def items_of(version):
    """The nodes of ``version`` that reports answer (not groups), in tree order."""
    return list(
        version.nodes.exclude(kind=NodeKind.GROUP).select_related("version__framework", "parent").order_by("order")
    )


def frameworks():
    """Every framework with its versions (newest first) and each version's number of nodes."""
    versions = FrameworkVersion.objects.annotate_node_count().order_by("-valid_from")
    return list(Framework.objects.prefetch_related(Prefetch("versions", queryset=versions)).order_by("code"))


def active_frameworks(day=None):
    """``[(framework, version)]`` of the frameworks a version of which is active (in force on ``day`` if any)."""
    from django.utils import timezone

    day = day or timezone.localdate()
    found = []
    for framework in frameworks():
        active = [v for v in framework.versions.all() if v.status == FrameworkStatus.ACTIVE]
        if not active:
            continue
        in_force = [v for v in active if v.valid_from <= day and (v.valid_until is None or v.valid_until >= day)]
        found.append((framework, (in_force or active)[0]))
    return found


def active_indicators():
    return list(Indicator.objects.filter(is_active=True).order_by("code"))


def indicators_of(version, *, active_only=True):
    """The indicators mapped to a node of ``version``."""
    found = Indicator.objects.filter(mappings__node__version=version).distinct()
    if active_only:
        found = found.filter(is_active=True)
    return list(found.order_by("code"))


def mappings_of_indicators(indicator_ids=None):
    """``{indicator_id: [IndicatorMapping]}`` with each mapping's node, version and framework."""
    mappings = IndicatorMapping.objects.select_related("node__version__framework", "node__parent").order_by(
        "node__version__framework__code", "-node__version__valid_from", "node__order"
    )
    if indicator_ids is not None:
        mappings = mappings.filter(indicator_id__in=list(indicator_ids))
    found = defaultdict(list)
    for mapping in mappings:
        found[mapping.indicator_id].append(mapping)
    return found


def home_node(mappings, framework_code):
    """The node of ``framework_code`` an indicator counts toward most directly (exact first), or ``None``.

    API v1 names an indicator's task group and pillar this way.
    """
    candidates = [m for m in mappings if m.node.version.framework.code == framework_code]
    if not candidates:
        return None
    candidates.sort(key=lambda m: (m.node.version.status != FrameworkStatus.ACTIVE, m.relation != "exact"))
    return candidates[0].node
