"""FailoverPipeline under the shared Pulumi mocks: event path, roles scoped to named resources,
state machines generated from failover/asl.py, Lambdas configured with the settings contract."""

from __future__ import annotations

import json
from typing import Any

import pulumi
import pulumi_aws as aws
import pytest

from components.failover_pipeline import FUNCTIONS, FailoverPipeline, dlq_name
from offline_preview.engine import UNKNOWN, ProgramRun
from stack_config import settings_for_stack
from stack_config.derive import lambda_env_keys
from tests.components.pipeline_args import pipeline_args, tokyo_settings, with_failover
from tests.conftest import ROOT, run_component

PIPELINE = "megaticket-dr:failover:Pipeline"
RULE = "aws:cloudwatch/eventRule:EventRule"
TARGET = "aws:cloudwatch/eventTarget:EventTarget"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
FUNCTION = "aws:lambda/function:Function"
MACHINE = "aws:sfn/stateMachine:StateMachine"
QUEUE = "aws:sqs/queue:Queue"
QUEUE_POLICY = "aws:sqs/queuePolicy:QueuePolicy"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"


def _run(preview: bool, *assignments: str, **overrides: Any) -> ProgramRun:
    def body() -> None:
        tokyo = aws.Provider("ap-northeast-1", region="ap-northeast-1")
        virginia = aws.Provider("us-east-1", region="us-east-1")
        args = pipeline_args(virginia, *assignments, **overrides)
        p = FailoverPipeline("failover", args, pulumi.ResourceOptions(provider=tokyo))
        pulumi.export("stateMachineArn", p.state_machine_arn)
        pulumi.export("functionNames", p.function_names)
        pulumi.export("deadLetterQueueArns", p.dead_letter_queue_arns)

    return run_component(body, preview)


def _policy(run: ProgramRun, name: str) -> dict[str, Any]:
    doc = run.one(ROLE_POLICY, name).inputs["policy"]
    if doc == UNKNOWN:  # preview: built from ARNs that exist only after deploy
        return {"Statement": UNKNOWN}
    return json.loads(doc) if isinstance(doc, str) else doc


PARTS = {
    "megaticket-dr:failover:ApprovalTopic": ["failover-approval"],
    "megaticket-dr:failover:StepLambdas": ["failover-lambdas"],
    "megaticket-dr:failover:StateMachines": ["failover-machines"],
    "megaticket-dr:failover:EventHop": ["failover-observation", "failover-start"],
    "megaticket-dr:failover:ApprovalTable": ["failover-approval-table"],
    "megaticket-dr:failover:ApprovalPage": ["failover-approval-page"],
}


def test_pipeline_is_split_into_its_parts_and_every_child_keeps_its_name(preview: bool) -> None:
    """GIVEN the pipeline split by concept (topic, Lambdas, machines, one EventHop per hop)
    THEN each part is a component under the pipeline, and every resource is under the pipeline or one
    of its parts with the name it had when the pipeline was flat, so `pulumi up` adopts it."""
    run = _run(preview)
    pipeline = run.one(PIPELINE, "failover").urn
    for type_, names in PARTS.items():
        parts = run.by_type(type_)
        assert sorted(p.name for p in parts) == names
        assert all(p.parent == pipeline for p in parts)
    part_urns = {p.urn for t in PARTS for p in run.by_type(t)}
    children = [r for r in run.resources
                if r.type not in (PIPELINE, "pulumi:providers:aws", *PARTS)]
    assert children and all(r.parent == pipeline or r.parent in part_urns for r in children)
    assert all(r.name.startswith("failover-") for r in children)


def test_children_moved_into_a_part_alias_their_old_parent(preview: bool) -> None:
    """GIVEN resources deployed as direct children of the pipeline THEN those now under a part carry
    an alias naming the pipeline as parent: the same URN as before, so no replacement."""
    run = _run(preview)
    new_parts = ("megaticket-dr:failover:ApprovalTable", "megaticket-dr:failover:ApprovalPage")
    part_urns = {p.urn for t in PARTS if t not in new_parts for p in run.by_type(t)}
    moved = [r for r in run.resources if r.parent in part_urns]
    assert {r.name for r in moved} >= {"failover-approval-topic", "failover-approval-topic-key",
                                       "failover-step1", "failover-failover-state-machine",
                                       "failover-observation-rule", "failover-failover-dlq"}
    assert all(r.options["aliases"] for r in moved)


