"""Narratives keep a small safe subset of formatting and lose everything else."""
import pytest

from smartcity_portal.markup import render_narrative


@pytest.mark.parametrize(
    "text, kept, removed",
    [
        ("<b>Hoàn thành</b> giai đoạn 1", "<b>Hoàn thành</b>", None),
        ("a <script>alert(1)</script> b", "a", "<script"),
        ('<a href="javascript:alert(1)">x</a>', "<a", "javascript:"),
        ('<img src=x onerror="alert(1)">', "", "onerror"),
        ('<p style="color:red">đỏ</p>', "đỏ", "style="),
        ("x < y & z", "x &lt; y &amp; z", None),
        ("dòng 1\ndòng 2", "dòng 1<br>dòng 2", None),
        ("'; DROP TABLE programmes_report; --", "DROP TABLE", None),
    ],
)
def test_render_narrative_sanitises(text, kept, removed):
    html = render_narrative(text)
    assert kept in html
    if removed:
        assert removed not in html


def test_links_open_safely():
    html = render_narrative('<a href="https://hanoi.gov.vn">Cổng</a>')
    assert 'href="https://hanoi.gov.vn"' in html
    assert 'rel="noopener noreferrer nofollow"' in html
