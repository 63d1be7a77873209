"""comments:analyze answers Perspective API's clients, Coral Talk's first, the way Perspective did."""

from __future__ import annotations

import pytest
from service_helpers import ANTISEMITIC, API_KEY, CLEAN, perspective_body

from moderation.service.attributes import attribute_score, supported_attributes
from moderation.service.perspective import sentence_spans, utf16_offsets

ANALYZE = "/v1alpha1/comments:analyze"


def analyze(client, body, key=API_KEY, **kwargs):
    params = {"key": key} if key is not None else {}
    return client.post(ANALYZE, params=params, json=body, **kwargs)


def assert_google_error(response, code: int, status: str, words: str) -> None:
    assert response.status_code == code
    error = response.json()["error"]
    assert error["code"] == code
    assert error["status"] == status
    assert words.lower() in error["message"].lower()


def test_coral_talk_exchange_scores_toxicity(client):
    # Exactly what Coral's perspective client posts, read back exactly as Coral reads it.
    toxic = analyze(client, perspective_body(ANTISEMITIC)).json()
    clean = analyze(client, perspective_body(CLEAN)).json()
    toxic_value = toxic["attributeScores"]["TOXICITY"]["summaryScore"]["value"]
    clean_value = clean["attributeScores"]["TOXICITY"]["summaryScore"]["value"]
    assert toxic_value > 0.8 > 0.2 > clean_value
    assert toxic["attributeScores"]["TOXICITY"]["summaryScore"]["type"] == "PROBABILITY"
    assert toxic["languages"] == ["en"]


def test_a_model_without_a_toxicity_label_answers_toxicity_with_its_highest_label(
    three_client, three_label_moderator
):
    body = perspective_body(ANTISEMITIC, attributes=("TOXICITY", "IDENTITY_ATTACK", "ANTISEMITISM"))
    scores = analyze(three_client, body).json()["attributeScores"]
    expected = three_label_moderator.score(ANTISEMITIC, reasons=0)
    toxicity = max(s.probability for s in expected.labels.values())
    assert scores["TOXICITY"]["summaryScore"]["value"] == pytest.approx(toxicity)
    identity = max(expected["hateful"].probability, expected["antisemitic"].probability)
    assert scores["IDENTITY_ATTACK"]["summaryScore"]["value"] == pytest.approx(identity)


def test_unsupported_attributes_are_dropped_when_the_request_says_so(three_client):
    body = perspective_body(
        CLEAN, attributes=("TOXICITY", "INSULT", "FLIRTATION"), dropUnsupportedAttributes=True
    )
    assert set(analyze(three_client, body).json()["attributeScores"]) == {"TOXICITY"}


def test_client_token_is_echoed(client):
    body = perspective_body(CLEAN, clientToken="comment:42")
    assert analyze(client, body).json()["clientToken"] == "comment:42"


def test_language_defaults_and_regional_codes_are_accepted(client):
    body = perspective_body(CLEAN)
    del body["languages"]
    assert analyze(client, body).json()["languages"] == ["en"]
    assert analyze(client, perspective_body(CLEAN, languages=["en-US"])).json()["languages"] == ["en"]
    assert analyze(client, perspective_body(CLEAN)).json()["detectedLanguages"] == ["en"]


def test_span_annotations_score_each_sentence(client):
    text = f"{CLEAN} {ANTISEMITIC}"
    response = analyze(client, perspective_body(text, spanAnnotations=True)).json()
    spans = response["attributeScores"]["TOXICITY"]["spanScores"]
    assert [text[s["begin"] : s["end"]] for s in spans] == [CLEAN, ANTISEMITIC]
    assert spans[0]["score"]["value"] < 0.5 < spans[1]["score"]["value"]


