"""The facts every layer shares: constants, AWS name limits and the names derived from settings.

Dependency-free (standard library only) and shipped inside both Lambda packages, so the Pulumi
program, `stack_config`, the components, the Lambdas, `drctl` and the policy pack all read one copy.
`tests/test_contract.py` fails when another program or Lambda module spells out a constant or a
limit that lives here.

Every AWS limit cites the documentation page it comes from. Where the project is stricter than AWS
(for example state machine names, which must stay loggable), the rule says so in `note`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

# --- shared constants ------------------------------------------------------------------------------

PRIMARY, DR = "primary", "dr"  # stack roles
TIER_ROLES = ("web", "app")

NLB_STANDBY = "standby"  # the NLB is deployed ahead; step 1 only verifies it
NLB_ON_FAILOVER = "on-failover"  # step 1 creates the NLB, failback removes it
NLB_MODES = (NLB_STANDBY, NLB_ON_FAILOVER)
NLB_MODE_TAG = "megaticket-dr:nlbMode"  # launch template tag the policy pack reads

# Recovery profiles (recovery.profile): lean bills nothing idle it can create during a failover,
# standard is the runbooks' pipeline (the default), fast warms Tokyo while the approval is pending.
PROFILE_LEAN, PROFILE_STANDARD, PROFILE_FAST = "lean", "standard", "fast"
RECOVERY_PROFILES = (PROFILE_LEAN, PROFILE_STANDARD, PROFILE_FAST)
RECOVERY_PROFILE_TAG = "megaticket-dr:recoveryProfile"  # on the DR ASGs; the policy pack reads it

# The approval gate (fast profile): metric <lock namespace> ApprovalGate in the alarm region,
# 1 = open; its alarm is in ALARM while the gate is closed. Route53 reads standard-resolution alarms
# only ("High-resolution metrics aren't supported",
# https://docs.aws.amazon.com/Route53/latest/APIReference/API_AlarmIdentifier.html), so the period is
# 60 s; the pipeline also sets the alarm's state when it writes the gate (failover/gate.py).
GATE_METRIC_NAME = "ApprovalGate"
GATE_ALARM_SUFFIX = "-Approval-Gate"  # default alarm `<name prefix>-Approval-Gate`
GATE_ALARM_PERIOD_SECONDS = 60
METRIC_NAMESPACE_DEFAULT = "MegaTicket/DR"  # the failback lock's and the gate's namespace

TIMEOUT_FAIL = "fail"  # approval timed out: abandon the failover
TIMEOUT_PROCEED = "proceed"  # approval timed out: fail over unattended
TIMEOUT_ACTIONS = (TIMEOUT_FAIL, TIMEOUT_PROCEED)

# The web tier's INTERNAL_API_URL before step 2 knows the NLB's DNS name (001 section 3.4). The
# runbook's scripts grep for the bare word, so checks look for PLACEHOLDER_MARK.
NLB_DNS_PLACEHOLDER = "NLB_DNS_PLACEHOLDER"
PLACEHOLDER_MARK = "PLACEHOLDER"

TABLE_SUFFIXES = ("performances", "reservations", "schedules", "venues")

# Route53 publishes health-check metrics only in us-east-1, so the detection alarm, the failback
# lock and the observation rule live there.
ALARM_REGION = "us-east-1"

# The outputs the primary (seoul) stack exports and the DR (tokyo) stack reads (stack_contract.py).
PRIMARY_OUTPUTS = (
    "primaryRegion", "albDnsName", "albZoneId", "nlbDnsName", "healthCheckId",
    "detectionHealthCheckId", "calculatedHealthCheckId", "hostedZoneId", "goldenAmiId", "goldenAmiBuild",
    "tableNames", "tableArns",
)

BUILD_TAG = "Build"  # Golden AMI build label, compared between the two regions
SOURCE_AMI_TAG = "SourceAmiId"

# Step Functions state and error names drctl and the Lambdas rely on
# (failover/asl.py builds the machines).
APPROVAL_STATE = "Step0_WaitForApproval"
REJECT_ERROR = "ManualReject"

# Lambda name suffixes (`<failover.lambdaPrefix>-<suffix>`), in pipeline order.
STEP_FUNCTIONS = ("step0", "step1", "step2", "step3", "step4", "failback")
READINESS_FUNCTION = "readiness"
APPROVAL_PAGE_FUNCTION = "page"  # <prefix>-page: the approval page Lambda
APPROVAL_ROUTE_KEYS = ("GET /a/{id}", "POST /a/{id}")  # the page's only routes: GET shows, POST decides
APPROVAL_STAGE = "$default"


def approval_table_name(lambda_prefix: str) -> str:
    """The approval page's one-time id table."""
    return f"{lambda_prefix}-approvals"


