"""Malformed `POST /_dash-update-component` payloads get a handled answer (400 JSON or a no-op), never a 500.

Every server-side callback of every page is exercised with its real payload (values from the rendered pages),
then with that payload damaged: wrong types, huge or nested values, nulls, unknown ids and properties,
missing fields. The last line of defence (Dash's `on_error`, which logs) must never be what handled them.
"""

from __future__ import annotations

import json
import logging

import pytest
from callback_payloads import CALLBACK_PATH, GARBAGE, layout_values, mutations, server_callbacks, valid_payload
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboard import ids
from dashboard.callback_inputs import (
    CallbackRequestError,
    Declared,
    Kind,
    as_number,
    as_texts,
    check_callback_request,
    kind_of,
    value_problem,
)

HANDLED = {200, 204, 400}


@pytest.fixture(scope="module")
def real_payloads(app, service) -> list[tuple[str, dict]]:
    values = layout_values(app, service)
    return [(key, valid_payload(key, entry, values)) for key, entry in server_callbacks(app)]


class _SafetyNet(logging.Handler):
    """The callbacks' last line of defence logs at ERROR on dashboard.limits: what it caught, per example."""

    def __init__(self):
        super().__init__(logging.ERROR)
        self.caught: list[logging.LogRecord] = []

    def emit(self, record):
        self.caught.append(record)

    def __call__(self) -> list[logging.LogRecord]:
        caught, self.caught = self.caught, []
        return caught


@pytest.fixture()
def safety_net():
    handler = _SafetyNet()
    logger = logging.getLogger("dashboard.limits")
    logger.addHandler(handler)
    yield handler
    logger.removeHandler(handler)


def _assert_handled(response, label: str) -> None:
    assert response.status_code in HANDLED, (label, response.status_code, response.get_data()[:300])
    body = response.get_data(as_text=True)
    assert "Traceback" not in body and "File \"" not in body, label
    if response.status_code == 400:
        error = json.loads(body)["error"]
        assert error["code"] in {"bad_callback_input", "bad_callback", "callback_input_too_large"}
        assert error["message"].startswith("Mise à jour refusée") or "illisible" in error["message"]


def test_every_page_has_server_callbacks_in_the_table(real_payloads):
    outputs = " ".join(key for key, _ in real_payloads)
    for component in (ids.PAGE, ids.TABLE_BODY, ids.PARTNER_LIST, ids.COVERAGE_KPIS, ids.IND_KPIS, ids.SKILLS_KPIS,
                      ids.EVENT_ADMIN_MESSAGE, ids.KIOSK_COUNTER, ids.FICHE_TERRITORY):
        assert component in outputs
    assert len(real_payloads) >= 20


def test_every_callback_answers_its_real_payload(client, real_payloads, safety_net):
    for key, payload in real_payloads:
        response = client.post(CALLBACK_PATH, json=payload)
        assert response.status_code in (200, 204), (key, response.status_code, response.get_data()[:300])
    assert safety_net() == []


def _json_values():
    scalars = (st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
               | st.text(max_size=30) | st.sampled_from(["57", "54", "oui", "famille:usinage", "x" * 9000]))
    return st.recursive(scalars, lambda inner: st.lists(inner, max_size=6)
                        | st.dictionaries(st.text(max_size=12), inner, max_size=6), max_leaves=25)


