"""Fifty clients saving and submitting the same report at the same moment.

Runs against the private stack's gunicorn (4 processes × 13 threads, so that
all fifty requests are inside Django and competing for the report's row lock
together), through the REST API with personal tokens, as integrators'
programs would. Optimistic locking must let exactly one write per version win;
every other client gets 409 with the version it should reread; nothing answers
5xx; and the report's history holds one revision per successful write.
"""
import threading
from collections import Counter

import pytest
import requests

pytestmark = [pytest.mark.slow]

CLIENTS = 50
SAVE_ROUNDS = 3


def _contents(version, marker):
    return {
        "version": version,
        "task_groups": [
            {"number": n, "status": "in-progress", "percent_complete": "40", "narrative": f"{marker} tg{n}"}
            for n in range(1, 10)
        ],
        "indicator_values": [{"code": "TG5-01", "value": "12", "note": marker}],
    }


def _all_at_once(stack, requests_to_send):
    """Send every ``(token, method, path, body)`` from its own thread, released together."""
    barrier = threading.Barrier(len(requests_to_send))
    answers = [None] * len(requests_to_send)

    def send(index, token, method, path, body):
        session = requests.Session()
        session.headers.update({"Authorization": f"Token {token}", "Accept-Language": "en"})
        # Open the connection first, so that the barrier releases requests, not TCP handshakes.
        session.get(stack.base_url + "/api/v1/", timeout=30)
        barrier.wait(timeout=60)
        try:
            response = session.request(method, stack.base_url + path, json=body, timeout=60)
            answers[index] = (response.status_code, response.json())
        except requests.RequestException as error:
            answers[index] = (type(error).__name__, None)

    threads = [
        threading.Thread(target=send, args=(i, *request)) for i, request in enumerate(requests_to_send)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return answers


def _one_winner(answers, round_name):
    statuses = Counter(status for status, _ in answers)
    print(f"{round_name}: {dict(statuses)}")
    assert set(statuses) <= {200, 409}, f"{round_name}: {statuses} {answers}"
    assert statuses[200] == 1, f"{round_name}: exactly one write wins, got {statuses}"
    [winner] = [body for status, body in answers if status == 200]
    for status, body in answers:
        if status == 409:
            assert body["code"] in {"conflict", "invalid_state"}, body
            if body["code"] == "conflict":
                assert body["current_version"] == winner["version"], body
    return winner


def test_fifty_clients_writing_one_report_at_once(stack):
    report_id = stack.objects["reports"]["race"]
    path = f"/api/v1/reports/{report_id}/"
    tokens = [stack.objects["tokens"]["reporter"], stack.objects["tokens"]["integrator"]]
    version, winners = 1, []

    for round_number in range(SAVE_ROUNDS):
        answers = _all_at_once(stack, [
            (tokens[i % 2], "PATCH", path, _contents(version, f"round{round_number}-client{i}"))
            for i in range(CLIENTS)
        ])
        winner = _one_winner(answers, f"save round {round_number}")
        assert winner["version"] == version + 1
        version = winner["version"]
        winners.append(winner["indicator_values"][0]["note"])

    # Half save, half submit, all naming the same version: still one winner.
    answers = _all_at_once(stack, [
        (tokens[i % 2], "PATCH", path, _contents(version, f"mixed-client{i}")) if i % 2 == 0
        else (tokens[i % 2], "POST", path + "submit/", {"version": version, "confirm_warnings": True})
        for i in range(CLIENTS)
    ])
    winner = _one_winner(answers, "mixed round")
    assert winner["version"] == version + 1
    final_status = winner["status"]

    # The history: the creation plus one revision per successful write, numbered without gaps.
    revisions = stack.postgres.query(
        "SELECT number, version, action, snapshot->'indicators'->'TG5-01'->>'note' "
        "FROM programmes_reportrevision WHERE report_id = %s ORDER BY number",
        [report_id],
    )
    assert [(number, version) for number, version, *_ in revisions] == [(n, n) for n in range(1, SAVE_ROUNDS + 3)]
    actions = [action for _, _, action, _ in revisions]
    assert actions[0] == "created" and actions[1:SAVE_ROUNDS + 1] == ["saved"] * SAVE_ROUNDS
    assert actions[-1] == ("submitted" if final_status == "submitted" else "saved")
    assert [note for *_, note in revisions[1:SAVE_ROUNDS + 1]] == winners

    [(stored_version, stored_status)] = stack.postgres.query(
        "SELECT version, status FROM programmes_report WHERE id = %s", [report_id]
    )
    assert (stored_version, stored_status) == (SAVE_ROUNDS + 2, final_status)
    # Each write is whole: the stored narratives all belong to the same (last winning) save.
    [(note,)] = stack.postgres.query(
        "SELECT note FROM indicators_indicatorvalue WHERE report_id = %s", [report_id]
    )
    narratives = stack.postgres.query(
        "SELECT narrative FROM programmes_nodeanswer WHERE report_id = %s ORDER BY narrative", [report_id]
    )
    assert [n for (n,) in narratives] == sorted(f"{note} tg{n}" for n in range(1, 10))
    submitted_events = stack.postgres.query(
        "SELECT count(*) FROM programmes_outboxmessage WHERE topic = 'report.submitted' "
        "AND (payload->>'report_id')::int = %s",
        [report_id],
    )[0][0]
    assert submitted_events == (1 if final_status == "submitted" else 0)
