"""The failover pipeline component, split by concept:

  pipeline.py        FailoverPipeline / FailoverPipelineArgs: wires the parts, attaches step policies
  approval_topic.py  ApprovalTopic: SNS topic, its KMS key and alias, email and SMS subscriptions
  event_hop.py       EventHop: rule -> target through a scoped role, with a DLQ (used for both hops)
  functions.py       StepLambdas: the step Lambdas, their log groups and roles; FUNCTIONS
  state_machines.py  StateMachines: the failover and failback machines and their role
  asl.py             the state machine definitions (Amazon States Language as Python dicts)
  iam.py             every IAM document, as pure functions
"""

from components.failover_pipeline.functions import FUNCTIONS, RUNTIME
from components.failover_pipeline.pipeline import FailoverPipeline, FailoverPipelineArgs
from failover.contract import dlq_name

__all__ = ["FUNCTIONS", "RUNTIME", "FailoverPipeline", "FailoverPipelineArgs", "dlq_name"]
