"""CloudFormation trails, load balancers, distributions and API stages into the common model:
what they log, and where."""

from __future__ import annotations

from iaclint.adapt.cloudformation.context import Context, Mapper
from iaclint.adapt.normalize import lower, to_bool, to_int
from iaclint.adapt.sourced import Src, convert, each, is_opaque, obj


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


def _scheme(props: Src) -> Src:
    """`Scheme`, internet-facing when left out (as in every load balancer type)."""
    return convert(props.get("Scheme"), lower) or Src("internet-facing", props.origin[:2])


def _subnets(props: Src) -> Src | None:
    found: list[Src] = []
    written = props.get("Subnets")
    if written is not None:
        found.extend(written.items() or [written])
    mappings = props.get("SubnetMappings")
    if mappings is not None and is_opaque(mappings.value):
        found.append(mappings)
    for mapping in (mappings.items() or []) if mappings is not None else []:
        subnet = mapping.get("SubnetId")
        if subnet is not None:
            found.append(subnet)
    return Src(found, props.origin) if found else None


def load_balancer(props: Src, context: Context) -> Src:
    written = _attribute(props.get("LoadBalancerAttributes"), "access_logs.s3.enabled")
    return obj(
        props,
        {
            "type": convert(props.get("Type"), lower) or Src("application", props.origin),
            "access_logs": convert(written, to_bool),
            "scheme": _scheme(props),
            "subnets": _subnets(props),
            "security_groups": props.get("SecurityGroups"),
        },
    )


def _classic_listener(listener: Src) -> Src:
    return obj(
        listener,
        {
            "port": convert(listener.get("LoadBalancerPort"), to_int),
            "instance_port": convert(listener.get("InstancePort"), to_int),
            "protocol": convert(listener.get("Protocol"), lower),
        },
    )


def classic_load_balancer(props: Src, context: Context) -> Src:
    policy = props.get("AccessLoggingPolicy")
    return obj(
        props,
        {
            "type": Src("classic", props.origin),
            "access_logs": convert(policy.get("Enabled"), to_bool) if policy else None,
            "scheme": _scheme(props),
            "subnets": _subnets(props),
            "security_groups": props.get("SecurityGroups"),
            "instances": props.get("Instances"),
            "listeners": each(props.get("Listeners"), _classic_listener),
        },
    )


def _forwarded(actions: Src | None) -> Src | None:
    """The target groups forward actions send traffic to."""
    if actions is None:
        return None
    if is_opaque(actions.value):
        return Src([actions], actions.origin)
    found: list[Src] = []
    for action in actions.items() or []:
        kind = action.get("Type")
        if kind is not None and isinstance(kind.value, str) and kind.value.lower() != "forward":
            continue
        group = action.get("TargetGroupArn")
        if group is not None:
            found.append(group)
        forward = action.get("ForwardConfig")
        groups = forward.get("TargetGroups") if forward is not None else None
        for item in (groups.items() or []) if groups is not None else []:
            arn = item.get("TargetGroupArn")
            if arn is not None:
                found.append(arn)
    return Src(found, actions.origin)


def listener(props: Src, context: Context) -> Src:
    return obj(
        props,
        {
            "load_balancer": props.get("LoadBalancerArn"),
            "port": convert(props.get("Port"), to_int),
            "protocol": convert(props.get("Protocol"), lower),
            "target_groups": _forwarded(props.get("DefaultActions")),
        },
    )


def listener_rule(props: Src, context: Context) -> Src:
    return obj(
        props,
        {
            "listener": props.get("ListenerArn"),
            "rule": Src(True, props.origin),
            "target_groups": _forwarded(props.get("Actions")),
        },
    )


def _target(target: Src) -> Src:
    return obj(target, {"target": target.get("Id"), "port": convert(target.get("Port"), to_int)})


def target_group(props: Src, context: Context) -> Src:
    return obj(
        props,
        {
            "port": convert(props.get("Port"), to_int),
            "protocol": convert(props.get("Protocol"), lower),
            "target_type": convert(props.get("TargetType"), lower)
            or Src("instance", props.origin[:2]),
            "targets": each(props.get("Targets"), _target),
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
    "AWS::ElasticLoadBalancingV2::Listener": ("elb.listener", listener),
    "AWS::ElasticLoadBalancingV2::ListenerRule": ("elb.listener", listener_rule),
    "AWS::ElasticLoadBalancingV2::TargetGroup": ("elb.target_group", target_group),
    "AWS::CloudFront::Distribution": ("cloudfront.distribution", distribution),
}