def test_span_offsets_count_utf16_code_units_as_javascript_does(client):
    text = "😀😀 Hello there. You idiot."
    response = analyze(client, perspective_body(text, spanAnnotations=True)).json()
    spans = [(s["begin"], s["end"]) for s in response["attributeScores"]["TOXICITY"]["spanScores"]]
    assert spans == [(0, 17), (18, 28)]  # each emoji is two UTF-16 units
    units = text.encode("utf-16-le")
    assert units[18 * 2 : 28 * 2].decode("utf-16-le") == "You idiot."


def test_utf16_offsets_leave_text_without_astral_characters_alone():
    assert utf16_offsets("abc", [0, 3]) == [0, 3]
    assert utf16_offsets("a😀b", [0, 1, 2, 3]) == [0, 1, 3, 4]


@pytest.mark.parametrize("text_type", ["TEXT_TYPE_UNSPECIFIED", "PLAIN_TEXT"])
def test_plain_text_types_are_scored_as_given(client, text_type):
    body = perspective_body(ANTISEMITIC, spanAnnotations=True)
    body["comment"]["type"] = text_type
    assert analyze(client, body).status_code == 200


def test_html_comments_are_scored_as_a_reader_sees_them(client, moderator):
    body = perspective_body(f"<p>{ANTISEMITIC}</p><script>x</script>")
    body["comment"]["type"] = "HTML"
    value = analyze(client, body).json()["attributeScores"]["TOXICITY"]["summaryScore"]["value"]
    labels = supported_attributes(moderator.labels)["TOXICITY"]
    expected = attribute_score(moderator.score(ANTISEMITIC, reasons=0), labels)
    assert value == pytest.approx(expected, abs=1e-6)


def test_an_unknown_comment_type_is_refused(client):
    body = perspective_body(CLEAN)
    body["comment"]["type"] = "MARKDOWN"
    assert_google_error(analyze(client, body), 400, "INVALID_ARGUMENT", "comment.type")


@pytest.mark.parametrize("score_type", ["SCORE_TYPE_UNSPECIFIED", "PROBABILITY"])
def test_probability_score_types_are_accepted(client, score_type):
    body = perspective_body(CLEAN)
    body["requestedAttributes"]["TOXICITY"] = {"scoreType": score_type}
    assert analyze(client, body).status_code == 200


def test_other_score_types_are_refused(client):
    body = perspective_body(CLEAN)
    body["requestedAttributes"]["TOXICITY"] = {"scoreType": "STD_DEV_SCORE"}
    assert_google_error(analyze(client, body), 400, "INVALID_ARGUMENT", "scoreType")


def test_score_threshold_leaves_out_low_scores(client):
    body = perspective_body(CLEAN)
    body["requestedAttributes"]["TOXICITY"] = {"scoreThreshold": 0.9}
    assert analyze(client, body).json()["attributeScores"] == {}


@pytest.mark.parametrize("attribute", ["SEVERE_TOXICITY", "PROFANITY", "THREAT", "INSULT"])
def test_attributes_the_model_cannot_answer_are_refused(three_client, attribute):
    response = analyze(three_client, perspective_body(CLEAN, attributes=("TOXICITY", attribute)))
    assert_google_error(response, 400, "INVALID_ARGUMENT", f"{attribute} is not supported")


def test_unknown_attribute_is_refused(client):
    response = analyze(client, perspective_body(CLEAN, attributes=("FLIRTATION",)))
    assert_google_error(response, 400, "INVALID_ARGUMENT", "unknown attribute: FLIRTATION")


def test_unsupported_language_is_refused_with_perspectives_error_details(client):
    response = analyze(client, perspective_body(CLEAN, languages=["fr"]))
    assert_google_error(response, 400, "INVALID_ARGUMENT", "does not support request languages: fr")
    (detail,) = response.json()["error"]["details"]
    assert detail["errorType"] == "LANGUAGE_NOT_SUPPORTED_BY_ATTRIBUTE"
    assert detail["languageNotSupportedByAttributeError"] == {
        "detectedLanguages": [],
        "requestedLanguages": ["fr"],
        "attribute": "TOXICITY",
    }
    assert 'moderate_language_outcomes_total{outcome="refused"} 1.0' in client.get("/metrics").text


