"""The floor: a one-resource Pulumi program, evaluated by the same mock engine as the preview."""

import pulumi
import pulumi_aws as aws

bucket = aws.s3.Bucket("floor")
pulumi.export("bucket", bucket.id)