@settings(max_examples=400, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_values_of_the_wrong_type_size_or_shape_are_handled(client, real_payloads, safety_net, data):
    key, payload = data.draw(st.sampled_from([p for p in real_payloads if any(
        isinstance(i, dict) for part in ("inputs", "state") for i in p[1][part])]), label="callback")
    slots = [(part, i) for part in ("inputs", "state") for i, item in enumerate(payload[part])
             if isinstance(item, dict)]
    part, index = data.draw(st.sampled_from(slots), label="slot")
    value = data.draw(st.sampled_from(GARBAGE) | _json_values(), label="value")
    body = json.loads(json.dumps(payload))
    body[part][index]["value"] = value
    response = client.post(CALLBACK_PATH, json=body)
    _assert_handled(response, f"{key} {part}[{index}]")
    assert safety_net() == [], f"{key} {part}[{index}] = {str(value)[:80]} reached the safety net"


@settings(max_examples=400, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_the_mutation_table_is_handled(client, real_payloads, safety_net, data):
    """The table of `callback_payloads.mutations`: every garbage value, unknown ids and properties, fields
    missing or of the wrong type, inputs missing or extra, an unknown output."""
    key, payload = data.draw(st.sampled_from(real_payloads), label="callback")
    label, body = data.draw(st.sampled_from(list(mutations(payload))), label="mutation")
    _assert_handled(client.post(CALLBACK_PATH, json=body), f"{key}: {label}")
    assert safety_net() == [], f"{key}: {label} reached the safety net"


def test_structural_damage_is_a_400_naming_the_problem(client, real_payloads):
    key, payload = next((k, p) for k, p in real_payloads if ids.TABLE_BODY in k)
    cases = {"unknown output": {**payload, "output": "nope.children"},
             "unknown id": {**payload, "inputs": [{**payload["inputs"][0], "id": "nope"}]},
             "inputs not a list": {**payload, "inputs": "x"},
             "an input too many": {**payload, "inputs": [*payload["inputs"], payload["inputs"][0]]},
             "outputs missing": {k: v for k, v in payload.items() if k != "outputs"}}
    for label, body in cases.items():
        response = client.post(CALLBACK_PATH, json=body)
        assert response.status_code == 400, label
        assert response.get_json()["error"]["code"] == "bad_callback_input", label


def test_a_callback_that_raises_changes_nothing_and_logs(client, real_payloads, safety_net, monkeypatch):
    from dashboard.services import event as event_service

    def broken(_service):
        raise RuntimeError("simulated failure")

    monkeypatch.setattr(event_service, "meeting_counter", broken)
    key, payload = next((k, p) for k, p in real_payloads if k == ids.KIOSK_COUNTER + ".children")
    response = client.post(CALLBACK_PATH, json=payload)
    assert response.status_code in (200, 204)
    assert "simulated failure" not in response.get_data(as_text=True)
    assert [r.exc_info[1].args for r in safety_net() if r.exc_info] == [("simulated failure",)]


def test_kinds_follow_the_component_and_its_rendered_value():
    assert kind_of("Button", "n_clicks", 0) is Kind.COUNT
    assert kind_of("Dropdown", "value", None, multi=True) is Kind.CHOICES
    assert kind_of("Dropdown", "value", "57") is Kind.CHOICE
    assert kind_of("Store", "data", None) is Kind.PARAMS
    assert kind_of("Store", "data", {"departement": ["57"], "q": "x"}) is Kind.PARAMS
    assert kind_of("Store", "data", {"a": {"nested": 1}}) is Kind.MAPPING
    assert kind_of("RangeSlider", "value", [2015, 2025]) is Kind.NUMBERS
    assert kind_of("Location", "pathname", "/") is Kind.TEXT
    assert kind_of("Input", "value", 3, input_type="number") is Kind.NUMBER


@pytest.mark.parametrize(("kind", "good", "bad"), [
    (Kind.COUNT, [0, 3], [-1, 1.5, True, "1", []]),
    (Kind.CHOICES, [["57", 54], "57"], [[["57"]], [{}], {"a": 1}, ["x" * 9000]]),
    (Kind.NUMBER, [0, -3.5, 2025], ["3", 1e300, True, [1]]),
    (Kind.PARAMS, [{"a": ["1", 2], "b": "x"}], [{"a": [[1]]}, {"a": {"b": 1}}, [1], "x"]),
    (Kind.TEXT, ["/partenaires"], [1, ["/"], "x" * 9000]),
    (Kind.MAPPING, [{"latlng": {}}], [[1], "x", 3]),
])
def test_value_problems(kind, good, bad):
    assert [value_problem(kind, v) for v in [None, *good]] == [None] * (len(good) + 1)
    assert all(value_problem(kind, v) for v in bad)


def test_requests_must_match_what_the_callback_declares():
    declared = {"out.children": Declared(inputs=(("a", "value"),), state=(("b", "data"),))}
    kinds = {("a", "value"): Kind.CHOICE, ("b", "data"): Kind.PARAMS}
    good = {"output": "out.children", "outputs": {"id": "out", "property": "children"},
            "inputs": [{"id": "a", "property": "value", "value": "57"}],
            "state": [{"id": "b", "property": "data"}], "changedPropIds": ["a.value"]}
    check_callback_request(good, declared, kinds)
    for bad in ({**good, "state": []}, {**good, "inputs": [{"id": "a", "property": "options", "value": 1}]},
                {**good, "inputs": [{"id": "a", "property": "value", "value": {"x": 1}}]},
                {**good, "changedPropIds": "a.value"}, {**good, "outputs": [good["outputs"]]}, [good]):
        with pytest.raises(CallbackRequestError):
            check_callback_request(bad, declared, kinds)


def test_value_helpers_coerce_what_a_hand_made_request_sends():
    assert as_texts(None) == [] and as_texts("57") == ["57"] and as_texts([57, None, "54"]) == ["57", "54"]
    assert as_number("12.5") == 12.5 and as_number("x") is None and as_number([1]) is None
    assert as_number(float("inf")) is None and as_number(10**30) is None


def test_pattern_matching_inputs_are_lists_of_matching_components():
    from dashboard.callback_inputs import declared_callbacks

    declared = declared_callbacks({"out.children": {"callback": None, "state": [],
                                                    "inputs": [{"id": '{"token":["ALL"],"type":"revoke"}',
                                                                "property": "n_clicks"}]}})
    body = {"output": "out.children", "outputs": {"id": "out", "property": "children"},
            "inputs": [[{"id": {"type": "revoke", "token": 3}, "property": "n_clicks", "value": 1}]]}
    check_callback_request(body, declared, {})
    check_callback_request({**body, "inputs": [[]]}, declared, {})  # no token listed
    for bad in ([{"id": {"type": "other", "token": 3}, "property": "n_clicks", "value": 1}],
                [{"id": {"type": "revoke", "token": 3}, "property": "n_clicks", "value": "x"}],
                {"id": '{"token":["ALL"],"type":"revoke"}', "property": "n_clicks", "value": 0}):
        with pytest.raises(CallbackRequestError):
            check_callback_request({**body, "inputs": [bad]}, declared, {})