def test_alarm_rule_lives_in_us_east_1_and_forwards_only_to_the_tokyo_bus(preview: bool) -> None:
    run = _run(preview)
    rule = run.one(RULE, "failover-observation-rule")
    assert run.region_of(rule) == "us-east-1"
    assert rule.inputs["name"] == "ssw-dr-failover-observation-alarm-rule"
    pattern = json.loads(rule.inputs["eventPattern"])
    assert pattern["detail-type"] == ["CloudWatch Alarm State Change"]
    assert pattern["detail"] == {
        "alarmName": ["MegaTicket-Primary-HealthCheck-Alarm"],
        "state": {"value": ["ALARM"]},
    }
    target = run.one(TARGET, "failover-observation-target")
    assert run.region_of(target) == "us-east-1"
    bus = run.one("aws:cloudwatch/eventBus:EventBus", "failover-bus")
    assert bus.inputs["name"] == "ssw-dr-failover-dr-event-bus" and run.region_of(bus) == "ap-northeast-1"
    statements = _policy(run, "failover-forward-policy")["Statement"]
    if preview:
        assert statements == UNKNOWN
        return
    assert [s["Action"] for s in statements] == ["events:PutEvents"]
    assert statements[0]["Resource"] == target.inputs["arn"]


def test_tokyo_rule_starts_only_the_failover_state_machine(preview: bool) -> None:
    run = _run(preview)
    rule = run.one(RULE, "failover-failover-rule")
    assert rule.inputs["name"] == "pldr-dr-failover-rule"
    assert rule.inputs["eventBusName"] == "ssw-dr-failover-dr-event-bus"
    target = run.one(TARGET, "failover-failover-target")
    statements = _policy(run, "failover-start-policy")["Statement"]
    if preview:
        assert statements == UNKNOWN
        return
    assert [(s["Action"], s["Resource"]) for s in statements] == [
        ("states:StartExecution", target.inputs["arn"])
    ]


def test_lambdas_are_python312_with_the_settings_contract_and_config_timeouts(preview: bool) -> None:
    run = _run(preview)
    fns = {r.inputs["name"]: r for r in run.by_type(FUNCTION)}
    assert fns.pop("stfc-lambda-dev-page").inputs["handler"] == "failover.handlers.approval_page"
    assert sorted(fns) == [
        f"stfc-lambda-dev-{k}" for k in ("failback", "step0", "step1", "step2", "step3", "step4")
    ]
    expected_keys = set(lambda_env_keys())
    # Only step 0 reads the approval page's variables (the table and link it writes).
    page_keys = {"APPROVAL_TABLE", "APPROVAL_PIN_MODE", "APPROVAL_PIN_PARAMETER", "APPROVAL_MAX_WRONG_PINS",
                 "APPROVAL_PAGE_URL"}
    for name, fn in fns.items():
        assert fn.inputs["runtime"] == "python3.12"
        assert fn.inputs["handler"].startswith("failover.handlers.")
        extra = page_keys if name.endswith("-step0") else set()
        assert set(fn.inputs["environment"]["variables"]) == expected_keys | extra
    assert fns["stfc-lambda-dev-step1"].inputs["timeout"] == 120
    env = fns["stfc-lambda-dev-step1"].inputs["environment"]["variables"]
    assert env["APP_SUBNET_IDS"] == "⟨subnet-a⟩,⟨subnet-c⟩"
    assert (env["NLB_MODE"], env["APP_PORT"], env["LOCK_REGION"]) == ("standby", "3001", "us-east-1")


def test_state_machine_definition_is_generated_asl_with_config_timeouts(preview: bool) -> None:
    run = _run(preview, settings=with_failover(tokyo_settings("failover.approvalTimeoutSeconds=1800",
                                                     "failover.approvalTimeoutAction=proceed"),
                                      approval_heartbeat_seconds=3600))
    machine = run.one(MACHINE, "failover-failover-state-machine")
    assert machine.inputs["name"] == "stfc-stepfunction-dev-an1"
    assert machine.inputs["loggingConfiguration"]["includeExecutionData"] is False
    assert machine.inputs["tracingConfiguration"] == {"enabled": True}
    if preview:
        return  # the definition waits for the Lambda ARNs
    definition = json.loads(machine.inputs["definition"])
    approval = definition["States"]["Step0_WaitForApproval"]
    assert approval["TimeoutSeconds"] == 1800
    assert (
        "HeartbeatSeconds" not in approval
    )  # heartbeat 3600 >= timeout: omitted, as Step Functions requires
    assert definition["States"]["Step0_ApprovalTimedOut"]["Next"] == "Step0_NotifyProceeding"
    failback = run.one(MACHINE, "failover-failback-state-machine")
    assert failback.inputs["name"] == "stfc-stepfunction-dev-an1-failback"
    # failback's first state asks whether this pipeline's failover machine has a RUNNING execution
    first = json.loads(failback.inputs["definition"])["States"]["Failback_CheckFailoverIdle"]
    assert first["Parameters"]["failover_state_machine_arn"] == "⟨stfc-stepfunction-dev-an1.arn⟩"