def approval_api_name(lambda_prefix: str) -> str:
    """The approval page's HTTP API."""
    return f"{lambda_prefix}-approval-page"

FAILBACK_MACHINE_SUFFIX = "-failback"  # default failback state machine: `<stateMachineName>-failback`

# Lambda timeouts (seconds) each function needs at least. The incident (001 section 7.2.2) was the
# 3 s default killing Step1 while it created the NLB, listener and target group. Waiting belongs
# to Step Functions (Wait/Retry), so Step1 needs the API calls plus throttling retries. stack_config
# refuses lower settings and the policy pack (`failover-lambda-timeout-fits-step`) flags them.
STEP_TIMEOUT_MINIMUMS = {
    "step0": 10, "step1": 120, "step2": 30, "step3": 30, "step4": 30, "failback": 60, "readiness": 30,
}
OTHER_STEP_TIMEOUT_MINIMUM = 30
# botocore Config for every AWS client the Lambdas and drctl make (Config(**AWS_CLIENT_CONFIG)):
# standard retries, and short timeouts so a dead region fails a step fast instead of hanging it.
AWS_CLIENT_CONFIG: dict[str, object] = {"retries": {"mode": "standard", "max_attempts": 3},
                                        "connect_timeout": 5, "read_timeout": 20}
# lambdaTimeouts setting key -> function suffix
TIMEOUT_KEYS = {
    "approval": "step0", "nlb": "step1", "launchTemplate": "step2", "scale": "step3",
    "verify": "step4", "failback": "failback", "readiness": "readiness",
}

# Drills (`drctl drill`): the execution input marks a drill, the hold keeps Tokyo up for a look
# before the cleanup returns it to idle; the doctor warns when the last good drill is older than
# drill.maxAgeDays. Reports (reports.bucket) are kept under REPORTS_PREFIX.
# 001 section 7.4: the runbook's recovery estimate, 5-10 minutes (drctl rto compares with it; the
# doctor warns when the last drill measured more than its upper end)
DOCUMENT_RTO_SECONDS = (300, 600)
DRILL_INPUT_KEY = "drill"
DRILL_EXECUTION_PREFIX = "drill-"
DRILL_DEFAULT_HOLD_MINUTES = 10
DRILL_MAX_HOLD_MINUTES = 12 * 60
DRILL_DEFAULT_MAX_AGE_DAYS = 30
DRILL_MAX_AGE_DAYS_LIMIT = 365
DRILL_PREEMPTED_ERROR = "DrillPreempted"  # StopExecution error when a real alarm takes over
REPORTS_PREFIX = "reports/"
REPORT_FINAL_STATUSES = ("SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED")  # every run the writer reports
REPORT_FUNCTION = "report"  # <lambdaPrefix>-report writes each finished run's report
REPORT_TIMEOUT_SECONDS = 60
# Lifecycle of the reports bucket: a report is kept; a replaced or deleted one (a noncurrent
# version) goes after this many days, and unfinished multipart uploads after a week.
REPORT_NONCURRENT_DAYS = 90
REPORT_ABORT_UPLOAD_DAYS = 7

