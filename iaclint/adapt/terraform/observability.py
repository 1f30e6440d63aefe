"""Terraform trails, load balancers, distributions and API stages into the common model: what
they log, and where."""

from __future__ import annotations

from iaclint.adapt.normalize import lower, to_bool
from iaclint.adapt.sourced import Src, convert, obj
from iaclint.adapt.terraform.family import Context, Family, first_block


def trail(props: Src, context: Context) -> Src:
    return obj(
        props,
        {
            "name": props.get("name"),
            "is_logging": convert(props.get("enable_logging"), to_bool),
            "multi_region": convert(props.get("is_multi_region_trail"), to_bool),
            "log_file_validation": convert(props.get("enable_log_file_validation"), to_bool),
            "kms_key": props.get("kms_key_id"),
            "cloudwatch_logs_group": props.get("cloud_watch_logs_group_arn"),
            "bucket": context.link(props.get("s3_bucket_name"), "s3.bucket"),
        },
    )


def load_balancer(props: Src, context: Context) -> Src:
    logs = first_block(props.get("access_logs"))
    return obj(
        props,
        {
            "type": convert(props.get("load_balancer_type"), lower)
            or Src("application", props.origin),
            # `enabled` defaults to false in aws_lb, even with a bucket.
            "access_logs": (
                convert(logs.get("enabled"), to_bool) or logs.with_value(False)
                if logs is not None
                else None
            ),
        },
    )


def classic_load_balancer(props: Src, context: Context) -> Src:
    logs = first_block(props.get("access_logs"))
    enabled = None
    if logs is not None:
        # In aws_elb, an access_logs block is enabled unless it says otherwise.
        enabled = convert(logs.get("enabled"), to_bool) or Src(True, logs.origin)
    return obj(props, {"type": Src("classic", props.origin), "access_logs": enabled})


def distribution(props: Src, context: Context) -> Src:
    logging = first_block(props.get("logging_config"))
    return obj(props, {"logging_bucket": logging.get("bucket") if logging is not None else None})


def stage(props: Src, context: Context) -> Src:
    logs = first_block(props.get("access_log_settings"))
    return obj(
        props,
        {"access_log_destination": logs.get("destination_arn") if logs is not None else None},
    )


def deployment_stage(props: Src, context: Context) -> Src:
    """A deployment that names a stage creates it, without access logs."""
    return obj(
        props,
        {"deployment": Src(True, props.origin), "stage_name": props.get("stage_name")},
    )


FAMILIES: dict[str, Family] = {
    "aws_api_gateway_stage": Family("apigateway.stage", stage),
    "aws_api_gateway_deployment": Family("apigateway.stage", deployment_stage),
    "aws_apigatewayv2_stage": Family("apigateway.stage", stage),
    "aws_cloudtrail": Family("cloudtrail.trail", trail),
    "aws_lb": Family("elb.load_balancer", load_balancer),
    "aws_alb": Family("elb.load_balancer", load_balancer),
    "aws_elb": Family("elb.load_balancer", classic_load_balancer),
    "aws_cloudfront_distribution": Family("cloudfront.distribution", distribution),
}
