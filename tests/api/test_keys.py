"""The one mapping between the domain's field paths and the API's paths."""
import pytest

from programmes.api import keys


@pytest.mark.parametrize(
    "key, path",
    [
        ("nodes.decision-950:3.percent_complete", "task_groups.3.percent_complete"),
        ("nodes.decision-950:3", "task_groups.3"),
        ("indicators.TG5-01.value", "indicator_values.TG5-01.value"),
        ("indicators.TG5-01.note", "indicator_values.TG5-01.note"),
        ("indicators.TG5-01", "indicator_values.TG5-01"),
        ("indicators", "indicator_values"),
        ("nodes.example-criteria:A1.met", "nodes.example-criteria:A1.met"),
        ("nodes.example-criteria:A1", "nodes.example-criteria:A1"),
        ("comment", "comment"),
    ],
)
def test_keys_and_paths_correspond_both_ways(key, path):
    assert keys.to_dotted(key) == path
    if key != "indicators":
        assert keys.from_dotted(path) == key


def test_errors_nest_by_path_and_whole_list_messages_go_to_non_field_errors():
    assert keys.nest_errors({
        "nodes.decision-950:3.status": ["a"], "nodes.decision-950:3.narrative": ["b"], "indicators.TG5-01.value": ["c"],
        "indicators": ["d"], "nodes": ["e"], "version": ["f"],
    }) == {
        "task_groups": {"3": {"status": ["a"], "narrative": ["b"]}, "non_field_errors": ["e"]},
        "indicator_values": {"TG5-01": {"value": ["c"]}, "non_field_errors": ["d"]},
        "version": ["f"],
    }


def test_comments_given_by_domain_path_are_kept():
    assert keys.comments_from_api({"nodes.decision-950:2.narrative": "x", "task_groups.4": "y"}) == {
        "nodes.decision-950:2.narrative": "x", "nodes.decision-950:4": "y"
    }