# Route53 failover records: an alias record carries no TTL; a plain one at most this many seconds,
# or resolvers keep sending users to the failed region (policy `failover-record-ttl`).
FAILOVER_RECORD_MAX_TTL = 60

# --- numeric AWS limits ------------------------------------------------------------------------------

# https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html (function timeout 900 s;
# the API default when none is set is 3 s: API_CreateFunction.html, Timeout)
LAMBDA_MAX_TIMEOUT = 900
LAMBDA_DEFAULT_TIMEOUT = 3
# https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html (a task can wait for a
# token up to the execution's one-year limit; the project caps the human approval at 7 days)
APPROVAL_MAX_SECONDS = 7 * 24 * 3600
# https://docs.aws.amazon.com/Route53/latest/APIReference/API_HealthCheckConfig.html
HEALTH_CHECK_INTERVALS = (10, 30)
HEALTH_CHECK_MAX_FAILURE_THRESHOLD = 10
# https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateTargetGroup.html
# (HealthCheckIntervalSeconds 5-300)
TARGET_HEALTH_INTERVALS = (5, 300)
# https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SetQueueAttributes.html
# (MessageRetentionPeriod up to 1,209,600 s): time to notice and replay a lost alarm event
SQS_MAX_RETENTION_SECONDS = 14 * 24 * 3600
# https://docs.aws.amazon.com/vpc/latest/userguide/vpc-cidr-blocks.html (a VPC is /16 to /28; the
# project splits it into four /(n+2) subnets, so /24 is the smallest it accepts)
VPC_MIN_PREFIX, VPC_MAX_PREFIX = 16, 24
# https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html
LOG_RETENTION_DAYS = frozenset(
    (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
     3288, 3653)
)


# --- name rules -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NameRule:
    """What AWS accepts as one kind of name: characters, length, edges and reserved values."""

    what: str  # "an ELB load balancer name"
    chars: str  # one regex character class body, e.g. "A-Za-z0-9-"
    chars_text: str  # the same for people: "letters, digits or hyphens"
    min_len: int
    max_len: int
    doc: str
    edge_hyphen: bool = True  # may begin or end with '-'
    reserved_prefixes: tuple[str, ...] = ()  # compared case-insensitively
    reserved_names: tuple[str, ...] = ()
    reserved_suffixes: tuple[str, ...] = ()  # compared case-insensitively
    note: str = ""

    @cached_property
    def pattern(self) -> re.Pattern[str]:
        return re.compile(f"[{self.chars}]{{{self.min_len},{self.max_len}}}")

    @property
    def plural(self) -> str:
        """`what` for a list in an error message: "an ELB load balancer name" -> "ELB load balancer names"."""
        noun = self.what.split(" ", 1)[1] if self.what.split(" ", 1)[0] in ("a", "an") else self.what
        return f"{noun}s"

    def expected(self, max_len: int | None = None) -> str:
        """The one-line description used in error messages."""
        limit = self.max_len if max_len is None else max_len
        text = f"{self.min_len}-{limit} {self.chars_text}"
        if not self.edge_hyphen:
            text += ", not starting or ending with '-'"
        for prefix in self.reserved_prefixes:
            text += f", not starting with {prefix!r}"
        for suffix in self.reserved_suffixes:
            text += f", not ending with {suffix!r}"
        for name in self.reserved_names:
            text += f", not {name!r}"
        return text

    def problem(self, value: str, max_len: int | None = None) -> str | None:
        """None when AWS accepts `value`; else what is wrong (fullmatch: no trailing newline passes)."""
        limit = self.max_len if max_len is None else max_len
        if not isinstance(value, str):
            return "not a string"
        if len(value) > limit:
            return f"{len(value)} characters, over the limit of {limit}"
        if not self.pattern.fullmatch(value) or len(value) < self.min_len:
            return f"not {self.min_len}-{limit} {self.chars_text}"
        if not self.edge_hyphen and (value.startswith("-") or value.endswith("-")):
            return "starts or ends with '-'"
        lowered = value.lower()
        for prefix in self.reserved_prefixes:
            if lowered.startswith(prefix.lower()):
                return f"starts with the reserved prefix {prefix!r}"
        for suffix in self.reserved_suffixes:
            if lowered.endswith(suffix.lower()):
                return f"ends with the reserved suffix {suffix!r}"
        if lowered in (n.lower() for n in self.reserved_names):
            return f"{value!r} is reserved"
        return None


