"""No task token in a notification's text or link, through the Analyzer protocol (issue 15 item 4).

Fixtures by category: how a token reaches a message (publishing tasks, expressions and their
notations, query languages, nesting), templates, routes and integrations, event targets, what the
pack cannot see yet, and the server-side path that must stay allowed."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest

from policies.analyzer_harness import UNKNOWN, PolicyPackProcess
from policies.guardrails.task_token_rules import (
    EVENT_TARGET,
    HTTP_INTEGRATION,
    HTTP_ROUTE,
    REST_INTEGRATION,
    REST_METHOD,
    REST_RESOURCE,
)
from tests.policies.resources import LAMBDA, SSM_PARAMETER, STATE_MACHINE, resource

RULE = "no-task-token-in-notifications"
TOPIC = "arn:aws:sns:ap-northeast-1:123456789012:stfc-topic-dev-an1-approval"
SNS_WAIT = "arn:aws:states:::sns:publish.waitForTaskToken"


@dataclass(frozen=True)
class Case:
    id: str
    category: str
    type: str
    props: dict[str, Any]
    findings: int


def machine(state: dict[str, Any], query_language: str | None = None) -> dict[str, Any]:
    document: dict[str, Any] = {"StartAt": "Ask", "States": {"Ask": {**state, "End": True}}}
    if query_language:
        document["QueryLanguage"] = query_language
    return {"name": "stfc-sfn-dev-failover", "roleArn": "arn:aws:iam::123456789012:role/sfn",
            "definition": json.dumps(document)}


def publish(parameters: dict[str, Any], resource_arn: str = SNS_WAIT) -> dict[str, Any]:
    return machine({"Type": "Task", "Resource": resource_arn, "TimeoutSeconds": 3600,
                    "Parameters": {"TopicArn": TOPIC, **parameters}})


def nested(state: dict[str, Any], kind: str) -> dict[str, Any]:
    inner = {"StartAt": "Ask", "States": {"Ask": {**state, "End": True}}}
    if kind == "parallel":
        return machine({"Type": "Parallel", "Branches": [inner]})
    return machine({"Type": "Map", "ItemProcessor": {**inner, "ProcessorConfig": {"Mode": "INLINE"}}})


def lambda_env(**variables: str) -> dict[str, Any]:
    return {"name": "stfc-lambda-dev-step0", "role": "arn:aws:iam::123456789012:role/r", "handler": "h.h",
            "runtime": "python3.12", "timeout": 30, "environment": {"variables": variables}}


SNS_TASK = {"Type": "Task", "Resource": SNS_WAIT, "TimeoutSeconds": 3600,
            "Parameters": {"TopicArn": TOPIC, "Message.$": "$$.Task.Token"}}
PAGE = "https://abc123.execute-api.ap-northeast-1.amazonaws.com"

CASES = [
    # ------------------------------------------------------------------ publishing tasks
    Case("sns-message", "publishers", STATE_MACHINE, publish({"Message.$": "$$.Task.Token"}), 1),
    Case("sns-subject", "publishers", STATE_MACHINE,
         publish({"Message": "approve", "Subject.$": "$$.Task.Token"}), 1),
    Case("sns-message-attribute", "publishers", STATE_MACHINE, publish({
        "Message": "approve", "MessageAttributes": {"t": {"DataType": "String", "StringValue.$": "$$.Task.Token"}}}), 1),
    Case("sns-no-wait", "publishers", STATE_MACHINE,
         publish({"Message.$": "$$.Task.Token"}, "arn:aws:states:::sns:publish"), 1),
    Case("aws-sdk-sns", "publishers", STATE_MACHINE,
         publish({"Message.$": "$$.Task.Token"}, "arn:aws:states:::aws-sdk:sns:publish.waitForTaskToken"), 1),
    Case("sesv2-email", "publishers", STATE_MACHINE, machine({
        "Type": "Task", "Resource": "arn:aws:states:::aws-sdk:sesv2:sendEmail.waitForTaskToken",
        "TimeoutSeconds": 3600, "Parameters": {"Content": {"Simple": {"Body": {"Text": {
            "Data.$": "States.Format('Approve: https://x/approve?t={}', $$.Task.Token)"}}}}}}), 1),
    Case("http-invoke-chat", "publishers", STATE_MACHINE, machine({
        "Type": "Task", "Resource": "arn:aws:states:::http:invoke.waitForTaskToken", "TimeoutSeconds": 3600,
        "Parameters": {"ApiEndpoint": "https://hooks.slack.com/services/x", "Method": "POST",
                       "RequestBody": {"text.$": "States.Format('approve {}', $$.Task.Token)"}}}), 1),
    Case("events-put", "publishers", STATE_MACHINE, machine({
        "Type": "Task", "Resource": "arn:aws:states:::events:putEvents.waitForTaskToken", "TimeoutSeconds": 3600,
        "Parameters": {"Entries": [{"Detail": {"token.$": "$$.Task.Token"}, "DetailType": "approval",
                                    "Source": "megaticket"}]}}), 1),
    Case("other-partition", "publishers", STATE_MACHINE,
         publish({"Message.$": "$$.Task.Token"}, "arn:aws-cn:states:::sns:publish.waitForTaskToken"), 1),
    # ------------------------------------------------------------------ notations of the token
    Case("whole-context", "notations", STATE_MACHINE, publish({"Message.$": "States.JsonToString($$)"}), 1),
    Case("whole-task", "notations", STATE_MACHINE, publish({"Message.$": "States.JsonToString($$.Task)"}), 1),
    Case("bracket-notation", "notations", STATE_MACHINE, publish({"Message.$": "$$['Task']['Token']"}), 1),
    Case("spaced-format", "notations", STATE_MACHINE,
         publish({"Message.$": "States.Format('{} {}', $$.Execution.Id,  $$ . Task . Token)"}), 1),
    Case("base64-of-token", "notations", STATE_MACHINE,
         publish({"Message.$": "States.Base64Encode($$.Task.Token)"}), 1),
    Case("two-fields-one-finding-each", "notations", STATE_MACHINE,
         publish({"Message.$": "$$.Task.Token", "Subject.$": "$$.Task.Token"}), 2),
    # ------------------------------------------------------------------ query languages and nesting
    Case("jsonata-arguments", "languages", STATE_MACHINE, machine({
        "Type": "Task", "Resource": SNS_WAIT, "TimeoutSeconds": 3600,
        "Arguments": {"TopicArn": TOPIC, "Message": "{% 'approve ' & $states.context.Task.Token %}"}},
        query_language="JSONata"), 1),
    Case("jsonata-whole-context", "languages", STATE_MACHINE, machine({
        "Type": "Task", "Resource": SNS_WAIT, "TimeoutSeconds": 3600, "QueryLanguage": "JSONata",
        "Arguments": {"TopicArn": TOPIC, "Message": "{% $string($states.context) %}"}}), 1),
    Case("in-parallel-branch", "languages", STATE_MACHINE, nested(SNS_TASK, "parallel"), 1),
    Case("in-map-processor", "languages", STATE_MACHINE, nested(SNS_TASK, "map"), 1),
    # ------------------------------------------------------------------ templates
    Case("env-query-template", "templates", LAMBDA, lambda_env(LINK=f"{PAGE}/approve?taskToken={{token}}"), 1),
    Case("env-format-slot", "templates", LAMBDA, lambda_env(TEXT="Approve: %(task_token)s"), 1),
    Case("env-dollar-slot", "templates", LAMBDA, lambda_env(TEXT="Approve ${taskToken} now"), 1),
    Case("env-mustache-slot", "templates", LAMBDA, lambda_env(TEXT="Approve {{ token }}"), 1),
    Case("ssm-template", "templates", SSM_PARAMETER,
         {"name": "/megaticket-dr/approval-template", "type": "String", "value": f"{PAGE}/x?token=<token>"}, 1),
    # ------------------------------------------------------------------ routes and integrations
    Case("http-route-path", "routes", HTTP_ROUTE, {"apiId": UNKNOWN, "routeKey": "GET /approve/{taskToken}"}, 1),
    Case("http-route-greedy", "routes", HTTP_ROUTE, {"apiId": UNKNOWN, "routeKey": "ANY /{token+}"}, 1),
    Case("http-route-query-parameter", "routes", HTTP_ROUTE, {
        "apiId": UNKNOWN, "routeKey": "GET /approve",
        "requestParameters": [{"requestParameterKey": "route.request.querystring.taskToken", "required": True}]}, 1),
    Case("http-integration-mapping", "routes", HTTP_INTEGRATION, {
        "apiId": UNKNOWN, "integrationType": "AWS_PROXY",
        "requestParameters": {"overwrite:querystring.t": "$request.querystring.task_token"}}, 1),
    Case("rest-path-part", "routes", REST_RESOURCE, {"restApi": UNKNOWN, "parentId": UNKNOWN, "pathPart": "{token}"}, 1),
    Case("rest-method-query", "routes", REST_METHOD, {
        "restApi": UNKNOWN, "resourceId": UNKNOWN, "httpMethod": "GET", "authorization": "NONE",
        "requestParameters": {"method.request.querystring.taskToken": True}}, 1),
    Case("rest-integration-template", "routes", REST_INTEGRATION, {
        "restApi": UNKNOWN, "resourceId": UNKNOWN, "httpMethod": "GET", "type": "AWS",
        "requestTemplates": {"application/json": "{\"taskToken\": \"$input.params('taskToken')\"}"}}, 1),
    # ------------------------------------------------------------------ event targets
    Case("target-input-path", "targets", EVENT_TARGET, {
        "rule": "r", "arn": TOPIC, "inputTransformer": {
            "inputPaths": {"t": "$.detail.taskToken"}, "inputTemplate": "\"approve <t>\""}}, 1),
    Case("target-input-bracket", "targets", EVENT_TARGET, {
        "rule": "r", "arn": TOPIC, "inputTransformer": {
            "inputPaths": {"t": "$.detail['task_token']"}, "inputTemplate": "\"approve <t>\""}}, 1),
    Case("target-static-input", "targets", EVENT_TARGET, {
        "rule": "r", "arn": "arn:aws:states:ap-northeast-1:123456789012:stateMachine:x",
        "input": json.dumps({"note.$": "$$.Task.Token"})}, 1),
    # ------------------------------------------------------------------ what stays allowed
    Case("lambda-invoke-payload", "allowed", STATE_MACHINE, machine({
        "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken", "TimeoutSeconds": 3600,
        "Parameters": {"FunctionName": "stfc-lambda-dev-step0", "Payload": {"taskToken.$": "$$.Task.Token"}}}), 0),
    Case("sns-execution-name", "allowed", STATE_MACHINE,
         publish({"Message.$": "States.Format('failover {} needs approval', $$.Execution.Name)"}), 0),
    Case("sns-static-word-token", "allowed", STATE_MACHINE,
         publish({"Message": "The task token never leaves AWS: open $$.Task.Token? no."}), 0),
    Case("jsonata-root-input", "allowed", STATE_MACHINE, machine({
        "Type": "Task", "Resource": "arn:aws:states:::sns:publish", "Arguments": {
            "TopicArn": TOPIC, "Message": "{% $string($$) %}"}}, query_language="JSONata"), 0),
    Case("task-name-only", "allowed", STATE_MACHINE,
         publish({"Message.$": "$$.Task.Name"}, "arn:aws:states:::sns:publish"), 0),
    Case("page-link-env", "allowed", LAMBDA, lambda_env(APPROVAL_PAGE_URL=PAGE, LOCK_TOKEN_TABLE="t",
                                                        AWS_TOKEN_NAME="{id}"), 0),
    Case("page-route", "allowed", HTTP_ROUTE, {"apiId": UNKNOWN, "routeKey": "POST /a/{id}"}, 0),
    Case("page-integration", "allowed", HTTP_INTEGRATION, {
        "apiId": UNKNOWN, "integrationType": "AWS_PROXY", "integrationUri": UNKNOWN}, 0),
    Case("target-state-input", "allowed", EVENT_TARGET, {
        "rule": "r", "arn": TOPIC, "inputTransformer": {
            "inputPaths": {"name": "$.detail.alarmName", "tokens": "$.detail.tokenCount"},
            "inputTemplate": "\"<name>\""}}, 0),
    # ------------------------------------------------------------------ what cannot be seen yet
    Case("definition-unknown", "unseen", STATE_MACHINE, {"name": "x", "roleArn": "r", "definition": UNKNOWN}, 0),
    Case("env-unknown", "unseen", LAMBDA, {**lambda_env(), "environment": {"variables": UNKNOWN}}, 0),
    Case("route-unknown", "unseen", HTTP_ROUTE, {"apiId": UNKNOWN, "routeKey": UNKNOWN}, 0),
]


def test_case_ids_are_unique_and_every_category_has_several():
    assert len({c.id for c in CASES}) == len(CASES)
    categories: dict[str, int] = {}
    for case in CASES:
        categories[case.category] = categories.get(case.category, 0) + 1
    assert min(categories.values()) >= 3, categories


@pytest.mark.parametrize("case", CASES, ids=[f"{c.category}-{c.id}" for c in CASES])
def test_a_task_token_in_a_message_or_link_is_refused(any_pack: PolicyPackProcess, case: Case):
    # GIVEN one resource that may put the token in a message WHEN the CLI sends it to the pack
    violations = [v for v in any_pack.analyze(resource(case.type, f"tt-{case.id}", case.props))
                  if v.policy_name == RULE]
    # THEN one mandatory finding per place the token would travel, none where it stays in AWS
    assert len(violations) == case.findings, [v.message for v in violations]
    for violation in violations:
        assert violation.level == "mandatory"
        assert "one-time id" in violation.message