def test_step_roles_are_scoped_to_the_named_resources(preview: bool) -> None:
    run = _run(preview)
    step1 = _policy(run, "failover-step1-policy")["Statement"]
    writes = [s for s in step1 if "elasticloadbalancing:CreateLoadBalancer" in s["Action"]][0]
    assert any("loadbalancer/net/MegaTicket-DR-NLB/*" in r for r in writes["Resource"])
    # step 1 turns cross-zone on for the NLB it creates (failover/nlb.py)
    assert "elasticloadbalancing:ModifyLoadBalancerAttributes" in writes["Action"]
    assert all("*" != r for r in writes["Resource"])
    step3 = _policy(run, "failover-step3-policy")["Statement"]
    update = [s for s in step3 if "autoscaling:UpdateAutoScalingGroup" in s["Action"]][0]
    assert all(r.endswith(("MegaTicket-DR-App-ASG", "MegaTicket-DR-Web-ASG")) for r in update["Resource"])
    lock_writer = {
        "Effect": "Allow",
        "Action": "cloudwatch:PutMetricData",
        "Resource": "*",
        "Condition": {"StringEquals": {"cloudwatch:namespace": "MegaTicket/DR"}},
    }
    # step 3 puts the failback lock before scaling; step 4 re-asserts it; both only in the lock namespace
    assert [s for s in step3 if "cloudwatch" in json.dumps(s["Action"])] == [lock_writer]
    assert _policy(run, "failover-step4-policy")["Statement"] == [lock_writer]
    if preview:
        return
    failback = _policy(run, "failover-failback-policy")["Statement"]
    assert [s["Resource"] for s in failback if s["Action"] == "states:ListExecutions"] == [
        "⟨stfc-stepfunction-dev-an1.arn⟩"
    ]
    step0 = _policy(run, "failover-step0-policy")["Statement"]
    assert [x["Resource"] for x in step0] == [
        "⟨stfc-topic-dev-an1-approval.arn⟩",
        "⟨stfc-stepfunction-dev-an1.arn⟩",
        "⟨failover-approval-topic-key.arn⟩",
        "⟨stfc-stepfunction-dev-an1.arn⟩:*",  # stop running drills: executions of its own machine
        "⟨stfc-lambda-dev-approvals.arn⟩",  # the page's one-time id row
    ]
    assert step0[-2]["Action"] == ["states:DescribeExecution", "states:StopExecution"]
    assert step0[-1]["Action"] == "dynamodb:PutItem"
    # the failback Lambda's drill actions: the same template step 2 writes, and the machine's executions
    drill = [s for s in failback if "ec2:DeleteLaunchTemplateVersions" in json.dumps(s["Action"])]
    step2_write = [s for s in _policy(run, "failover-step2-policy")["Statement"]
                   if "ec2:CreateLaunchTemplateVersion" in s["Action"]]
    assert [s["Resource"] for s in drill] == [s["Resource"] for s in step2_write]
    reads = [s for s in failback if "states:GetExecutionHistory" in json.dumps(s["Action"])]
    assert [s["Resource"] for s in reads] == ["⟨stfc-stepfunction-dev-an1.arn⟩:*"]
    # nothing in any step policy grants a wildcard action
    for key in ("step0", "step1", "step2", "step3", "step4", "failback"):
        for s in _policy(run, f"failover-{key}-policy")["Statement"]:
            actions = s["Action"] if isinstance(s["Action"], list) else [s["Action"]]
            assert not any(a.endswith(":*") or a == "*" for a in actions)


def test_step2_role_is_scoped_to_the_web_launch_template_when_its_id_is_given(preview: bool) -> None:
    run = _run(preview, web_launch_template_id="⟨MegaTicket-DR-Web-LT.id⟩")
    statements = _policy(run, "failover-step2-policy")["Statement"]
    write = [s for s in statements if "ec2:CreateLaunchTemplateVersion" in s["Action"]][0]
    if preview:
        assert write["Resource"].endswith(":launch-template/⟨MegaTicket-DR-Web-LT.id⟩")
    else:
        assert write["Resource"] == "arn:aws:ec2:ap-northeast-1:⟨aws.accountId⟩:launch-template/⟨MegaTicket-DR-Web-LT.id⟩"