_API = "https://docs.aws.amazon.com"

ELB_NAME = NameRule(
    "a load balancer name", "A-Za-z0-9-", "letters, digits or hyphens", 1, 32,
    f"{_API}/elasticloadbalancing/latest/APIReference/API_CreateLoadBalancer.html",
    edge_hyphen=False, reserved_prefixes=("internal-",))
TARGET_GROUP_NAME = NameRule(
    "a target group name", "A-Za-z0-9-", "letters, digits or hyphens", 1, 32,
    f"{_API}/elasticloadbalancing/latest/APIReference/API_CreateTargetGroup.html", edge_hyphen=False)
ASG_NAME = NameRule(
    "an Auto Scaling group name", "A-Za-z0-9._-", "letters, digits, . _ or -", 1, 255,
    f"{_API}/autoscaling/ec2/APIReference/API_CreateAutoScalingGroup.html",
    note="AWS allows any 1-255 characters; the name also appears in IAM ARNs, so no ':' '/' or spaces")
LAUNCH_TEMPLATE_NAME = NameRule(
    "a launch template name", r"A-Za-z0-9().\-/_", "letters, digits or ( ) . - / _", 3, 128,
    f"{_API}/AWSEC2/latest/APIReference/API_CreateLaunchTemplate.html")
LAMBDA_NAME = NameRule(
    "a Lambda function name", "A-Za-z0-9_-", "letters, digits, _ or -", 1, 64,
    f"{_API}/lambda/latest/api/API_CreateFunction.html")
SNS_TOPIC_NAME = NameRule(
    "an SNS topic name", "A-Za-z0-9_-", "letters, digits, _ or -", 1, 256,
    f"{_API}/sns/latest/api/API_CreateTopic.html")
STATE_MACHINE_NAME = NameRule(
    "a state machine name", "A-Za-z0-9_-", "letters, digits, _ or -", 1, 80,
    f"{_API}/step-functions/latest/apireference/API_CreateStateMachine.html",
    note="AWS allows more characters, but logging to CloudWatch Logs needs 0-9 A-Z a-z - _ only")
EVENT_RULE_NAME = NameRule(
    "an EventBridge rule name", "A-Za-z0-9._-", "letters, digits, . _ or -", 1, 64,
    f"{_API}/eventbridge/latest/APIReference/API_PutRule.html")
EVENT_BUS_NAME = NameRule(
    "a custom event bus name", "A-Za-z0-9._-", "letters, digits, . _ or -", 1, 256,
    f"{_API}/eventbridge/latest/APIReference/API_CreateEventBus.html",
    reserved_names=("default",), note="custom buses cannot contain '/' or be named default")
ALARM_NAME = NameRule(
    "a CloudWatch alarm name", "A-Za-z0-9._-", "letters, digits, . _ or -", 1, 255,
    f"{_API}/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html",
    note="AWS allows any printable text; these names also appear in ARNs and CLI commands")
METRIC_NAMESPACE = NameRule(
    "a CloudWatch namespace", "A-Za-z0-9/_.#:-", "letters, digits or / _ . # : -", 1, 255,
    f"{_API}/AmazonCloudWatch/latest/APIReference/API_PutMetricData.html",
    reserved_prefixes=("AWS/",))
METRIC_NAME = NameRule(
    "a CloudWatch metric name", "A-Za-z0-9_.-", "letters, digits, _ . or -", 1, 255,
    f"{_API}/AmazonCloudWatch/latest/APIReference/API_MetricDatum.html")