def test_unsupported_language_with_drop_unsupported_answers_no_scores(client):
    body = perspective_body(CLEAN, languages=["de"], dropUnsupportedAttributes=True)
    answer = analyze(client, body).json()
    assert answer["attributeScores"] == {} and answer["languages"] == ["de"]


def test_score_as_english_policy_scores_and_says_so(moderator):
    from fastapi.testclient import TestClient

    from moderation.service import ServiceSettings, create_app

    app = create_app(moderator, ServiceSettings(language_policy="score-as-english"))
    with TestClient(app) as english:
        answer = english.post(ANALYZE, json=perspective_body(ANTISEMITIC, languages=["es"])).json()
        metrics = english.get("/metrics").text
    assert answer["languages"] == ["es"] and answer["detectedLanguages"] == ["en"]
    assert answer["attributeScores"]["TOXICITY"]["summaryScore"]["value"] > 0.5
    assert 'moderate_language_outcomes_total{outcome="scored-as-english"} 1.0' in metrics


@pytest.mark.parametrize("text", ["", "   \n "])
def test_empty_comment_is_refused(client, text):
    assert_google_error(analyze(client, perspective_body(text)), 400, "INVALID_ARGUMENT", "non-empty")


def test_comment_over_20_kb_is_refused(client):
    text = "word " * 4200  # 21,000 bytes, under the 64 KB body cap
    assert_google_error(analyze(client, perspective_body(text)), 400, "INVALID_ARGUMENT", "too long")


def test_no_requested_attributes_is_refused(client):
    body = perspective_body(CLEAN, attributes=())
    assert_google_error(analyze(client, body), 400, "INVALID_ARGUMENT", "at least one attribute")


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"comment": {"text": 42}, "requestedAttributes": {"TOXICITY": {}}}, "comment.text"),
        ({"comment": "hello", "requestedAttributes": {"TOXICITY": {}}}, "comment"),
        ({"comment": {"text": "hi"}, "requestedAttributes": ["TOXICITY"]}, "requestedAttributes"),
        ({"requestedAttributes": {"TOXICITY": {}}}, "comment: field required"),
        (
            {"comment": {"text": "hi"}, "requestedAttributes": {"TOXICITY": {}}, "doNotStore": "yes"},
            "doNotStore",
        ),
        ([1, 2, 3], "expected a JSON object"),
    ],
)
def test_wrong_types_are_refused_with_where_and_what(client, body, words):
    assert_google_error(analyze(client, body), 400, "INVALID_ARGUMENT", words)


def test_malformed_json_is_refused(client):
    response = client.post(ANALYZE, params={"key": API_KEY}, content=b'{"comment": {"text": "hi"', headers={})
    assert_google_error(response, 400, "INVALID_ARGUMENT", "invalid json")


def test_invalid_utf8_is_refused(client):
    response = client.post(ANALYZE, params={"key": API_KEY}, content=b'{"comment": {"text": "\xff\xfe"}}')
    assert_google_error(response, 400, "INVALID_ARGUMENT", "invalid json")


def test_missing_key_is_refused(client):
    assert_google_error(
        analyze(client, perspective_body(CLEAN), key=None), 403, "PERMISSION_DENIED", "api key"
    )


def test_wrong_key_is_refused(client):
    response = analyze(client, perspective_body(CLEAN), key="not-the-key")
    assert_google_error(response, 400, "INVALID_ARGUMENT", "api key not valid")


def test_key_may_come_in_googles_header(client):
    response = client.post(ANALYZE, json=perspective_body(CLEAN), headers={"X-Goog-Api-Key": API_KEY})
    assert response.status_code == 200


def test_sentence_spans_skip_surrounding_space():
    text = "  First one.  Second one!\nThird"
    assert [text[b:e] for b, e in sentence_spans(text)] == ["First one.", "Second one!", "Third"]