def test_approval_topic_is_kms_encrypted_with_email_and_sms_channels(preview: bool) -> None:
    run = _run(preview)
    topic = run.one("aws:sns/topic:Topic", "failover-approval-topic")
    assert topic.inputs["name"] == "stfc-topic-dev-an1-approval"
    if not preview:
        assert topic.inputs["kmsMasterKeyId"] == "⟨failover-approval-topic-key.arn⟩"
    subs = run.by_type("aws:sns/topicSubscription:TopicSubscription")
    assert sorted((s.inputs["protocol"], s.inputs["endpoint"]) for s in subs) == [
        ("email", "dr-oncall@example.com"),
        ("sms", "+821012345678"),
    ]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        # invariants a programmatic caller could break (stack_config refuses them in a stack file)
        ({"approval_timeout_seconds": 20}, "approval timeout 20 s must exceed the approval Lambda's timeout"),
    ],
)
def test_args_refuse_what_only_a_programmatic_caller_could_break(change: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        pipeline_args(object(), settings=with_failover(tokyo_settings(), **change))


def test_args_refuse_the_primary_stacks_settings() -> None:
    with pytest.raises(ValueError, match="settings must be the DR stack's"):
        pipeline_args(object(), settings=settings_for_stack(ROOT, "seoul"))


def test_pipeline_refuses_to_run_without_the_callers_provider() -> None:
    def body() -> None:
        virginia = aws.Provider("us-east-1", region="us-east-1")
        FailoverPipeline("failover", pipeline_args(virginia))

    with pytest.raises(Exception, match="opts.provider must be the DR-region provider"):
        run_component(body, False)


KEY = "aws:kms/key:Key"
_KEY_USE = ["kms:Decrypt", "kms:GenerateDataKey*"]


def test_approval_topic_key_is_customer_managed_so_cloudwatch_alarms_can_publish() -> None:
    """GIVEN the readiness alarm notifies the approval topic
    WHEN the topic is encrypted
    THEN with a rotated customer-managed key (never alias/aws/sns, whose fixed policy refuses
    CloudWatch alarms) whose policy lets CloudWatch alarms of this account and region make data
    keys for this topic only, and whose alias names the topic."""
    run = _run(False)
    topic = run.one("aws:sns/topic:Topic", "failover-approval-topic")
    assert topic.inputs["kmsMasterKeyId"] != "alias/aws/sns"
    key = run.one(KEY, "failover-approval-topic-key")
    assert key.inputs["enableKeyRotation"] is True
    statements = {st["Sid"]: st for st in json.loads(key.inputs["policy"])["Statement"]}
    account = "⟨aws.accountId⟩"
    assert statements["AccountManagesKeyThroughIam"]["Principal"] == {"AWS": f"arn:aws:iam::{account}:root"}
    alarms = statements["CloudWatchAlarmsPublishToApprovalTopic"]
    assert alarms["Principal"] == {"Service": "cloudwatch.amazonaws.com"}
    assert alarms["Action"] == _KEY_USE
    assert alarms["Condition"] == {
        "StringEquals": {
            "aws:SourceAccount": account,
            "kms:EncryptionContext:aws:sns:topicArn":
                f"arn:aws:sns:ap-northeast-1:{account}:stfc-topic-dev-an1-approval",
        },
        "ArnLike": {"aws:SourceArn": f"arn:aws:cloudwatch:ap-northeast-1:{account}:alarm:*"},
    }
    alias = run.one("aws:kms/alias:Alias", "failover-approval-topic-key-alias")
    assert alias.inputs["name"] == "alias/stfc-topic-dev-an1-approval"
    assert run.region_of(key) == run.region_of(topic) == "ap-northeast-1"


def test_every_topic_publisher_may_use_the_topic_key_only_through_sns() -> None:
    """GIVEN a customer-managed key, IAM principals need kms permissions of their own to publish
    THEN the state machines' role (sns:publish states) and step 0 (the approval request) get
    Decrypt/GenerateDataKey on that key, only via SNS in the region; no other step gets the key."""
    run = _run(False)
    use = {
        "Effect": "Allow",
        "Action": _KEY_USE,
        "Resource": "⟨failover-approval-topic-key.arn⟩",
        "Condition": {"StringEquals": {"kms:ViaService": "sns.ap-northeast-1.amazonaws.com"}},
    }
    for policy in ("failover-sfn-policy", "failover-step0-policy"):
        assert use in _policy(run, policy)["Statement"], policy
    for key in ("step1", "step2", "step3", "step4", "failback"):
        assert "kms:" not in json.dumps(_policy(run, f"failover-{key}-policy")), key


def test_state_machines_are_created_after_their_role_may_deliver_logs(preview: bool) -> None:
    """GIVEN logging to CloudWatch Logs (level ALL)
    WHEN Step Functions creates a machine, it checks that the role may deliver logs
    THEN both machines wait for the role policy that grants log delivery, or the engine may create
    them in parallel and CreateStateMachine fails with "not authorized to access the Log Destination"."""
    run = _run(preview)
    policy = run.one(ROLE_POLICY, "failover-sfn-policy")
    for key in ("failover", "failback"):
        machine = run.one(MACHINE, f"failover-{key}-state-machine")
        assert policy.urn in machine.options["dependencies"], key
        assert machine.inputs["loggingConfiguration"]["level"] == "ALL"
    if not preview:
        delivery = [s for s in _policy(run, "failover-sfn-policy")["Statement"]
                    if "logs:CreateLogDelivery" in s["Action"]]
        assert delivery and delivery[0]["Resource"] == "*"


def test_longest_lambda_prefix_the_config_accepts_names_functions_lambda_accepts() -> None:
    """GIVEN the longest prefix stack_config accepts THEN every function name, the readiness one
    included, is within Lambda's 64 characters."""
    settings = tokyo_settings("failover.lambdaPrefix=" + "p" * 54)
    names = [f"{settings.failover.lambda_prefix}-{key}" for key in (*FUNCTIONS, "readiness")]
    assert max(len(n) for n in names) == 64


# rule key -> (rule name, the rule's region) for both hops of the event path
HOPS = {
    "observation": ("ssw-dr-failover-observation-alarm-rule", "us-east-1"),
    "failover": ("pldr-dr-failover-rule", "ap-northeast-1"),
}


@pytest.mark.parametrize("hop", sorted(HOPS))
def test_each_event_target_dead_letters_to_an_encrypted_queue_in_its_rules_region(
    preview: bool, hop: str
) -> None:
    """GIVEN a target EventBridge still cannot reach after its retries (PutEvents to the Tokyo bus,
    StartExecution on the machine)
    THEN the event goes to `<rule name>-dlq`, SSE-encrypted, kept 14 days, in the rule's own region
    (EventBridge refuses a DLQ in another region), instead of vanishing."""
    run = _run(preview)
    rule_name, region = HOPS[hop]
    rule = run.one(RULE, f"failover-{hop}-rule")
    queue = run.one(QUEUE, f"failover-{hop}-dlq")
    target = run.one(TARGET, f"failover-{hop}-target")
    assert queue.inputs["name"] == f"{rule_name}-dlq"
    assert queue.inputs["sqsManagedSseEnabled"] is True
    assert queue.inputs["messageRetentionSeconds"] == 14 * 24 * 3600
    assert run.region_of(queue) == run.region_of(rule) == run.region_of(target) == region
    assert queue.urn in target.options["dependencies"]
    if preview:
        assert target.inputs["deadLetterConfig"]["arn"] == UNKNOWN
        return
    assert target.inputs["deadLetterConfig"] == {"arn": f"⟨{rule_name}-dlq.arn⟩"}
    assert run.outputs["deadLetterQueueArns"][hop] == f"⟨{rule_name}-dlq.arn⟩"


@pytest.mark.parametrize("hop", sorted(HOPS))
def test_only_eventbridge_for_that_one_rule_may_send_to_its_dlq(preview: bool, hop: str) -> None:
    """GIVEN the DLQ's queue policy THEN its one statement lets events.amazonaws.com SendMessage to
    this queue only when the source is this hop's rule, not the other hop's, not anyone else."""
    run = _run(preview)
    rule_name, region = HOPS[hop]
    policy = run.one(QUEUE_POLICY, f"failover-{hop}-dlq-policy")
    assert run.region_of(policy) == region
    assert run.one(QUEUE, f"failover-{hop}-dlq").urn in policy.options["dependencies"]
    assert run.one(RULE, f"failover-{hop}-rule").urn in policy.options["dependencies"]
    if preview:
        assert policy.inputs["policy"] == UNKNOWN  # the queue and rule ARNs exist after deploy
        return
    assert policy.inputs["queueUrl"] == f"⟨{rule_name}-dlq.id⟩"
    statements = json.loads(policy.inputs["policy"])["Statement"]
    assert statements == [
        {
            "Sid": "EventBridgeRuleDeadLetters",
            "Effect": "Allow",
            "Principal": {"Service": "events.amazonaws.com"},
            "Action": "sqs:SendMessage",
            "Resource": f"⟨{rule_name}-dlq.arn⟩",
            "Condition": {"ArnEquals": {"aws:SourceArn": f"⟨{rule_name}.arn⟩"}},
        }
    ]


def test_tokyo_dlq_alarms_to_the_approval_topic_and_the_us_east_1_dlq_has_no_alarm(
    preview: bool,
) -> None:
    """GIVEN alarm actions must be in the alarm's region and the approval topic is in Tokyo
    THEN the Tokyo DLQ's alarm (any visible message) notifies the approval topic from Tokyo, and no
    alarm is made for the us-east-1 DLQ (it could not notify that topic; a depth check is left to
    the readiness checks)."""
    run = _run(preview)
    alarms = [a for a in run.by_type(ALARM) if "dlq" in a.name]
    assert [a.name for a in alarms] == ["failover-failover-dlq-alarm"]
    alarm = alarms[0]
    assert run.region_of(alarm) == "ap-northeast-1"
    assert alarm.inputs["name"] == "pldr-dr-failover-rule-dlq-not-empty"
    assert (alarm.inputs["namespace"], alarm.inputs["metricName"]) == (
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
    )
    assert alarm.inputs["dimensions"] == {"QueueName": "pldr-dr-failover-rule-dlq"}
    assert (alarm.inputs["comparisonOperator"], alarm.inputs["threshold"]) == ("GreaterThanThreshold", 0)
    topic = run.one("aws:sns/topic:Topic", "failover-approval-topic")
    assert topic.urn in alarm.options["dependencies"]
    if not preview:
        assert alarm.inputs["alarmActions"] == ["⟨stfc-topic-dev-an1-approval.arn⟩"]


def test_dlq_name_drops_the_dots_sqs_refuses_and_stays_within_80_characters() -> None:
    """GIVEN a rule name EventBridge accepts (up to 64 characters, '.' allowed) THEN the DLQ name
    is one SQS accepts: no '.', at most 80 characters."""
    assert dlq_name("pldr-dr-failover-rule") == "pldr-dr-failover-rule-dlq"
    assert dlq_name("ssw.dr.rule") == "ssw-dr-rule-dlq"
    longest = dlq_name("r" * 64)
    assert longest == "r" * 64 + "-dlq" and len(longest) <= 80


def test_stopped_drills_reach_the_failback_lambda_for_their_cleanup(preview: bool) -> None:
    """An ABORTED or TIMED_OUT execution runs no more states: an EventBridge rule on the failover
    machine's status changes invokes the failback Lambda, which cleans up stopped drills."""
    from components.failover_pipeline import iam
    from failover.drill import STATUS_CHANGE

    run = _run(preview)
    rule = run.one("aws:cloudwatch/eventRule:EventRule", "failover-drill-stopped")
    assert rule.inputs["name"] == "stfc-stepfunction-dev-an1-drill-stopped"
    target = run.one("aws:cloudwatch/eventTarget:EventTarget", "failover-drill-stopped-target")
    permission = run.one("aws:lambda/permission:Permission", "failover-drill-stopped-invoke")
    assert permission.inputs["principal"] == "events.amazonaws.com"
    assert permission.inputs["action"] == "lambda:InvokeFunction"
    if preview:
        return
    assert json.loads(rule.inputs["eventPattern"]) == {
        "source": ["aws.states"], "detail-type": [STATUS_CHANGE],
        "detail": {"status": ["ABORTED", "TIMED_OUT"], "stateMachineArn": ["⟨stfc-stepfunction-dev-an1.arn⟩"]}}
    assert target.inputs["arn"] == "⟨stfc-lambda-dev-failback.arn⟩"
    assert permission.inputs["function"] == "stfc-lambda-dev-failback"
    assert permission.inputs["sourceArn"] == "⟨stfc-stepfunction-dev-an1-drill-stopped.arn⟩"
    assert iam.executions_of("arn:aws:states:ap-northeast-1:123456789012:stateMachine:m") == \
        "arn:aws:states:ap-northeast-1:123456789012:execution:m:*"