IAM_ROLE_NAME = NameRule(
    "an IAM role name", "A-Za-z0-9_+=,.@-", "letters, digits or + = , . @ _ -", 1, 64,
    f"{_API}/IAM/latest/APIReference/API_CreateRole.html")
SQS_QUEUE_NAME = NameRule(
    "an SQS queue name", "A-Za-z0-9_-", "letters, digits, _ or -", 1, 80,
    f"{_API}/AWSSimpleQueueService/latest/APIReference/API_CreateQueue.html")
KMS_ALIAS_NAME = NameRule(
    "a KMS alias", "A-Za-z0-9/_-", "letters, digits or / _ -", 1, 256,
    f"{_API}/kms/latest/APIReference/API_CreateAlias.html", reserved_prefixes=("alias/aws/",),
    note="the whole alias, 'alias/' included")
AMI_NAME = NameRule(
    "an AMI name", r"A-Za-z0-9()\[\] ./'@_-", "letters, digits, spaces or ( ) [ ] . / ' @ _ -", 3, 128,
    f"{_API}/AWSEC2/latest/APIReference/API_CopyImage.html")
TABLE_NAME = NameRule(
    "a DynamoDB table name", "A-Za-z0-9_.-", "letters, digits, _ . or -", 3, 255,
    f"{_API}/amazondynamodb/latest/APIReference/API_CreateTable.html")
ATTRIBUTE_NAME = NameRule(
    "a DynamoDB attribute name", "A-Za-z0-9_.-", "letters, digits, _ . or -", 1, 255,
    f"{_API}/amazondynamodb/latest/APIReference/API_AttributeDefinition.html",
    note="AWS allows any UTF-8; the app's table code uses these plain names")
TAG_KEY = NameRule(
    "a tag key", r"\w .:/=+@-", "letters, digits, spaces or _ . : / = + @ -", 1, 128,
    f"{_API}/tag-editor/latest/userguide/tagging.html", reserved_prefixes=("aws:",))
TAG_VALUE = NameRule(
    "a tag value", r"\w .:/=+@-", "letters, digits, spaces or _ . : / = + @ -", 0, 256,
    f"{_API}/tag-editor/latest/userguide/tagging.html")
ROUTE53_SET_IDENTIFIER = NameRule(
    "a Route53 set identifier", "A-Za-z0-9_.-", "letters, digits, _ . or -", 1, 128,
    f"{_API}/Route53/latest/APIReference/API_ResourceRecordSet.html",
    note="AWS allows more characters; the records use plain identifiers (primary, secondary)")
LOG_GROUP_NAME = NameRule(
    "a log group name", r"A-Za-z0-9._/#-", "letters, digits or . _ / # -", 1, 512,
    f"{_API}/AmazonCloudWatchLogs/latest/APIReference/API_CreateLogGroup.html")
S3_BUCKET_NAME = NameRule(
    "an S3 bucket name", "a-z0-9-", "lower-case letters, digits or hyphens", 3, 63,
    f"{_API}/AmazonS3/latest/userguide/bucketnamingrules.html", edge_hyphen=False,
    reserved_prefixes=("xn--", "sthree-", "amzn-s3-demo-"),
    reserved_suffixes=("-s3alias", "--ol-s3", "--x-s3", "--table-s3"),
    note="AWS also allows '.', but a dotted name breaks HTTPS to <bucket>.s3.<region>.amazonaws.com "
         "(the wildcard certificate covers one label), so the project refuses it")
# https://docs.aws.amazon.com/vpc/latest/privatelink/aws-services-privatelink-support.html: an
# interface endpoint is `com.amazonaws.<region>.<short name>`; the setting takes the short name.
ENDPOINT_SHORT_NAME = NameRule(
    "an interface endpoint short name", "a-z0-9.-", "lower-case letters, digits, . or -", 2, 63,
    f"{_API}/vpc/latest/privatelink/aws-services-privatelink-support.html",
    edge_hyphen=False, reserved_prefixes=("com.amazonaws.", "aws.", "."))

