"""Terraform trails, load balancers, distributions and API stages into the common model: what
they log, and where."""

from __future__ import annotations

from iaclint.adapt.normalize import lower, to_bool, to_int
from iaclint.adapt.sourced import Src, convert, each, is_opaque, obj
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


def _scheme(props: Src) -> Src:
    """`internal`, false when left out: internet-facing."""
    internal = props.get("internal")
    if internal is None:
        return Src("internet-facing", props.origin)
    flag = to_bool(internal.value)
    if isinstance(flag, bool):
        return internal.with_value("internal" if flag else "internet-facing")
    return internal


def _subnets(props: Src) -> Src | None:
    found: list[Src] = []
    written = props.get("subnets")
    if written is not None:
        found.extend(written.items() or [written])
    mappings = props.get("subnet_mapping")
    if mappings is not None and is_opaque(mappings.value):
        found.append(mappings)
    for mapping in (mappings.items() or []) if mappings is not None else []:
        subnet = mapping.get("subnet_id")
        if subnet is not None:
            found.append(subnet)
    return Src(found, props.origin) if found else None


def load_balancer(props: Src, context: Context) -> Src:
    logs = first_block(props.get("access_logs"))
    return obj(
        props,
        {
            "scheme": _scheme(props),
            "subnets": _subnets(props),
            "security_groups": props.get("security_groups"),
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
    return obj(
        props,
        {
            "type": Src("classic", props.origin),
            "access_logs": enabled,
            "scheme": _scheme(props),
            "subnets": _subnets(props),
            "security_groups": props.get("security_groups"),
            "instances": props.get("instances"),
            "listeners": each(props.get("listener"), _classic_listener),
        },
    )


def _classic_listener(listener: Src) -> Src:
    return obj(
        listener,
        {
            "port": convert(listener.get("lb_port"), to_int),
            "instance_port": convert(listener.get("instance_port"), to_int),
            "protocol": convert(listener.get("lb_protocol"), lower),
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
        kind = action.get("type")
        if kind is not None and isinstance(kind.value, str) and kind.value.lower() != "forward":
            continue
        group = action.get("target_group_arn")
        if group is not None and group.value not in (None, ""):
            found.append(group)
        forward = first_block(action.get("forward"))
        groups = forward.get("target_group") if forward is not None else None
        for item in (groups.items() or []) if groups is not None else []:
            arn = item.get("arn")
            if arn is not None:
                found.append(arn)
    return Src(found, actions.origin)


def listener(props: Src, context: Context) -> Src:
    return obj(
        props,
        {
            "load_balancer": props.get("load_balancer_arn"),
            "port": convert(props.get("port"), to_int),
            "protocol": convert(props.get("protocol"), lower),
            "target_groups": _forwarded(props.get("default_action")),
        },
    )


def listener_rule(props: Src, context: Context) -> Src:
    return obj(
        props,
        {
            "listener": props.get("listener_arn"),
            "rule": Src(True, props.origin),
            "target_groups": _forwarded(props.get("action")),
        },
    )


def target_group(props: Src, context: Context) -> Src:
    return obj(
        props,
        {
            "port": convert(props.get("port"), to_int),
            "protocol": convert(props.get("protocol"), lower),
            "target_type": convert(props.get("target_type"), lower)
            or Src("instance", props.origin),
        },
    )


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
    "aws_lb_listener": Family("elb.listener", listener),
    "aws_alb_listener": Family("elb.listener", listener),
    "aws_lb_listener_rule": Family("elb.listener", listener_rule),
    "aws_alb_listener_rule": Family("elb.listener", listener_rule),
    "aws_lb_target_group": Family("elb.target_group", target_group),
    "aws_alb_target_group": Family("elb.target_group", target_group),
    "aws_cloudfront_distribution": Family("cloudfront.distribution", distribution),
}
