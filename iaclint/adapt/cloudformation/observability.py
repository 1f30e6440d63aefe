"""CloudFormation trails, load balancers, distributions and API stages into the common model:
what they log, and where."""

from __future__ import annotations

from iaclint.adapt.cloudformation.context import Context, Mapper
from iaclint.adapt.normalize import lower, to_bool
from iaclint.adapt.sourced import Src, convert, obj


def trail(props: Src, context: Context) -> Src:
    return obj(
        props,
        {
            "name": props.get("TrailName"),
            "is_logging": convert(props.get("IsLogging"), to_bool),
            "multi_region": convert(props.get("IsMultiRegionTrail"), to_bool),
            "log_file_validation": convert(props.get("EnableLogFileValidation"), to_bool),
            "kms_key": props.get("KMSKeyId"),
            "cloudwatch_logs_group": props.get("CloudWatchLogsLogGroupArn"),
            "bucket": context.link(props.get("S3BucketName"), "s3.bucket"),
        },
    )


def _attribute(attributes: Src | None, key: str) -> Src | None:
    """The value of a `{Key, Value}` load balancer attribute."""
    for item in (attributes.items() or []) if attributes is not None else []:
        name = item.get("Key")
        if name is not None and name.value == key:
            return item.get("Value")
    return None


def load_balancer(props: Src, context: Context) -> Src:
    written = _attribute(props.get("LoadBalancerAttributes"), "access_logs.s3.enabled")
    return obj(
        props,
        {
            "type": convert(props.get("Type"), lower) or Src("application", props.origin),
            "access_logs": convert(written, to_bool),
        },
    )


def classic_load_balancer(props: Src, context: Context) -> Src:
    policy = props.get("AccessLoggingPolicy")
    return obj(
        props,
        {
            "type": Src("classic", props.origin),
            "access_logs": convert(policy.get("Enabled"), to_bool) if policy else None,
        },
    )


def distribution(props: Src, context: Context) -> Src:
    config = props.get("DistributionConfig")
    logging = config.get("Logging") if config is not None else None
    return obj(props, {"logging_bucket": logging.get("Bucket") if logging else None})


def rest_api_stage(props: Src, context: Context) -> Src:
    logs = props.get("AccessLogSetting")
    return obj(props, {"access_log_destination": logs.get("DestinationArn") if logs else None})


def http_api_stage(props: Src, context: Context) -> Src:
    logs = props.get("AccessLogSettings")
    return obj(props, {"access_log_destination": logs.get("DestinationArn") if logs else None})


def deployment_stage(props: Src, context: Context) -> Src:
    """A deployment that names a stage creates it, with `StageDescription`'s settings."""
    description = props.get("StageDescription")
    logs = description.get("AccessLogSetting") if description is not None else None
    return obj(
        props,
        {
            "deployment": Src(True, props.origin),
            "stage_name": props.get("StageName"),
            "access_log_destination": logs.get("DestinationArn") if logs else None,
        },
    )


MAPPERS: dict[str, Mapper] = {
    "AWS::ApiGateway::Stage": ("apigateway.stage", rest_api_stage),
    "AWS::ApiGateway::Deployment": ("apigateway.stage", deployment_stage),
    "AWS::ApiGatewayV2::Stage": ("apigateway.stage", http_api_stage),
    "AWS::CloudTrail::Trail": ("cloudtrail.trail", trail),
    "AWS::ElasticLoadBalancingV2::LoadBalancer": ("elb.load_balancer", load_balancer),
    "AWS::ElasticLoadBalancing::LoadBalancer": ("elb.load_balancer", classic_load_balancer),
    "AWS::CloudFront::Distribution": ("cloudfront.distribution", distribution),
}