# --- derived names: one rule each, used by the components and checked by stack_config ------------------


def function_name(prefix: str, suffix: str) -> str:
    return f"{prefix}-{suffix}"


# The longest function suffix bounds the prefix: `<prefix>-readiness` must fit LAMBDA_NAME.
LONGEST_FUNCTION_SUFFIX = max((*STEP_FUNCTIONS, READINESS_FUNCTION, APPROVAL_PAGE_FUNCTION), key=len)
LAMBDA_PREFIX_MAX = LAMBDA_NAME.max_len - 1 - len(LONGEST_FUNCTION_SUFFIX)


def role_name(base: str) -> str:
    """`<base>-role`, cut to IAM's 64 characters (stack_config checks the cut names stay distinct)."""
    return f"{base}-role"[:IAM_ROLE_NAME.max_len]


# Declared target groups are named by AWS from a prefix (it appends 26 characters within the 32
# allowed), so a replacement never collides with the group it replaces; `target_group_name` stays
# their Name tag and the name of the group step 1 creates in mode on-failover.
TARGET_GROUP_PREFIX = {"web": "mtweb-", "app": "mtapp-"}


def target_group_name(lb_name: str) -> str:
    """`<lb name>-TG` within the target group rule (32 characters, no trailing hyphen)."""
    return f"{lb_name}-TG"[:TARGET_GROUP_NAME.max_len].rstrip("-")


def dlq_name(rule_name: str) -> str:
    """`<rule name>-dlq`: SQS names allow no '.', which EventBridge rule names may hold. A rule name
    is at most 64 characters, so the result always fits SQS's 80."""
    return f"{rule_name.replace('.', '-')}-dlq"


def dlq_alarm_name(queue_name: str) -> str:
    return f"{queue_name}-not-empty"


def schedule_rule_name(function: str) -> str:
    """`<function name>-schedule`, cut to EventBridge's rule-name limit."""
    return f"{function}-schedule"[:EVENT_RULE_NAME.max_len]


def report_rule_name(machine: str) -> str:
    """`<failover machine>-report`: every finished run -> the report writer (reports.bucket)."""
    return f"{machine}-report"[:EVENT_RULE_NAME.max_len].rstrip("-")


def drill_rule_name(machine: str) -> str:
    """`<failover machine>-drill-stopped`, cut to EventBridge's rule-name limit."""
    return f"{machine}-drill-stopped"[:EVENT_RULE_NAME.max_len].rstrip("-")


def topic_key_alias(topic_name: str) -> str:
    return f"alias/{topic_name}"


def lambda_log_group(function: str) -> str:
    return f"/aws/lambda/{function}"


def state_machine_log_group(machine: str) -> str:
    return f"/aws/vendedlogs/states/{machine}"


# AmiCopy names are `<ami name>-<source AMI id>`; the longest AMI id is `ami-` + 17 hex digits.
AMI_ID_MAX_LEN = len("ami-") + 17
AMI_COPY_NAME_MAX = AMI_NAME.max_len - 1 - AMI_ID_MAX_LEN


def ami_copy_name(name: str, source_id: str) -> str:
    return f"{name}-{source_id}"


def table_name(prefix: str, suffix: str) -> str:
    return f"{prefix}-{suffix}"


TABLE_PREFIX_MAX = TABLE_NAME.max_len - 1 - max(len(s) for s in TABLE_SUFFIXES)


def topic_name_max() -> int:
    """The topic name also names its KMS alias `alias/<topic>`, which must fit the alias limit."""
    return min(SNS_TOPIC_NAME.max_len, KMS_ALIAS_NAME.max_len - len(topic_key_alias("")))


def step_timeout_minimum(suffix: str) -> int:
    return STEP_TIMEOUT_MINIMUMS.get(suffix, OTHER_STEP_TIMEOUT_MINIMUM)
