"""The one mapping between the services' field keys and the API's field paths."""
import pytest

from programmes.api import keys


@pytest.mark.parametrize(
    "key, path",
    [
        ("tg-3-percent_complete", "task_groups.3.percent_complete"),
        ("tg-3", "task_groups.3"),
        ("indicator-TG5-01-value", "indicator_values.TG5-01.value"),
        ("indicator-TG5-01-note", "indicator_values.TG5-01.note"),
        ("indicator-TG5-01", "indicator_values.TG5-01"),
        ("indicators", "indicator_values"),
        ("comment", "comment"),
    ],
)
def test_keys_and_paths_correspond_both_ways(key, path):
    assert keys.to_dotted(key) == path
    if key != "indicators":
        assert keys.from_dotted(path) == key


def test_errors_nest_by_path_and_whole_list_messages_go_to_non_field_errors():
    assert keys.nest_errors({
        "tg-3-status": ["a"], "tg-3-narrative": ["b"], "indicator-TG5-01-value": ["c"],
        "indicators": ["d"], "task_groups": ["e"], "version": ["f"],
    }) == {
        "task_groups": {"3": {"status": ["a"], "narrative": ["b"]}, "non_field_errors": ["e"]},
        "indicator_values": {"TG5-01": {"value": ["c"]}, "non_field_errors": ["d"]},
        "version": ["f"],
    }


def test_form_keys_given_as_comments_are_kept():
    assert keys.comments_from_api({"tg-2-narrative": "x", "task_groups.4": "y"}) == {
        "tg-2-narrative": "x", "tg-4": "y"
    }
